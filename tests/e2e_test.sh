#!/usr/bin/env bash
# End to end, the README's path: serve.sh starts its own redis-server and the
# built plauditd, applies the example rules and users; plauditctl then sends
# events and reads balances and history, as the walkthrough does.
set -euo pipefail

runfiles="$TEST_SRCDIR/$TEST_WORKSPACE"
plauditd="$runfiles/services/plauditd/plauditd"
ctl="$runfiles/tools/plauditctl/plauditctl"
data="$TEST_TMPDIR/data"

fail() { echo "FAIL: $*" >&2; exit 1; }

"$runfiles/tools/serve.sh" --plauditd="$plauditd" --plauditctl="$ctl" \
  --listen=127.0.0.1:0 --http-listen=127.0.0.1:0 --data="$data" --example-rules \
  -- --time_zone=Europe/Berlin \
  --metrics_listen=127.0.0.1:0 \
  --webhook_allow_private \
  > "$TEST_TMPDIR/serve.log" 2>&1 &
serve_pid=$!
trap 'kill -TERM $serve_pid 2>/dev/null || true; wait $serve_pid 2>/dev/null || true' EXIT

# Wait for the example catalog (the last step of --example-rules).
for _ in $(seq 1 400); do
  grep -q "rewards: 5 created" "$TEST_TMPDIR/serve.log" && break
  kill -0 $serve_pid 2>/dev/null || { cat "$TEST_TMPDIR/serve.log"; fail "serve.sh exited"; }
  sleep 0.05
done
grep -q "rewards: 5 created" "$TEST_TMPDIR/serve.log" || { cat "$TEST_TMPDIR/serve.log"; fail "example data not loaded"; }
grep -q "rules: 5 created" "$TEST_TMPDIR/serve.log" || fail "example rules not created"
server="127.0.0.1:$(cat "$data/plauditd.port")"
export PLAUDIT_API_KEY="$(cat "$data/admin.key")"
ctl() { "$ctl" --server="$server" "$@"; }

# Keys: none or a wrong one is refused; a portal's key may record events
# but not change rules.
if out="$(PLAUDIT_API_KEY= ctl balance ann 2>&1)"; then fail "no key accepted"; fi
grep -q "UNAUTHENTICATED" <<<"$out" || fail "no key: $out"
if out="$(ctl --api_key=plk.default.00.00 balance ann 2>&1)"; then fail "bad key accepted"; fi
grep -q "UNAUTHENTICATED" <<<"$out" || fail "bad key: $out"
portal="$(ctl keys create --role=integration --name=portal)"
ctl --api_key="$portal" events send --id=k1 --action=poll.voted --actor_id=ann >/dev/null || fail "portal key"
if out="$(ctl --api_key="$portal" adjust ann --delta=1000 --reason=x --request_id=x 2>&1)"; then
  fail "portal granted points"
fi
grep -q "PERMISSION_DENIED" <<<"$out" || fail "portal adjust: $out"
grep -q "INTEGRATION *portal" <<<"$(ctl keys list)" || fail "keys list: $(ctl keys list)"

# A post on a priority topic pays double; a like pays its author.
out="$(ctl events send --id=e1 --action=post.created --actor_id=ann --object=post-1 --tags=priority)"
grep -q "awarded ann +20 (rule post-created)" <<<"$out" || fail "post: $out"
out="$(ctl events send --id=e2 --action=like --actor_id=bob --subject=ann --object=post-1)"
grep -q "awarded ann +2 (rule like-received)" <<<"$out" || fail "like: $out"
out="$(ctl events send --id=e2 --action=like --actor_id=bob --subject=ann --object=post-1)"
grep -q "already recorded" <<<"$out" || fail "duplicate: $out"
out="$(ctl events send --id=e3 --action=like --actor_id=ann --subject=ann --object=post-1)"
grep -q "SELF_ACTION" <<<"$out" || fail "self like: $out"

