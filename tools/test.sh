#!/usr/bin/env bash
# The one command that runs every test:  tools/test.sh
# Installs missing packages (as root), then `bazel test //...`; each test
# binary spawns its own redis-server. Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

tools/install-deps.sh || exit 1
# The npm packages of the OpenAPI check (a validator) and of the webhook
# signature check (the Standard Webhooks library), when a lock file changed.
for dir in tests/openapi tests/webhooks; do
  [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ] ||
    npm ci --prefix "$dir" --no-audit --no-fund >/dev/null || exit 1
done
log="$(mktemp)"
# In CI every test runs (the disk cache still saves the compiling).
flags=()
[ "${CI:-}" = "true" ] && flags+=(--cache_test_results=no)
bazel test //... ${flags[@]+"${flags[@]}"} "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
passed=$(grep -cE '^//[^ ]+ +(\(cached\) )?PASSED' "$log")
failed=$(grep -cE '^//[^ ]+ +(\(cached\) )?(FAILED|TIMEOUT|NO STATUS|FLAKY)' "$log")
rm -f "$log"
# Bazel exits 1 when a build fails before any test ran: count that as failed.
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "tests: $passed passed, $failed failed"
exit "$status"
