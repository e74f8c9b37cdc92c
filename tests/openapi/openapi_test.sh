#!/usr/bin/env bash
# The OpenAPI document end to end: serve.sh starts a redis-server and the
# built plauditd (HTTP on port 0), then check_openapi.mjs validates
# /v1/openapi.json with swagger-parser and drives the API as a client built
# only from that document. Needs Node and tests/openapi/node_modules
# (npm ci --prefix tests/openapi), found through the real path of
# package.json: node_modules is not a Bazel input.
set -euo pipefail

runfiles="$TEST_SRCDIR/$TEST_WORKSPACE"
plauditd="$runfiles/services/plauditd/plauditd"
ctl="$runfiles/tools/plauditctl/plauditctl"
data="$TEST_TMPDIR/data"

fail() { echo "FAIL: $*" >&2; exit 1; }

source_dir="$(dirname "$(readlink -f "$runfiles/tests/openapi/package.json")")"
command -v node >/dev/null || fail "node is not installed (Node >= 20.19)"
[ -d "$source_dir/node_modules/@apidevtools/swagger-parser" ] ||
  fail "$source_dir/node_modules is missing: run  npm ci --prefix tests/openapi"

"$runfiles/tools/serve.sh" --plauditd="$plauditd" --plauditctl="$ctl" \
  --listen=127.0.0.1:0 --http-listen=127.0.0.1:0 --data="$data" \
  -- --metrics_listen=127.0.0.1:0 \
  > "$TEST_TMPDIR/serve.log" 2>&1 &
serve_pid=$!
trap 'kill -TERM $serve_pid 2>/dev/null || true; wait $serve_pid 2>/dev/null || true' EXIT

# plauditd writes the HTTP port once it listens (serve.sh removed any old one).
for _ in $(seq 1 400); do
  [ -s "$data/plauditd.http_port" ] && break
  kill -0 $serve_pid 2>/dev/null || { cat "$TEST_TMPDIR/serve.log"; fail "serve.sh exited"; }
  sleep 0.05
done
[ -s "$data/plauditd.http_port" ] || { cat "$TEST_TMPDIR/serve.log"; fail "no HTTP port"; }

NODE_PATH="$source_dir/node_modules" node "$runfiles/tests/openapi/check_openapi.mjs" \
  "http://127.0.0.1:$(cat "$data/plauditd.http_port")" "$(cat "$data/admin.key")" ||
  { echo "--- serve.log"; tail -50 "$TEST_TMPDIR/serve.log"; fail "check_openapi.mjs"; }
echo "PASS"