out="$(ctl balance ann)"
[ "$out" = "ann: balance 22, lifetime earned 22" ] || fail "balance: $out"
out="$(ctl history ann)"
[ "$(echo "$out" | grep -c AWARD)" = 2 ] || fail "history: $out"

out="$(ctl events retract e2)"
grep -q "ann -2" <<<"$out" || fail "retract: $out"
[ "$(ctl balance ann)" = "ann: balance 20, lifetime earned 20" ] || fail "after retract"

# Leaderboards: ann (20) leads the company and dept:sales this week.
ctl events send --id=e4 --action=comment.created --actor_id=bob >/dev/null
out="$(ctl top global week)"
grep -qE "^ +1  ann +20  Ann Smirnova" <<<"$out" || fail "top: $out"
grep -q "2 participants" <<<"$out" || fail "top participants: $out"
out="$(ctl rank bob dept:sales all --neighbors=1)"
grep -q "bob: rank 2 of 2 on dept:sales" <<<"$out" || fail "rank: $out"
out="$(ctl hide ann)"
grep -q "hidden" <<<"$out" || fail "hide: $out"
[ "$(ctl top global all | grep -c ann)" = 0 ] || fail "hidden ann listed"
ctl unhide ann >/dev/null
if out="$(ctl top global fortnight 2>&1)"; then fail "bad period accepted"; fi

# Engagement figures: today, company-wide; a small group is withheld.
out="$(ctl stats global day)"
grep -qE "^  events +5$" <<<"$out" || fail "stats: $out"
grep -qE "^  points awarded +23$" <<<"$out" || fail "stats points: $out"
grep -qE "post.created +1" <<<"$out" || fail "stats by action: $out"
out="$(ctl stats dept:sales week)"
grep -q "withheld" <<<"$out" || fail "small group shown: $out"

# HR grants, and a deduction below zero is refused.
out="$(ctl adjust ann --delta=100 --reason="Hackathon winner" --request_id=hack-1)"
[ "$out" = "ann: +100, balance now 120" ] || fail "grant: $out"
if out="$(ctl adjust ann --delta=-500 --reason=fine --request_id=fine-1 2>&1)"; then fail "overdraft accepted"; fi
grep -q "FAILED_PRECONDITION: .*below zero" <<<"$out" || fail "overdraft: $out"

# Rewards: ann (120 points) buys a hoodie (300)? No: a refusal, nothing debited.
if out="$(ctl redeem ann hoodie 2>&1)"; then fail "overspend accepted"; fi
grep -q "FAILED_PRECONDITION: insufficient balance: ann has 120 points" <<<"$out" || fail "overspend: $out"
ctl adjust ann --delta=2000 --reason="Top contributor" --request_id=top-1 >/dev/null
out="$(ctl redeem ann day-off --request_id=off-1)"
grep -q "PENDING" <<<"$out" || fail "redeem: $out"
grep -q "ann: balance now 120" <<<"$out" || fail "redeem balance: $out"
id="$(echo "$out" | head -1 | awk '{print $1}')"
out="$(ctl redemptions list --status=pending)"
grep -q "ann .*day-off" <<<"$out" || fail "queue: $out"
out="$(ctl reject "$id" --reason="Busy quarter")"
grep -q "REJECTED" <<<"$out" || fail "reject: $out"
[ "$(ctl balance ann)" = "ann: balance 2120, lifetime earned 2120" ] || fail "refund"
if out="$(ctl fulfil "$id" 2>&1)"; then fail "fulfilled a rejected redemption"; fi
grep -q "FAILED_PRECONDITION" <<<"$out" || fail "fulfil rejected: $out"
[ "$(ctl rewards list | wc -l)" = 5 ] || fail "catalog: $(ctl rewards list)"
# Re-applying the catalog after a sale does not refill the stock.
ctl redeem ann hoodie --request_id=hoodie-1 >/dev/null
out="$(ctl rewards apply -f "$runfiles/deploy/examples/catalog.json")"
grep -q "0 created, 0 updated, 5 unchanged" <<<"$out" || fail "catalog re-apply: $out"
grep -q "^hoodie .*stock 39 " <<<"$(ctl rewards list)" || fail "stock refilled: $(ctl rewards list)"

