#!/usr/bin/env bash
# Runs built plauditd binaries: starts a local redis-server (AOF on, data in
# --data) unless --redis names one, optionally applies the example rules,
# users and reward catalog, and serves until Ctrl-C / SIGTERM. Used by run.sh and by the
# end-to-end test.
#
#   serve.sh --plauditd=BIN --plauditctl=BIN [--redis=ADDR] [--data=DIR]
#            [--listen=HOST:PORT] [--http-listen=HOST:PORT] [--tenant=T]
#            [--example-rules]
#            [-- plauditd flags...]
# API keys are on: the first start writes DATA/keys.json with an admin key
# of the tenant, whose secret is in DATA/admin.key (mode 600).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
plauditd="" plauditctl="" redis="" data="$root/data" listen="127.0.0.1:50051"
http_listen="127.0.0.1:8080"
tenant="default"
examples=0
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --plauditd=*) plauditd="${1#*=}" ;;
    --plauditctl=*) plauditctl="${1#*=}" ;;
    --redis=*) redis="${1#*=}" ;;
    --data=*) data="${1#*=}" ;;
    --listen=*) listen="${1#*=}" ;;
    --http-listen=*) http_listen="${1#*=}" ;;
    --tenant=*) tenant="${1#*=}" ;;
    --example-rules) examples=1 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "serve.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
[ -x "$plauditd" ] || { echo "serve.sh: --plauditd must name the built binary" >&2; exit 2; }

pids=()
socket_dir=""
cleanup() {
  # plauditd first (it finishes in-flight calls), then the local Redis.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[$i]}" 2>/dev/null || true
    wait "${pids[$i]}" 2>/dev/null || true
  done
  [ -n "$socket_dir" ] && rm -rf "$socket_dir"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

if [ -z "$redis" ]; then
  mkdir -p "$data"
  # A unix socket in a short path (Redis refuses sockets of >= 108 bytes).
  socket_dir="$(mktemp -d /tmp/plaudit-redis.XXXXXX)"
  socket="$socket_dir/redis.sock"
  redis-server --port 0 --unixsocket "$socket" --dir "$data" \
    --appendonly yes --appendfsync everysec --daemonize no \
    --logfile "$data/redis.log" &
  pids+=($!)
  for _ in $(seq 1 200); do
    redis-cli -s "$socket" ping >/dev/null 2>&1 && break
    sleep 0.05
  done
  redis-cli -s "$socket" ping >/dev/null || { echo "serve.sh: redis-server did not start; see $data/redis.log" >&2; exit 1; }
  redis="unix://$socket"
  echo "serve.sh: local Redis on $socket, data in $data (AOF)"
fi

mkdir -p "$data"
keys_file="$data/keys.json"
if [ ! -s "$keys_file" ]; then
  [ -x "$plauditctl" ] || { echo "serve.sh: creating the first key needs --plauditctl" >&2; exit 2; }
  (umask 077 && "$plauditctl" keys new -f "$keys_file" --tenant="$tenant" \
     --role=admin --name="local admin (serve.sh)" > "$data/admin.key")
  echo "serve.sh: created an admin API key for tenant $tenant in $data/admin.key"
fi
[ -s "$data/admin.key" ] && export PLAUDIT_API_KEY="$(cat "$data/admin.key")"
echo "serve.sh: to use plauditctl: export PLAUDIT_API_KEY=\$(cat $data/admin.key)"
port_file="$data/plauditd.port"
http_port_file="$data/plauditd.http_port"
rm -f "$port_file" "$http_port_file"
revision="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
"$plauditd" --listen="$listen" --redis="$redis" --port_file="$port_file" \
  --http_listen="$http_listen" --http_port_file="$http_port_file" \
  --keys_file="$keys_file" --build_revision="$revision" ${extra[@]+"${extra[@]}"} &
pids+=($!)
plauditd_pid=$!

if [ "$examples" = 1 ]; then
  [ -x "$plauditctl" ] || { echo "serve.sh: --example-rules needs --plauditctl" >&2; exit 2; }
  for _ in $(seq 1 400); do
    [ -s "$port_file" ] && break
    kill -0 "$plauditd_pid" 2>/dev/null || { echo "serve.sh: plauditd exited" >&2; exit 1; }
    sleep 0.05
  done
  server="127.0.0.1:$(cat "$port_file")"
  "$plauditctl" --server="$server" --actor=serve.sh rules apply -f "$root/deploy/examples/rules.json"
  "$plauditctl" --server="$server" users import -f "$root/deploy/examples/users.csv"
  "$plauditctl" --server="$server" rewards apply -f "$root/deploy/examples/catalog.json"
fi

wait "$plauditd_pid"
