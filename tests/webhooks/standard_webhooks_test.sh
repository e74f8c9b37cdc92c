#!/usr/bin/env bash
# Webhook signatures as a receiver checks them with the Standard Webhooks
# reference library: serve.sh runs the built plauditd (with the example
# rules), receiver.mjs (npm standardwebhooks) verifies every delivery, also
# while the secret is rotated (both secrets sign then). Needs Node and
# tests/webhooks/node_modules (npm ci --prefix tests/webhooks), found
# through the real path of package.json: node_modules is not a Bazel input.
set -euo pipefail

runfiles="$TEST_SRCDIR/$TEST_WORKSPACE"
plauditd="$runfiles/services/plauditd/plauditd"
ctl_bin="$runfiles/tools/plauditctl/plauditctl"
data="$TEST_TMPDIR/data"

fail() { echo "FAIL: $*" >&2; exit 1; }

source_dir="$(dirname "$(readlink -f "$runfiles/tests/webhooks/package.json")")"
command -v node >/dev/null || fail "node is not installed (Node >= 20.19)"
[ -d "$source_dir/node_modules/standardwebhooks" ] ||
  fail "$source_dir/node_modules is missing: run  npm ci --prefix tests/webhooks"

"$runfiles/tools/serve.sh" --plauditd="$plauditd" --plauditctl="$ctl_bin" \
  --listen=127.0.0.1:0 --http-listen=127.0.0.1:0 --data="$data" --example-rules \
  -- --metrics_listen=127.0.0.1:0 --webhook_allow_private \
  > "$TEST_TMPDIR/serve.log" 2>&1 &
serve_pid=$!
trap 'kill -TERM $serve_pid 2>/dev/null || true; kill $receiver_pid 2>/dev/null || true; wait 2>/dev/null || true' EXIT
receiver_pid=""

# Wait for the example catalog (the last step of --example-rules).
for _ in $(seq 1 400); do
  grep -q "rewards: 5 created" "$TEST_TMPDIR/serve.log" && break
  kill -0 $serve_pid 2>/dev/null || { cat "$TEST_TMPDIR/serve.log"; fail "serve.sh exited"; }
  sleep 0.05
done
grep -q "rewards: 5 created" "$TEST_TMPDIR/serve.log" || { cat "$TEST_TMPDIR/serve.log"; fail "example data not loaded"; }
server="127.0.0.1:$(cat "$data/plauditd.port")"
export PLAUDIT_API_KEY="$(cat "$data/admin.key")"
ctl() { "$ctl_bin" --server="$server" "$@"; }

secrets="$TEST_TMPDIR/secrets"
: > "$secrets"
NODE_PATH="$source_dir/node_modules" node "$runfiles/tests/webhooks/receiver.mjs" \
  "$TEST_TMPDIR/receiver.port" "$secrets" 4 > "$TEST_TMPDIR/receiver.log" 2>&1 &
receiver_pid=$!
for _ in $(seq 1 200); do [ -s "$TEST_TMPDIR/receiver.port" ] && break; sleep 0.05; done

out="$(ctl webhooks add verifier "http://127.0.0.1:$(cat "$TEST_TMPDIR/receiver.port")/hook")"
echo "$out" | sed -n 's/^signing secret (shown once): //p' > "$secrets"
grep -q '^whsec_' "$secrets" || fail "no secret in: $out"
for i in 1 2 3; do
  ctl events send --id="sw-$i" --action=post.created --actor_id=ann --object="post-sw-$i" >/dev/null
done
for _ in $(seq 1 400); do
  [ "$(grep -c '^verified' "$TEST_TMPDIR/receiver.log" || true)" -ge 3 ] && break
  kill -0 $receiver_pid 2>/dev/null || break
  sleep 0.05
done
[ "$(grep -c '^verified' "$TEST_TMPDIR/receiver.log" || true)" -ge 3 ] ||
  { cat "$TEST_TMPDIR/receiver.log"; fail "deliveries not verified"; }

# A rotation: the new secret and the old one both sign for a day.
old="$(cat "$secrets")"
new="$(ctl webhooks rotate verifier | sed -n 's/^.*(shown once): //p')"
[ -n "$new" ] || fail "rotate printed no secret"
printf '%s\n%s\n' "$old" "$new" > "$secrets"
sleep 2  # replicas read the endpoint's secrets again every second
ctl events send --id=sw-4 --action=post.created --actor_id=ann --object=post-sw-4 >/dev/null
wait $receiver_pid || { cat "$TEST_TMPDIR/receiver.log"; fail "receiver.mjs"; }
receiver_pid=""
grep -q 'with 2 secret(s)' "$TEST_TMPDIR/receiver.log" ||
  { cat "$TEST_TMPDIR/receiver.log"; fail "no delivery verified with both secrets"; }
echo "PASS"
