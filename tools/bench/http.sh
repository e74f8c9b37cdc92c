#!/usr/bin/env bash
# One command: the same calls through both transports, measured by one
# independent client (h2load) against one plauditd (optimised build) and its
# own redis-server:
#   - each transport's empty call: gRPC Health/Check, HTTP GET /healthz;
#   - GetLeaderboard, top 50 of the week's global board of --users users;
#   - RecordEvent of one pre-encoded event (after the first send, a
#     duplicate: the same cheap path for both transports).
# gRPC: one HTTP/2 connection, 32 streams; HTTP/1.1 JSON: 32 keep-alive
# connections (HTTP/1.1 cannot multiplex). Prints one table: rates, their
# ratio to the transport's own empty call, HTTP/gRPC, p50/p99 latency.
#   tools/bench/http.sh [--duration=10s] [--users=10000]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

duration=10s
users=10000
for arg in "$@"; do
  case "$arg" in
    --duration=*) duration="${arg#*=}" ;;
    --users=*) users="${arg#*=}" ;;
    *) echo "usage: $0 [--duration=10s] [--users=10000]" >&2; exit 2 ;;
  esac
done

tools/install-deps.sh
if ! command -v h2load >/dev/null; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get install -y -qq nghttp2-client >/dev/null
fi
bazel build -c opt //services/plauditd //tools/loadgen
bin="$(bazel info -c opt bazel-bin 2>/dev/null)"

source tools/bench/servers.sh
start_redis --appendonly no
start_plauditd --rules_file=deploy/examples/rules.json --metrics_listen= \
  --http_listen=127.0.0.1:0 --http_port_file="$work/http_port"
until [ -s "$work/http_port" ]; do sleep 0.05; done
http="http://127.0.0.1:$(cat "$work/http_port")"

echo "loading $users users and their week's scores..."
"$bin/tools/loadgen/loadgen" --server="$server" --users="$users" --import_users \
  --mode=batch --batch=100 --concurrency=4 --duration=3s >/dev/null

# A gRPC frame (flag byte, big-endian length, message) of a text-format
# message, encoded by protoc.
frame() {
  local type="$1" text="$2" out="$3"
  printf '%s' "$text" | protoc -I protos -I /usr/include \
    -I /usr/share/gocode/src/github.com/gogo/googleapis \
    --encode="$type" protos/plaudit/v1/*.proto > "$out.body"
  local n; n=$(stat -c %s "$out.body")
  printf "\\x00\\x$(printf %02x $((n >> 24 & 255)))\\x$(printf %02x $((n >> 16 & 255)))\\x$(printf %02x $((n >> 8 & 255)))\\x$(printf %02x $((n & 255)))" > "$out"
  cat "$out.body" >> "$out"
}
printf '\x00\x00\x00\x00\x00' > "$work/health.grpc"
frame plaudit.v1.GetLeaderboardRequest 'scope: "global" period: WEEK page_size: 50' "$work/top.grpc"
frame plaudit.v1.RecordEventRequest \
  'event { event_id: "bench-1" action: "post.created" actor_id: "u1" }' "$work/event.grpc"
printf '%s' '{"event":{"eventId":"bench-1","action":"post.created","actorId":"u1"}}' > "$work/event.json"

# run NAME h2load-args...: rate (req/s), p50 and p99 (ms) from the log.
run() {
  local name="$1"; shift
  h2load -D "$duration" --warm-up-time=1s --log-file="$work/$name.log" "$@" \
    > "$work/$name.out" 2>&1 || { cat "$work/$name.out"; exit 1; }
  local rate ok
  rate=$(sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p' "$work/$name.out")
  ok=$(sed -n 's/^status codes: \([0-9]*\) 2xx.*/\1/p' "$work/$name.out")
  # The log: start time, status, latency in microseconds.
  read -r p50 p99 < <(awk '{ print $3 }' "$work/$name.log" | sort -n |
    awk '{ v[NR] = $1 } END { printf "%.2f %.2f\n", v[int(NR * 0.5)] / 1000, v[int(NR * 0.99)] / 1000 }')
  echo "$name $rate $p50 $p99 $ok"
}
grpc=(-c 1 -m 32 -H 'content-type: application/grpc' -H 'te: trailers')
h1=(--h1 -c 32 -m 1)
{
  run grpc_empty "${grpc[@]}" -d "$work/health.grpc" "http://$server/grpc.health.v1.Health/Check"
  run grpc_top "${grpc[@]}" -d "$work/top.grpc" "http://$server/plaudit.v1.LeaderboardService/GetLeaderboard"
  run grpc_event "${grpc[@]}" -d "$work/event.grpc" "http://$server/plaudit.v1.EventService/RecordEvent"
  run http_empty "${h1[@]}" "$http/healthz"
  run http_top "${h1[@]}" "$http/v1/leaderboards/global/week?page_size=50"
  run http_event "${h1[@]}" -H 'content-type: application/json' -d "$work/event.json" "$http/v1/events"
} | tee "$work/results"

echo
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); h2load, $duration per run"
awk '
  { rate[$1] = $2; p50[$1] = $3; p99[$1] = $4; ok[$1] = $5 }
  END {
    print "| call | transport | req/s | × own empty call | HTTP ÷ gRPC | p50 ms | p99 ms |"
    print "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
    split("empty top event", calls, " ")
    names["empty"] = "empty call (Health/Check, /healthz)"
    names["top"] = "GetLeaderboard top 50"
    names["event"] = "RecordEvent (duplicate)"
    for (i = 1; i <= 3; i++) {
      c = calls[i]
      printf "| %s | gRPC | %.0f | %.2f | | %.2f | %.2f |\n", names[c], rate["grpc_" c], rate["grpc_" c] / rate["grpc_empty"], p50["grpc_" c], p99["grpc_" c]
      printf "| %s | HTTP/1.1 JSON | %.0f | %.2f | %.2f | %.2f | %.2f |\n", names[c], rate["http_" c], rate["http_" c] / rate["http_empty"], rate["http_" c] / rate["grpc_" c], p50["http_" c], p99["http_" c]
    }
  }' "$work/results"
