#!/usr/bin/env bash
# One command: the leaderboard benchmark with its own redis-server and
# plauditd (optimised build) on this machine.
#   tools/bench/leaderboard.sh [--users=1000000] [--concurrency=32] [--duration=10s]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

tools/install-deps.sh
bazel build -c opt //services/plauditd //tools/bench:leaderboard_bench
bin="$(bazel info -c opt bazel-bin 2>/dev/null)"

work="$(mktemp -d /tmp/plaudit-bench.XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

redis-server --port 0 --unixsocket "$work/redis.sock" --dir "$work" \
  --appendonly no --save "" --daemonize no --logfile "$work/redis.log" &
pids+=($!)
until redis-cli -s "$work/redis.sock" ping >/dev/null 2>&1; do sleep 0.05; done

"$bin/services/plauditd/plauditd" --listen=127.0.0.1:0 --tenant=bench --metrics_listen= \
  --insecure_open_mode \
  --redis="unix://$work/redis.sock" --port_file="$work/port" >"$work/plauditd.log" 2>&1 &
pids+=($!)
until [ -s "$work/port" ]; do sleep 0.05; done

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "redis: $(redis-server --version | cut -d' ' -f3)"
"$bin/tools/bench/leaderboard_bench" --server="127.0.0.1:$(cat "$work/port")" \
  --redis_socket="$work/redis.sock" --tenant=bench "$@"