# Errors: clear text and a non-zero exit.
if out="$(ctl events send --action=post.created --actor_id=ann 2>&1)"; then fail "missing id accepted"; fi
grep -q "INVALID_ARGUMENT: event.event_id: is required" <<<"$out" || fail "missing id: $out"
printf '{"rules":[{"rule_id":"x","action":"a","recipient":"ACTOR","points":1,"pionts":2}]}' > "$TEST_TMPDIR/bad.json"
if out="$(ctl rules apply -f "$TEST_TMPDIR/bad.json" 2>&1)"; then fail "bad rules file accepted"; fi
grep -q "pionts" <<<"$out" || fail "bad rules file: $out"
[ "$(ctl rules list | grep -c '"rule_id"')" = 5 ] || fail "a bad file changed the rules"
if ctl frobnicate >/dev/null 2>&1; then fail "unknown command accepted"; fi

# Re-applying the same file changes nothing.
out="$(ctl rules apply -f "$runfiles/deploy/examples/rules.json")"
grep -q "0 created, 0 updated, 5 unchanged" <<<"$out" || fail "re-apply: $out"

# The company's settings: the flags are its defaults until HR changes them.
grep -q '"time_zone": "Europe/Berlin"' <<<"$(ctl tenant show)" || fail "tenant show: defaults"
out="$(ctl tenant set --time_zone=Asia/Yekaterinburg --display_name="Acme Ltd")"
grep -q '"time_zone": "Asia/Yekaterinburg"' <<<"$out" || fail "tenant set: $out"
grep -q '"display_name": "Acme Ltd"' <<<"$out" || fail "tenant set name: $out"
if out="$(ctl tenant set --retain=0,10,13,5 2>&1)"; then fail "retention 0 accepted"; fi
grep -q "settings.retention.days" <<<"$out" || fail "retention 0: $out"
grep -q '"days": 14' <<<"$(ctl tenant show)" || fail "a refused change changed the settings"
out="$(ctl tenant set --periods=all,week)"
grep -q '"WEEK"' <<<"$out" || fail "tenant set periods: $out"
if out="$(ctl top global day 2>&1)"; then fail "day board of a tenant keeping none"; fi
grep -q "FAILED_PRECONDITION" <<<"$out" || fail "day board: $out"

# People: managers come from the CSV; a leaver is paid out and erased.
grep -q '"manager_id": "ann"' <<<"$(ctl users show bob)" || fail "manager from the CSV"
ctl adjust dee --delta=15 --reason="talk" --request_id=e2e-dee >/dev/null
out="$(ctl users deactivate dee --balance=pay_out --reason="left")"
grep -q '"settled_points": "[1-9]' <<<"$out" || fail "deactivate: $out"
grep -q "balance 0," <<<"$(ctl balance dee)" || fail "paid out balance"
grep -q "PAYOUT" <<<"$(ctl history dee)" || fail "no PAYOUT entry"
if out="$(ctl users deactivate dee --reason=again 2>&1)"; then fail "deactivated twice"; fi
grep -q "FAILED_PRECONDITION" <<<"$out" || fail "deactivate twice: $out"
out="$(ctl users erase dee)"
grep -q '"display_name_erased": true' <<<"$out" || fail "erase: $out"
grep -q '"erased": true' <<<"$(ctl users show dee)" || fail "erased flag"
if grep -q "Okafor" <<<"$(ctl users show dee)"; then fail "name kept after erasure"; fi

