#!/usr/bin/env bash
# One command: the award path before and after performance round 2, A/B
# then B/A, on one Redis in one run (Redis slows as it fills, so
# back-to-back runs mislead). Measures, with --users (default 100,000) loaded:
#   - the ceiling: award_ceiling --scripts=legacy,current (the old script is
#     kept in tools/bench/legacy), one event per script and batches of 100;
#   - RecordEvent unary at 32 in flight and RecordEvents batches of 100,
#     against the baseline plauditd ($BASELINE, a binary built from the
#     commit before the round) and this one, in turn, on the same Redis.
# Prints one table of means and ratios; --commandstats adds the Redis
# commands per event of each script.
#   BASELINE=/path/to/old/plauditd tools/bench/award_ab.sh [--users=100000]
#     [--rounds=2] [--duration=5s] [--commandstats]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

users=100000 rounds=2 duration=5s commandstats=""
for arg in "$@"; do
  case "$arg" in
    --users=*) users="${arg#*=}" ;;
    --rounds=*) rounds="${arg#*=}" ;;
    --duration=*) duration="${arg#*=}" ;;
    --commandstats) commandstats="--commandstats" ;;
    *) echo "usage: $0 [--users=N] [--rounds=N] [--duration=5s] [--commandstats]" >&2; exit 2 ;;
  esac
done

tools/install-deps.sh
bazel build -c opt //services/plauditd //tools/loadgen //tools/bench:award_ceiling
bin="$(bazel info -c opt bazel-bin 2>/dev/null)"
current="$bin/services/plauditd/plauditd"

source tools/bench/servers.sh
start_redis --appendonly yes --appendfsync everysec
# serve BINARY: plauditd from BINARY on the shared Redis.
serve() {
  [ -n "${plauditd:-}" ] && kill "$plauditd" && wait "$plauditd" 2>/dev/null || true
  rm -f "$work/port"
  PLAUDITD="$1" start_plauditd --rules_file=deploy/examples/rules.json --metrics_listen=
}
loadgen() { "$bin/tools/loadgen/loadgen" --server="$server" --users="$users" "$@"; }

echo "loading $users users..."
serve "$current"
loadgen --import_users --mode=unary --rate=100 --duration=1s >/dev/null

ceiling() {  # per_script pipeline label [flags]
  settle
  "$bin/tools/bench/award_ceiling" --redis_socket="$work/redis.sock" --tenant=bench \
    --users="$users" --events=20000 --events_per_script="$1" --pipeline="$2" \
    --scripts=legacy,current --rounds="$rounds" $commandstats "${@:4}" | tee "$work/$3"
}
# Every user on today's boards first: the boards do not grow much during the
# run, so the later runs are not slowed by more than the earlier ones.
echo "ceiling, one event per script..."
ceiling 1 100 ceiling1 --fill_boards
echo "ceiling, 100 events per script..."
ceiling 100 4 ceiling100

declare -A sum
seed=1
for round in $(seq "$rounds"); do
  order="baseline current"
  [ $((round % 2)) = 0 ] && order="current baseline"  # A B, then B A
  for side in $order; do
    if [ "$side" = baseline ]; then
      [ -n "${BASELINE:-}" ] || continue
      serve "$BASELINE"
    else
      serve "$current"
    fi
    for mode in unary batch; do
      settle
      seed=$((seed + 1))
      echo "round $round, $side plauditd, $mode..."
      if [ "$mode" = unary ]; then
        loadgen --mode=unary --concurrency=32 --seed="$seed" --duration="$duration" >"$work/run"
      else
        loadgen --mode=batch --batch=100 --concurrency=8 --seed="$seed" --duration="$duration" >"$work/run"
      fi
      rate=$(field "$work/run" events_per_s)
      echo "  $rate events/s"
      sum[$side.$mode]=$(awk -v a="${sum[$side.$mode]:-0}" -v b="$rate" 'BEGIN { print a + b }')
    done
  done
done

mean() { awk -v s="${sum[$1]:-0}" -v n="$rounds" 'BEGIN { printf "%.0f", s / n }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
row() {  # label legacy current
  echo "| $1 | $2 | $3 | $(ratio "$3" "$2") |"
}
echo
echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, redis $(redis-server --version | cut -d' ' -f3), $users users, $rounds rounds interleaved, with \`tools/bench/award_ab.sh\`:"
echo
echo "| events/s (mean of $rounds rounds) | before | after | after / before |"
echo "|---|---:|---:|---:|"
row "ceiling: award script alone, 1 event per EVALSHA" \
  "$(field "$work/ceiling1" legacy)" "$(field "$work/ceiling1" current)"
row "ceiling: award script alone, 100 events per EVALSHA" \
  "$(field "$work/ceiling100" legacy)" "$(field "$work/ceiling100" current)"
if [ -n "${BASELINE:-}" ]; then
  row "RecordEvent, unary, 32 in flight" "$(mean baseline.unary)" "$(mean current.unary)"
  row "RecordEvents, batches of 100, 8 in flight" "$(mean baseline.batch)" "$(mean current.batch)"
else
  echo "| RecordEvent, RecordEvents | (set BASELINE to compare) | $(mean current.unary), $(mean current.batch) | |"
fi
