#!/usr/bin/env bash
# Starts the shop (shop-purchase, shop-mileage, shop-tracking) against a running SQS endpoint:
# creates the queues `mileage` and `product-tracking`, each with a dead-letter queue
# (`<name>-dlq`, after 5 receives), writes the services' .env, starts them with logs to files and
# prints their URLs and a ready-to-paste order.
#
#   apps/shop/run.sh [--endpoint URL] [--dir DIR] [--bin DIR] [--detach]
#
#   --endpoint URL  the SQS endpoint (default $AWS_ENDPOINT_URL_SQS or http://127.0.0.1:9324)
#   --dir DIR       working directory: .env, data/ (SQLite) and logs/ (default ./shop-run)
#   --bin DIR       where the shop-* binaries are (default build/bin of this repository)
#   --detach        start and return (PIDs in DIR/pids); default: stay in the foreground and
#                   stop the services (SIGTERM, graceful) on Ctrl-C
#
# Queues are created with the `tern` CLI when it has `queue create`, else with curl over the
# SQS JSON protocol (unsigned: fine for a local `tern serve` without --credentials).
# Ports: PORT / MILEAGE_PORT / TRACKING_PORT from the environment (3000 / 3001 / 3002).
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
endpoint="${AWS_ENDPOINT_URL_SQS:-http://127.0.0.1:9324}"
dir="$PWD/shop-run"
bin="$repo/build/bin"
detach=0
while (($#)); do
  case "$1" in
    --endpoint) endpoint="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --bin) bin="$2"; shift 2 ;;
    --detach) detach=1; shift ;;
    -h | --help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
endpoint="${endpoint%/}"
# The services run with their working directory in $dir: a relative --bin must not depend on it.
[[ -d "$bin" ]] && bin="$(cd "$bin" && pwd)"
region="${AWS_REGION:-us-east-1}"
port="${PORT:-3000}" mileage_port="${MILEAGE_PORT:-3001}" tracking_port="${TRACKING_PORT:-3002}"

for b in shop-purchase shop-mileage shop-tracking; do
  [[ -x "$bin/$b" ]] || { echo "run.sh: $bin/$b not found; build first (scripts/build)" >&2; exit 1; }
done
if ! curl -sf -o /dev/null "$endpoint/health" && ! curl -s -o /dev/null "$endpoint/"; then
  echo "run.sh: no SQS endpoint answers at $endpoint (start one: build/bin/tern serve)" >&2
  exit 1
fi
mkdir -p "$dir/logs" "$dir/data"
dir="$(cd "$dir" && pwd)"

# create_queue NAME [REDRIVE_POLICY_JSON] -> prints the queue URL
tern_cli=""
if [[ -x "$bin/tern" ]] && "$bin/tern" --help 2>&1 | grep -qE '^ +queue '; then tern_cli="$bin/tern"; fi
create_queue() {
  local name="$1" redrive="${2:-}" out=""
  if [[ -n "$tern_cli" ]]; then
    local args=(queue create "$name" --endpoint "$endpoint")
    [[ -n "$redrive" ]] && args+=(--attr "RedrivePolicy=$redrive")
    out="$(AWS_REGION="$region" "$tern_cli" "${args[@]}" 2>&1 || true)"
    out="$(grep -Eo 'https?://[^ "]+' <<<"$out" | tail -1 || true)"
  fi
  if [[ -n "$out" ]]; then
    echo "$out"
  else
    local body="{\"QueueName\":\"$name\"}"
    if [[ -n "$redrive" ]]; then
      local escaped="${redrive//\"/\\\"}"
      body="{\"QueueName\":\"$name\",\"Attributes\":{\"RedrivePolicy\":\"$escaped\"}}"
    fi
    out="$(curl -s -X POST "$endpoint/" -H 'Content-Type: application/x-amz-json-1.0' \
      -H 'X-Amz-Target: AmazonSQS.CreateQueue' -d "$body")"
    sed -nE 's/.*"QueueUrl":"([^"]+)".*/\1/p' <<<"$out" | sed 's#\\/#/#g'
  fi
}
# The ARN of a queue from its URL: http://host/ACCOUNT/NAME -> arn:aws:sqs:REGION:ACCOUNT:NAME
arn_of() {
  local path="${1#*://*/}"
  echo "arn:aws:sqs:$region:${path%%/*}:${path#*/}"
}

urls=()
for q in mileage product-tracking; do
  dlq="$(create_queue "$q-dlq")"
  [[ -n "$dlq" ]] || { echo "run.sh: cannot create queue $q-dlq at $endpoint" >&2; exit 1; }
  url="$(create_queue "$q" "{\"deadLetterTargetArn\":\"$(arn_of "$dlq")\",\"maxReceiveCount\":\"5\"}")"
  [[ -n "$url" ]] || { echo "run.sh: cannot create queue $q at $endpoint" >&2; exit 1; }
  urls+=("$url")
done

cat >"$dir/.env" <<EOF
AWS_REGION=$region
AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-local}
AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-local}
AWS_ENDPOINT_URL_SQS=$endpoint
AWS_SQS_MILEAGE_URL=${urls[0]}
AWS_SQS_PRODUCT_TRACKING_URL=${urls[1]}
PORT=$port
MILEAGE_PORT=$mileage_port
TRACKING_PORT=$tracking_port
SHOP_DATA_DIR=$dir/data
EOF

pids=()
stop_all() {
  trap - INT TERM
  echo
  echo "stopping the shop..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "stopped."
}
for svc in purchase mileage tracking; do
  (cd "$dir" && exec "$bin/shop-$svc" >>"$dir/logs/$svc.log" 2>&1) &
  pids+=($!)
done
printf '%s\n' "${pids[@]}" >"$dir/pids"

for p in "$port" "$mileage_port" "$tracking_port"; do
  for _ in $(seq 100); do
    curl -sf -o /dev/null "http://127.0.0.1:$p/health" && break
    for pid in "${pids[@]}"; do
      if ! kill -0 "$pid" 2>/dev/null; then
        echo "run.sh: a service exited; its log:" >&2
        tail -n 5 "$dir"/logs/*.log >&2
        stop_all
        exit 1
      fi
    done
    sleep 0.1
  done
done

cat <<EOF
The shop is running (SQS endpoint $endpoint; logs in $dir/logs, data in $dir/data):
  purchase  http://127.0.0.1:$port/purchase
  mileage   http://127.0.0.1:$mileage_port/mileage/<username>
  tracking  http://127.0.0.1:$tracking_port/tracking/<trackingId>

Place an order, then look it up:
  curl -s -X POST http://127.0.0.1:$port/purchase -H 'content-type: application/json' \\
    -d '{"id":"order-1","username":"kim","price":10000,"mileageAccumulated":4500,"trackingId":"TRK-42"}'
  curl -s http://127.0.0.1:$mileage_port/mileage/kim
  curl -s http://127.0.0.1:$tracking_port/tracking/TRK-42
EOF

if ((detach)); then
  echo "PIDs in $dir/pids (stop: kill \$(cat $dir/pids))"
  exit 0
fi
echo "Ctrl-C stops the services."
trap 'stop_all; exit 0' INT TERM
wait