# Webhooks: an endpoint on loopback (allowed by --webhook_allow_private)
# where nothing listens, so every attempt fails and is retried.
out="$(ctl webhooks add hr-bot http://127.0.0.1:9/hook --kinds=award.paid --group=dept:sales --description="HR bot")"
grep -q '"webhook_id": "hr-bot"' <<<"$out" || fail "webhooks add: $out"
grep -q "signing secret (shown once): whsec_" <<<"$out" || fail "webhooks add secret: $out"
if out="$(ctl webhooks add bad-kind http://127.0.0.1:9/hook --kinds=award.payed 2>&1)"; then fail "unknown kind accepted"; fi
grep -q "INVALID_ARGUMENT: .*award.payed" <<<"$out" || fail "unknown kind: $out"
out="$(ctl webhooks list)"
grep -qE "^hr-bot +ACTIVE +http://127.0.0.1:9/hook  kinds award.paid  group dept:sales" <<<"$out" || fail "webhooks list: $out"
[ "$(echo "$out" | wc -l)" = 1 ] || fail "webhooks list: $out"
# An event pays ann: her inbox has it, and the endpoint gets an attempt.
grep -q "awarded ann" <<<"$(ctl events send --id=n1 --action=post.created --actor_id=ann --object=post-9)" || fail "event n1"
out="$(ctl notifications list ann)"
grep -qE '^ann: [1-9][0-9+]* unread' <<<"$out" || fail "unread count: $out"
first="$(echo "$out" | sed -n 2p)"
grep -qE '^[0-9]+-[0-9]+ +award.paid +ann +\{"event_id":"n1",' <<<"$first" || fail "notifications list: $out"
# Following from the notification before it replays it, then waits.
prev="$(echo "$out" | sed -n 3p | awk '{print $1}')"
out="$(timeout 2 "$ctl" --server="$server" notifications tail --user=ann --kinds=award.paid --after="$prev" || true)"
[ "$(echo "$out" | head -1)" = "$first" ] || fail "notifications tail: $out"
if out="$(ctl notifications tail --after=bogus 2>&1)"; then fail "bad cursor accepted"; fi
grep -q "^plauditctl: INVALID_ARGUMENT: after: " <<<"$out" || fail "bad cursor: $out"
for _ in $(seq 1 200); do
  grep -q "award.paid .*FAILED" <<<"$(ctl deliveries list hr-bot)" && break
  sleep 0.05
done
out="$(ctl deliveries list hr-bot)"
grep -q "$(echo "$first" | awk '{print $1}') .*award.paid .*FAILED .*attempt 1" <<<"$out" || fail "deliveries list: $out"
[ "$(ctl deliveries list hr-bot --failed)" = "hr-bot: no dead letters" ] || fail "dead letters"
out="$(ctl notifications read ann)"
[ "$out" = "ann: read up to $(echo "$first" | awk '{print $1}'), 0 unread" ] || fail "notifications read: $out"
[ "$(ctl notifications list ann --unread | tail -1)" = "no unread notifications" ] || fail "unread after read"
grep -q "^hr-bot .*DISABLED" <<<"$(ctl webhooks disable hr-bot)" || fail "webhooks disable"
out="$(ctl webhooks rm hr-bot)"
[ "$out" = "webhook hr-bot deleted" ] || fail "webhooks rm: $out"
[ "$(ctl webhooks list)" = "no webhooks" ] || fail "webhook kept: $(ctl webhooks list)"
if out="$(ctl webhooks show hr-bot 2>&1)"; then fail "deleted webhook shown"; fi
grep -q "^plauditctl: NOT_FOUND: " <<<"$out" || fail "deleted webhook: $out"

# SIGTERM stops plauditd gracefully and the local Redis with it.
kill -TERM $serve_pid
wait $serve_pid || true
grep -q "plauditd: stopped" "$TEST_TMPDIR/serve.log" || { cat "$TEST_TMPDIR/serve.log"; fail "no graceful stop"; }
echo "PASS"
