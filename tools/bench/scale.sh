#!/usr/bin/env bash
# One command: the cost per event and per read as the boards grow. For each
# of --sizes (users; default 10000,100000,1000000), on a fresh redis-server
# and plauditd:
#   - awards: every user put on today's 20 boards of their scopes first
#     (award_ceiling --fill_boards), then the award script alone (one event
#     per script, and 100), RecordEvent unary at 32 in flight and
#     RecordEvents batches of 100, with Redis' time per event;
#   - reads: leaderboard_bench on a global board of that many users
#     (the gRPC floor, GetLeaderboard top 50, GetRank k=5, the rank script).
# Prints one table.
#   tools/bench/scale.sh [--sizes=10000,100000,1000000] [--duration=5s]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

sizes=10000,100000,1000000 duration=5s
for arg in "$@"; do
  case "$arg" in
    --sizes=*) sizes="${arg#*=}" ;;
    --duration=*) duration="${arg#*=}" ;;
    *) echo "usage: $0 [--sizes=N,N,...] [--duration=5s]" >&2; exit 2 ;;
  esac
done

tools/install-deps.sh
bazel build -c opt //services/plauditd //tools/loadgen //tools/bench:award_ceiling \
  //tools/bench:leaderboard_bench
bin="$(bazel info -c opt bazel-bin 2>/dev/null)"
source tools/bench/servers.sh

# The req/s column of leaderboard_bench's row starting with $2.
read_row() { awk -F'|' -v name="$2" 'index($2, name) == 2 { gsub(/ /, "", $3); print $3; exit }' "$1"; }
stop_servers() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
  find "${work:?}" -mindepth 1 -maxdepth 1 ! -name results -exec rm -rf {} +
}
mkdir -p "$work/results"

rows=()
for users in ${sizes//,/ }; do
  echo "== $users users: awards"
  start_redis --appendonly yes --appendfsync everysec
  start_plauditd --rules_file=deploy/examples/rules.json --metrics_listen=
  loadgen() { "$bin/tools/loadgen/loadgen" --server="$server" --users="$users" "$@"; }
  loadgen --import_users --mode=unary --rate=100 --duration=1s >/dev/null
  ceiling() {  # per_script pipeline [flags]
    "$bin/tools/bench/award_ceiling" --redis_socket="$work/redis.sock" --tenant=bench \
      --users="$users" --events=20000 --events_per_script="$1" --pipeline="$2" "${@:3}"
  }
  redis-cli -s "$work/redis.sock" bgrewriteaof >/dev/null
  ceiling 1 100 --fill_boards --commandstats | tee "$work/results/one"
  us_per_event=$(awk '$1 == "evalsha" { print $4 }' "$work/results/one")
  ceiling 100 4 | tee "$work/results/hundred"
  loadgen --mode=unary --concurrency=32 --duration="$duration" | tee "$work/results/unary"
  loadgen --mode=batch --batch=100 --concurrency=8 --duration="$duration" | tee "$work/results/batch"
  stop_servers

  echo "== $users users: reads"
  start_redis --appendonly no
  start_plauditd --metrics_listen=
  "$bin/tools/bench/leaderboard_bench" --server="$server" --redis_socket="$work/redis.sock" \
    --tenant=bench --users="$users" --rounds=1 --duration="$duration" | tee "$work/results/reads"
  stop_servers

  rows+=("| $users | $(field "$work/results/one" events_per_s) | $us_per_event | $(field "$work/results/hundred" events_per_s) | $(field "$work/results/unary" events_per_s) | $(field "$work/results/batch" events_per_s) | $(read_row "$work/results/reads" "gRPC floor") | $(read_row "$work/results/reads" "GetLeaderboard top 50 (gRPC)") | $(read_row "$work/results/reads" "GetRank k=5") | $(read_row "$work/results/reads" "rank script alone") |")
done

echo
echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, redis $(redis-server --version | cut -d' ' -f3), ${duration} per run, with \`tools/bench/scale.sh\`:"
echo
echo "| users | ceiling, 1 event/script (events/s) | Redis µs per event | ceiling, 100 events/script | RecordEvent unary ×32 | RecordEvents ×100 | gRPC floor (req/s) | GetLeaderboard top 50 | GetRank k=5 | rank script alone |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
