#!/usr/bin/env bash
# One command: the leaderboard benchmark with its own redis-server and
# plauditd (optimised build) on this machine.
#   tools/bench/leaderboard.sh [--users=1000000] [--concurrency=32] [--duration=10s]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

tools/install-deps.sh
bazel build -c opt //services/plauditd //tools/bench:leaderboard_bench
bin="$(bazel info -c opt bazel-bin 2>/dev/null)"

source tools/bench/servers.sh
start_redis --appendonly no
start_plauditd --metrics_listen=

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "redis: $(redis-server --version | cut -d' ' -f3)"
"$bin/tools/bench/leaderboard_bench" --server="$server" \
  --redis_socket="$work/redis.sock" --tenant=bench "$@"
