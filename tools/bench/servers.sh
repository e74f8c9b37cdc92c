# Sourced by the benchmark scripts: a scratch directory removed on exit, and
# the redis-server and plauditd they run in it. Needs $bin (bazel-bin, opt).

work="$(mktemp -d /tmp/plaudit-bench.XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# start_redis [redis-server flags]: on $work/redis.sock, no snapshots.
start_redis() {
  redis-server --port 0 --unixsocket "$work/redis.sock" --dir "$work" \
    --save "" --daemonize no --logfile "$work/redis.log" "$@" &
  pids+=($!)
  until redis-cli -s "$work/redis.sock" ping >/dev/null 2>&1; do sleep 0.05; done
}

# start_plauditd [plauditd flags]: open mode, tenant "bench", on that Redis
# ($PLAUDITD, when set, is the binary). Sets $plauditd (its pid) and $server
# (host:port).
start_plauditd() {
  "${PLAUDITD:-$bin/services/plauditd/plauditd}" --listen=127.0.0.1:0 --tenant=bench \
    --insecure_open_mode --redis="unix://$work/redis.sock" \
    --http_listen= --undefok=http_listen \
    --port_file="$work/port" "$@" >"$work/plauditd.log" 2>&1 &
  plauditd=$!
  pids+=($plauditd)
  until [ -s "$work/port" ]; do sleep 0.05; done
  server="127.0.0.1:$(cat "$work/port")"
}
