# Sourced by the benchmark scripts: a scratch directory removed on exit, the
# redis-server and plauditd they run in it, and the helpers they share
# (field, settle). Needs $bin (bazel-bin, opt).

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

# "key=value" from a tool's "result:" line.
field() { sed -n "s/^result:.* $2=\([0-9.]*\).*/\1/p;s/^result: $2=\([0-9.]*\).*/\1/p" "$1" | head -1; }

# Every phase starts from a freshly rewritten AOF. Otherwise Redis' automatic
# rewrite (at 100% growth) lands in whichever phase happens to cross it. On 2
# cores the rewriting child and its copy-on-write faults slow everything.
# A paced unary run meeting one showed p99 178 ms instead of about 5.
settle() {
  redis-cli -s "$work/redis.sock" bgrewriteaof >/dev/null 2>&1 || true
  sleep 0.2
  while redis-cli -s "$work/redis.sock" info persistence |
    grep -Eq "aof_rewrite_in_progress:1|aof_rewrite_scheduled:1"; do
    sleep 0.2
  done
}
