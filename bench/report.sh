#!/usr/bin/env bash
# bench/report.sh RESULTS.json: the markdown table and target check of one bench/compare run.
set -euo pipefail
json=$1
jq -r '
def r(who; s): [.runs[] | select(.contender == who and .scenario == s) | .result][0];
def rate(who; s): (r(who; s) | if . == null or .failed then null else .msgs_per_s end);
def p99(who; s): (r(who; s) | if . == null or .failed then null
                  else .latency_us[.headline_latency].p99 / 1000 end);
def k: if . == null then "–" elif . >= 100000 then "\(. / 1000 | floor)k"
       elif . >= 10000 then "\(. / 100 | floor / 10)k" else "\(. | floor)" end;
def ms: if . == null then "–" else "\(. * 1000 | round / 1000) ms" end;
def x: if . == null then "–" else "\(. * 100 | round / 100)×" end;
def div(a; b): if a == null or b == null or b == 0 then null else a / b end;
def maxn(a; b): if a == null then b elif b == null then a elif a > b then a else b end;
def minn(a; b): if a == null then b elif b == null then a elif a < b then a else b end;
def mark(ok): if ok == null then "n/a" elif ok then "**met**" else "**missed**" end;
def shopr(who): [.runs[] | select(.contender == who and .scenario == "shop") | .result][0];
def shopok(x): x != null and (x.failed | not);
def num(v): if v == null then "–" else "\(v | floor)" end;
. as $d |
shopr("shop-cpp") as $sc | shopr("shop-node") as $sn |
(if shopok($sc) and shopok($sn) then div($sc.completed_per_s; $sn.completed_per_s) else null end) as $shopx |
(if shopok($sc) and shopok($sn) then div($sc.accepted_per_s; $sn.accepted_per_s) else null end) as $shopax |
([.runs[] | select(.scenario != "shop")] | length > 0) as $sqs |
["tern-memory","tern-sync","fauxqs","local-aws-sqs","nginx"] as $cols |
[
  ["SendMessage, 1 msg/request (msgs/s)", "send-1"],
  ["SendMessageBatch of 10 (msgs/s)", "send-10"],
  ["drain: Receive 10 + DeleteMessageBatch (msgs/s)", "receive-delete-10"],
  ["e2e send+receive+delete, batches of 10 (msgs/s)", "e2e-10"],
  ["e2e send+receive+delete, 1 msg/request (msgs/s)", "e2e-1"]
] as $rows |
(if $sqs then "Run \($d.date): \($d.machine.cpu), \($d.machine.nproc) cores, \($d.config.connections) connections, \($d.config.body_size)-byte bodies, \($d.config.duration_s) s per scenario, load generator threads \($d.config.bench_threads).\n"
 else "Run \($d.date): \($d.machine.cpu), \($d.machine.nproc) cores.\n" end),
