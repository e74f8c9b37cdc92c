#!/usr/bin/env bash
# One command: what notifications cost and how fast webhooks go, on one
# Redis (AOF on) with --users loaded:
#   1. the award ceiling with and without the award's notification (the
#      outbox and inbox writes): award_ceiling --scripts=silent,current,
#      interleaved over --rounds, one event per script and 100 per script;
#   2. webhook delivery throughput to a local receiver (webhook_sink): a
#      backlog of notifications delivered by one replica to one endpoint
#      (one delivery at a time, in order), against h2load posting a signed
#      notification body of the same size to the same kind of receiver, one
#      request at a time (-c1) and 8 at a time (-c8);
#   3. delivery lag while events arrive at --pace (0.9) of what plauditd
#      records at most (RecordEvents batches of 100, 8 in flight, paced), measured by
#      the receiver from each notification's id (the time of its change).
#   tools/bench/notifications.sh [--users=100000] [--rounds=4]
#     [--duration=10s] [--skip_ceiling] [--pace=0.9]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

users=100000 rounds=4 duration=10s skip_ceiling="" pace=0.9
for arg in "$@"; do
  case "$arg" in
    --users=*) users="${arg#*=}" ;;
    --rounds=*) rounds="${arg#*=}" ;;
    --duration=*) duration="${arg#*=}" ;;
    --skip_ceiling) skip_ceiling=1 ;;
    --pace=*) pace="${arg#*=}" ;;
    *) echo "usage: $0 [--users=N] [--rounds=N] [--duration=10s] [--skip_ceiling] [--pace=0.9]" >&2; exit 2 ;;
  esac
done

tools/install-deps.sh
if ! command -v h2load >/dev/null; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get install -y -qq nghttp2-client >/dev/null
fi
bazel build -c opt //services/plauditd //tools/loadgen //tools/plauditctl \
  //tools/bench:award_ceiling //tools/bench:webhook_sink
bin="$(bazel info -c opt bazel-bin 2>/dev/null)"

source tools/bench/servers.sh
start_redis --appendonly yes --appendfsync everysec
loadgen() { "$bin/tools/loadgen/loadgen" --server="$server" --users="$users" "$@"; }
ctl() { "$bin/tools/plauditctl/plauditctl" --server="$server" "$@"; }
# sink NAME [flags]: a receiver in the background; its port in $sink_port.
sink() {
  local name="$1"; shift
  rm -f "$work/$name.port"
  "$bin/tools/bench/webhook_sink" --port_file="$work/$name.port" "$@" \
    >"$work/$name.out" 2>&1 &
  sink_pid=$!
  pids+=($sink_pid)
  until [ -s "$work/$name.port" ]; do sleep 0.05; done
  sink_port="$(cat "$work/$name.port")"
}

# A replica that records but does not deliver.
start_plauditd --rules_file=deploy/examples/rules.json --metrics_listen= \
  --webhook_allow_private --deliver_webhooks=false
recorder="$server"
echo "loading $users users..."
loadgen --import_users --mode=unary --rate=100 --duration=1s >/dev/null

echo "1. the award ceiling, silent (no notification) and current, interleaved"
ceiling() {  # per_script pipeline label [flags]
  settle
  "$bin/tools/bench/award_ceiling" --redis_socket="$work/redis.sock" --tenant=bench \
    --users="$users" --events=20000 --events_per_script="$1" --pipeline="$2" \
    --scripts=silent,current --rounds="$rounds" "${@:4}" | tee "$work/$3"
}
if [ -z "$skip_ceiling" ]; then
  ceiling 1 100 ceiling1 --fill_boards
  ceiling 100 4 ceiling100
else
  : > "$work/ceiling1"; : > "$work/ceiling100"
fi

echo "2. webhook throughput: a backlog to one endpoint, against h2load"
sink backlog --idle=3s
ctl webhooks add sink "http://127.0.0.1:$sink_port/hook" >/dev/null
settle
outbox_length() { redis-cli -s "$work/redis.sock" xlen 'plaudit:{bench}:outbox'; }
before="$(outbox_length)"
loadgen --mode=batch --batch=100 --concurrency=8 --duration=3s \
  > "$work/backlog_load.out"
