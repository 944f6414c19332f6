#!/usr/bin/env bash
# Quick SendMessage figure (issue 2): tern serve vs. nginx returning a fixed small reply, same
# machine, same wrk settings, one run. Usage: bench/quick-send.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-64}
tern=build/bin/tern
port=$((20000 + RANDOM % 20000))
nport=$((port + 1))
work=$(mktemp -d)
tern_pid=
nginx_pid=
trap 'kill $tern_pid $nginx_pid 2>/dev/null || true; rm -rf "$work"' EXIT

start_tern() {  # $1 = durability
  "$tern" serve --port "$port" --durability "$1" --data-dir "$work/data-$1" >"$work/tern.log" 2>&1 &
  tern_pid=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
  curl -sf -X POST "http://127.0.0.1:$port/" -H 'Content-Type: application/x-amz-json-1.0' \
    -H 'X-Amz-Target: AmazonSQS.CreateQueue' -d '{"QueueName":"bench"}' >/dev/null
}
stop_tern() { kill "$tern_pid"; wait "$tern_pid" 2>/dev/null || true; }

cat >"$work/nginx.conf" <<NGINX
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$nport;
    location / { default_type application/x-amz-json-1.0; return 200 '{"MD5OfMessageBody":"0","MessageId":"0"}'; }
  }
}
NGINX
nginx -c "$work/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
sleep 0.5

run() {
  QUEUE_URL="http://127.0.0.1:$port/000000000000/bench" \
    wrk -t2 -c"$conns" -d"${secs}s" --latency -s bench/send_message.lua "$1"
}
echo "== tern serve --durability memory, SendMessage, $conns connections, ${secs}s"
start_tern memory
tern_out=$(run "http://127.0.0.1:$port/")
stop_tern
echo "$tern_out"
echo "== tern serve --durability sync, SendMessage, $conns connections, ${secs}s"
start_tern sync
sync_out=$(run "http://127.0.0.1:$port/")
stop_tern
echo "$sync_out"
echo "== nginx fixed reply, same request, $conns connections, ${secs}s"
nginx_out=$(run "http://127.0.0.1:$nport/")
echo "$nginx_out"
t=$(echo "$tern_out" | awk '/Requests\/sec/ {print $2}')
s=$(echo "$sync_out" | awk '/Requests\/sec/ {print $2}')
n=$(echo "$nginx_out" | awk '/Requests\/sec/ {print $2}')
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
echo "SUMMARY memory ${t} req/s ($(ratio "$t" "$n") of nginx), sync ${s} req/s ($(ratio "$s" "$n") of nginx, $(ratio "$s" "$t") of memory), nginx ${n} req/s"