(if $sqs then (
"| scenario | " + ($cols | join(" | ")) + " | memory ÷ best peer | sync ÷ best peer |",
"|---|" + ($cols | map("--:") | join("|")) + "|--:|--:|",
($rows[] as $row |
  ($row[1]) as $s |
  maxn($d | rate("fauxqs"; $s); $d | rate("local-aws-sqs"; $s)) as $peer |
  "| \($row[0]) | " + ([$cols[] as $c | $d | rate($c; $s) | k] | join(" | ")) +
  " | \(div($d | rate("tern-memory"; $s); $peer) | x) | \(div($d | rate("tern-sync"; $s); $peer) | x) |"),
(["e2e-1-half-rate", "fanin"] as $lat |
  $lat[] as $s |
  minn($d | p99("fauxqs"; $s); $d | p99("local-aws-sqs"; $s)) as $peer |
  "| \(if $s == "fanin" then "fanin: p99 delivery of a 200 msgs/s trickle to 1000 idle long polls" else "e2e p99 latency at half the e2e-1 peak rate" end) | " +
  ([$cols[] as $c | $d | p99($c; $s) | ms] | join(" | ")) +
  " | \(div($peer; $d | p99("tern-memory"; $s)) | x) | \(div($peer; $d | p99("tern-sync"; $s)) | x) |"),
"",
"Server RSS in fanin (per parked long poll): " +
  ([$cols[] as $c | r($c; "fanin") | select(. != null and .server_rss != null) |
    "\($c) \(.server_rss.per_poller_bytes // 0 | floor) B (peak \(.server_rss.peak_kb / 1024 | floor) MiB)"] | join(", ")),
"",
"Redis reference (redis-benchmark, same connections, 256-byte values): " +
  ([.runs[] | select(.scenario == "lpush-rpop") |
    "\(.contender): LPUSH \(.result.lpush_per_s | k)/s, RPOP \(.result.rpop_per_s | k)/s, one push + one pop \(.result.msgs_per_s | k) msgs/s"] | join("; ")),
"") else empty end),
(if shopok($sc) or shopok($sn) then (
"### Shop: orders/s end to end (both stacks on one tern serve --durability sync)",
"",
"\(($sc // $sn).config.orders) orders (after \(($sc // $sn).config.warmup) warm-up orders) over \(($sc // $sn).config.connections) keep-alive connections, \(($sc // $sn).config.users) users; an order is complete when both its mileage and its tracking record are processed.",
"",
"| stack | accepted orders/s (HTTP) | completed orders/s (end to end) | accept p50 | accept p99 | CPU ms/order (all processes) | checked |",
"|---|--:|--:|--:|--:|--:|---|",
([["shop-cpp", "C++ services (apps/shop)"], ["shop-node", "tutorial Node stack (bench/shop-node)"]][] as $w |
  shopr($w[0]) as $x | select(shopok($x)) |
  "| \($w[1]) | \(num($x.accepted_per_s)) | \(num($x.completed_per_s)) | \($x.accept_latency_ms.p50 | ms) | \($x.accept_latency_ms.p99 | ms) | \($x.cpu_ms_per_order) | \(if $x.verified then "every order" else "FAILED: \($x.verify_errors | join("; "))" end) |"),
"| C++ ÷ Node | \($shopax | x) | \($shopx | x) | | | | |",
"") else empty end),
"### Targets (issue 7)",
"",
"| target | figure | result |",
"|---|---|---|",
(div($d | rate("tern-memory"; "send-1"); $d | rate("nginx"; "send-1")) as $m |
 div($d | rate("tern-sync"; "send-1"); $d | rate("nginx"; "send-1")) as $s |
 "| SendMessage ≥ 60% of nginx fixed reply | memory \($m | if . == null then "–" else "\(. * 100 | round)%" end), sync \($s | if . == null then "–" else "\(. * 100 | round)%" end) | memory \(mark(if $m == null then null else $m >= 0.6 end)), sync \(mark(if $s == null then null else $s >= 0.6 end)) |"),
($d | rate("tern-memory"; "e2e-10")) as $m |
($d | rate("tern-sync"; "e2e-10")) as $s |
 "| send+receive+delete, batches of 10 ≥ 150k msgs/s (memory) | \($m | k) msgs/s | \(mark(if $m == null then null else $m >= 150000 end)) |",
 "| … and sync ≥ ⅔ of that (100k msgs/s) | \($s | k) msgs/s (\(div($s; $m) | if . == null then "–" else "\(. * 100 | round)%" end) of memory) | \(mark(if $s == null then null else $s >= 100000 end)) |",
(($d | p99("tern-memory"; "e2e-1-half-rate")) as $pm |
 ($d | p99("tern-sync"; "e2e-1-half-rate")) as $ps |
 "| send→receive p99 < 2 ms at half the peak rate, long-polling consumers | memory \($pm | ms), sync \($ps | ms) | memory \(mark(if $pm == null then null else $pm < 2 end)), sync \(mark(if $ps == null then null else $ps < 2 end)) |"),
([$rows[] | .[1] as $s |
  maxn($d | rate("fauxqs"; $s); $d | rate("local-aws-sqs"; $s)) as $peer |
  {s: $s, m: div($d | rate("tern-memory"; $s); $peer), y: div($d | rate("tern-sync"; $s); $peer)}] as $ratios |
 "| ≥ 5× the better Node peer in every throughput scenario | " +
   ($ratios | map("\(.s): \(.m | x) / \(.y | x)") | join("; ")) + " (memory / sync) | " +
   (if ($ratios | map(select(.m != null)) | length) == 0 then "n/a"
    else "memory \(mark($ratios | map(select(.m != null) | .m >= 5) | all)), sync \(mark($ratios | map(select(.y != null) | .y >= 5) | all))" end) + " |"),
(if $shopx == null then "| shop orders/s ≥ 10× the tutorial Node stack | not measured in this run | n/a |"
 else "| shop orders/s ≥ 10× the tutorial Node stack | completed \(num($sc.completed_per_s)) vs \(num($sn.completed_per_s)) orders/s = \($shopx | x) (accepted \($shopax | x)) | \(mark($shopx >= 10)) |" end)
' "$json"