backlog=$(( $(outbox_length) - before ))
echo "backlog: $backlog notifications; a delivering replica starts"
recorder_pid=$plauditd
rm -f "$work/port"
start_plauditd --metrics_listen= --webhook_allow_private
wait "$sink_pid" || true
cat "$work/backlog.out"
delivered_rate="$(field "$work/backlog.out" rate)"
body="$(redis-cli -s "$work/redis.sock" xrevrange 'plaudit:{bench}:outbox' + - count 1 |
  sed -n '/^p$/{n;p;q}')"
printf '{"id":"1796000000000-0","kind":"award.paid","tenant":"bench","userIds":["u1"],"time":"2026-11-30T00:00:00Z","awardPaid":%s}' \
  "$body" > "$work/body.json"
h2() {  # name clients
  sink "h2-$1" --idle=2s
  h2load --h1 -c "$2" -n 20000 -d "$work/body.json" \
    -H 'content-type: application/json' -H 'webhook-id: 1796000000000-0' \
    -H 'webhook-timestamp: 1796000000' \
    -H 'webhook-signature: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' \
    "http://127.0.0.1:$sink_port/hook" > "$work/h2-$1.h2load"
  wait "$sink_pid" || true
  grep -E "^finished in|requests:" "$work/h2-$1.h2load"
  cat "$work/h2-$1.out"
}
h2 c1 1
h2 c8 8

echo "3. delivery lag while events arrive at $pace of the recording ceiling"
# The ceiling first (as fast as it records, an endpoint taking every
# notification meanwhile, as in the paced run), then paced just below it:
# at the ceiling itself calls queue without end, and the wait of the award
# call would be counted as the delivery's.
ctl webhooks rm sink >/dev/null
sink ceiling --idle=3s
ctl webhooks add ceiling "http://127.0.0.1:$sink_port/hook" >/dev/null
sleep 2  # the delivering replica reads the new endpoint
settle
loadgen --mode=batch --batch=100 --concurrency=8 --duration=5s \
  > "$work/ceiling_load.out"
ceiling_rate="$(field "$work/ceiling_load.out" events_per_s)"
wait "$sink_pid" || true
ctl webhooks rm ceiling >/dev/null
paced=$(awk -v r="$ceiling_rate" -v p="$pace" 'BEGIN { printf "%.1f", r * p / 100 }')
sink lag --idle=3s
ctl webhooks add lag "http://127.0.0.1:$sink_port/hook" >/dev/null
sleep 2  # the delivering replica reads the new endpoint
settle
loadgen --mode=batch --batch=100 --concurrency=8 --rate="$paced" \
  --duration="$duration" > "$work/lag_load.out"
wait "$sink_pid" || true
cat "$work/lag_load.out" "$work/lag.out"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
echo
echo "| measurement | value | ratio | target |"
echo "|---|---:|---:|---:|"
echo "| award script, 1 event per call: silent / current events/s | $(field "$work/ceiling1" silent) / $(field "$work/ceiling1" current) | $(field "$work/ceiling1" current_over_silent) | >= 0.9 |"
echo "| award script, 100 events per call: silent / current events/s | $(field "$work/ceiling100" silent) / $(field "$work/ceiling100" current) | $(field "$work/ceiling100" current_over_silent) | |"
echo "| webhook deliveries/s, one endpoint (backlog $backlog) | $delivered_rate | | |"
echo "| h2load -c1, same receiver, requests/s | $(field "$work/h2-c1.out" rate) | $(ratio "$delivered_rate" "$(field "$work/h2-c1.out" rate)") | >= 0.5 |"
echo "| h2load -c8, same receiver, requests/s | $(field "$work/h2-c8.out" rate) | $(ratio "$delivered_rate" "$(field "$work/h2-c8.out" rate)") | |"
echo "| recording ceiling (RecordEvents, 100 x 8, an endpoint delivering), events/s | $ceiling_rate | | |"
echo "| delivery lag p50 / p99 ms, events at $pace of it ($(field "$work/lag_load.out" events_per_s)/s) | $(field "$work/lag.out" lag_p50_ms) / $(field "$work/lag.out" lag_p99_ms) | | p99 <= 1000 |"
echo "| their RecordEvents calls, p50 / p99 ms | $(field "$work/lag_load.out" p50_ms) / $(field "$work/lag_load.out" p99_ms) | | |"
echo "| notifications delivered in the lag run | $(field "$work/lag.out" requests) | | |"
