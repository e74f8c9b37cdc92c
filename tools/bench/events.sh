#!/usr/bin/env bash
# One command: the event-ingestion benchmark. Starts its own redis-server
# (AOF, fsync every second) and plauditd (optimised build, example rules) on
# loopback, loads the users, then measures in one run:
#   - the ceiling: the award script alone, EVALSHA pipelined (award_ceiling);
#   - RecordEvents batches of 100, StreamEvents, unary RecordEvent at
#     concurrency 64, and unary latency at 25% of the unary maximum;
#   - an independent client: h2load posting one pre-encoded batch;
#   - plauditd's peak RSS.
# Prints one table (ratios to the ceiling) and writes docs/PERFORMANCE.md.
#   tools/bench/events.sh [--duration=10s] [--users=100000] [--no_write]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

duration=10s
users=100000
write=1
for arg in "$@"; do
  case "$arg" in
    --duration=*) duration="${arg#*=}" ;;
    --users=*) users="${arg#*=}" ;;
    --no_write) write=0 ;;
    *) echo "usage: $0 [--duration=10s] [--users=100000] [--no_write]" >&2; exit 2 ;;
  esac
done

tools/install-deps.sh
if ! command -v h2load >/dev/null; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get install -y -qq nghttp2-client >/dev/null
fi
bazel build -c opt //services/plauditd //tools/loadgen //tools/bench:award_ceiling
bin="$(bazel info -c opt bazel-bin 2>/dev/null)"

source tools/bench/servers.sh
start_redis --appendonly yes --appendfsync everysec
metrics_port=$((20000 + RANDOM % 20000))
start_plauditd --rules_file=deploy/examples/rules.json \
  --metrics_listen="127.0.0.1:$metrics_port"

loadgen() { "$bin/tools/loadgen/loadgen" --server="$server" --users="$users" "$@"; }
counter() {
  curl -s "http://127.0.0.1:$metrics_port/metrics" |
    awk -v name="$1" '$1 == name { print $2 }'
}


echo "loading $users users..."
loadgen --import_users --mode=unary --rate=100 --duration=1s >/dev/null

# The ceiling is measured first and last (Redis slows as its data and AOF
# grow); the table uses the mean of the two.
ceiling() {
  "$bin/tools/bench/award_ceiling" --redis_socket="$work/redis.sock" --tenant=bench \
    --users="$users" --events=20000 --pipeline=100 --connections=2 | tee "$1"
}
settle
echo "ceiling: the award script via EVALSHA, one event per call, pipelined..."
ceiling "$work/ceiling1"
settle
echo "RecordEvents, batches of 100, 8 in flight..."
loadgen --mode=batch --batch=100 --concurrency=8 --duration="$duration" | tee "$work/batch"
settle
echo "StreamEvents, chunks of 100, 4 streams..."
loadgen --mode=stream --batch=100 --concurrency=4 --duration="$duration" | tee "$work/stream"
settle
echo "RecordEvent, 64 in flight..."
loadgen --mode=unary --concurrency=64 --duration="$duration" | tee "$work/unary"
quarter=$(awk -v r="$(field "$work/unary" events_per_s)" 'BEGIN { printf "%d", r / 4 }')
settle
echo "RecordEvent at $quarter/s (25% of its maximum)..."
loadgen --mode=unary --concurrency=256 --rate="$quarter" --duration="$duration" | tee "$work/paced"

settle
echo "h2load: one pre-encoded batch of 100, posted 2000 times (replays: duplicates)..."
loadgen --write_frame="$work/batch.grpc" --batch=100
before=$(counter plaudit_events_duplicate_total)
h2load -n 2000 -c 1 -m 8 -H 'content-type: application/grpc' -H 'te: trailers' \
  -d "$work/batch.grpc" "http://$server/plaudit.v1.EventService/RecordEvents" \
  | tee "$work/h2load"
after=$(counter plaudit_events_duplicate_total)
h2load_rps=$(sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p' "$work/h2load")
h2load_events=$(awk -v r="$h2load_rps" 'BEGIN { printf "%.0f", r * 100 }')
counted=$(awk -v a="$after" -v b="$before" 'BEGIN { printf "%.0f", a - b }')
settle
echo "loadgen on the same replayed batch, for comparison..."
"$bin/tools/loadgen/loadgen" --server="$server" --replay_frame="$work/batch.grpc" \
  --mode=batch --concurrency=8 --duration="$duration" | tee "$work/replay"

settle
echo "ceiling again..."
ceiling "$work/ceiling2"

rss_kb=$(awk '/^VmHWM/ { print $2 }' "/proc/$plauditd/status")
ceiling=$(awk -v a="$(field "$work/ceiling1" events_per_s)" \
  -v b="$(field "$work/ceiling2" events_per_s)" 'BEGIN { printf "%.0f", (a + b) / 2 }')

row() {  # name file
  local rate p50 p99
  rate=$(field "$2" events_per_s); p50=$(field "$2" p50_ms); p99=$(field "$2" p99_ms)
  awk -v n="$1" -v r="$rate" -v c="$ceiling" -v p50="$p50" -v p99="$p99" \
    'BEGIN { printf "| %s | %.0f | %.2f | %s | %s |\n", n, r, r / c, p50, p99 }'
}
table="$work/table.md"
{
  echo "| Path | events/s | × ceiling | p50 ms | p99 ms |"
  echo "|---|---|---|---|---|"
  awk -v c="$ceiling" -v a="$(field "$work/ceiling1" events_per_s)" \
    -v b="$(field "$work/ceiling2" events_per_s)" \
    'BEGIN { printf "| ceiling: award script alone, 1 event per EVALSHA, pipelined ×100, 2 connections (first %d, last %d) | %.0f | 1.00 | | |\n", a, b, c }'
  row "RecordEvents, batches of 100, 8 in flight" "$work/batch"
  row "StreamEvents, chunks of 100, 4 streams" "$work/stream"
  row "RecordEvent, unary, 64 in flight" "$work/unary"
  row "RecordEvent, unary, paced at $quarter/s (25%)" "$work/paced"
  row "replayed batch (all duplicates), loadgen" "$work/replay"
  awk -v r="$h2load_events" -v c="$ceiling" 'BEGIN { printf "| replayed batch (all duplicates), h2load | %.0f | %.2f | | |\n", r, r / c }'
  echo
  echo "plauditd peak RSS: $((rss_kb / 1024)) MB. h2load: $h2load_rps batches/s; the server counted $counted duplicate events for its 2000 × 100 sent."
} >"$table"
echo
cat "$table"

if [ "$write" = 1 ]; then
  {
    sed -n '1,/^<!-- figures -->$/p' docs/PERFORMANCE.md
    echo
    echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), redis $(redis-server --version | cut -d' ' -f3), $users users, ${duration} per run, with \`tools/bench/events.sh --duration=$duration\`:"
    echo
    cat "$table"
  } >"$work/PERFORMANCE.md"
  cp "$work/PERFORMANCE.md" docs/PERFORMANCE.md
  echo "wrote docs/PERFORMANCE.md"
fi
