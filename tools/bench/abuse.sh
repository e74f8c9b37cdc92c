#!/usr/bin/env bash
# One command: what a careless or hostile client costs plauditd. Starts its
# own redis-server and plauditd (optimised build) with `ulimit -n 1024`, runs
# each attack of tools/abuse against it, and prints what happened: peak RSS,
# what was refused or held back, whether a new client is served after.
#   tools/bench/abuse.sh [--plauditd=/path/to/plauditd] [--streams=1000]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

plauditd_binary=""
streams=1000
for arg in "$@"; do
  case "$arg" in
    --plauditd=*) plauditd_binary="${arg#*=}" ;;
    --streams=*) streams="${arg#*=}" ;;
    *) echo "abuse.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done

tools/install-deps.sh
bazel build -c opt //services/plauditd //tools/abuse //tools/plauditctl
bin="$(bazel info -c opt bazel-bin 2>/dev/null)"
abuse="$bin/tools/abuse/abuse"
source tools/bench/servers.sh
if [ -n "$plauditd_binary" ]; then PLAUDITD="$plauditd_binary"; fi
ulimit -n 4096  # this script's own sockets

# run ATTACK [abuse flags]: against a fresh plauditd (one peak RSS per
# attack), keyed mode for the auth attack, open mode otherwise.
run() {
  local attack="$1"; shift
  local mode=(--insecure_open_mode --tenant=bench)
  if [ "$attack" = auth ]; then
    rm -f "$work/keys.json"
    key="$("$bin/tools/plauditctl/plauditctl" keys new -f "$work/keys.json" --tenant=bench \
      --role=integration --name=bench)"
    mode=(--keys_file="$work/keys.json")
    set -- "$@" --api_key="$key"
  fi
  start_redis --appendonly no
  (ulimit -n 1024; exec "${PLAUDITD:-$bin/services/plauditd/plauditd}" \
     --listen=127.0.0.1:0 --redis="unix://$work/redis.sock" --metrics_listen= \
     --http_listen= --undefok=http_listen \
     --port_file="$work/port" "${mode[@]}" >"$work/plauditd.log" 2>&1) &
  local pid=$!
  until [ -s "$work/port" ]; do sleep 0.05; done
  echo "== $attack"
  "$abuse" --server="127.0.0.1:$(cat "$work/port")" --pid="$pid" --attack="$attack" \
    --tenant=bench "$@" || true
  echo "log lines: $(wc -l <"$work/plauditd.log"), of them about accept4: $(grep -c accept4 "$work/plauditd.log" || true)"
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  redis-cli -s "$work/redis.sock" shutdown nosave >/dev/null 2>&1 || true
  rm -f "$work/port"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "plauditd: ${PLAUDITD:-built from this tree}, ulimit -n 1024"
run streams --streams="$streams" --channels=10 --chunk_bytes=40000 --chunks=20 --hold=15s
run connections --connections=2000 --hold=5s
run idle --connections=500 --hold=5s
run auth --calls=10000
