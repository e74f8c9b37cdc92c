-- Applies one event atomically: idempotency, rules-version check, group,
-- once-per-object and daily-limit checks, balances, ledger, leaderboards,
-- engagement counters. The caller matched rules in C++ and sends the candidate awards.
--
-- KEYS[1] event record   KEYS[2] rules version
-- ARGV: prefix, rules_version, event_id, now_ms, day, limit_ttl_ms (how long
--       the day's limit counts are kept), action, actor, object, fingerprint,
--       subject, buckets (see read_buckets),
--       n_candidates, n_candidates x (rule_id, user_id, points, daily_limit,
--                                     once, group, min_interval_ms,
--                                     max_reciprocal),
--       n_refusals, n_refusals x (rule_id, user_id, reason)
-- Returns {'OK', outcome_json} | {'DUP', outcome_json} | {'STALE', version}
--         | {'MISMATCH'} (the event_id was recorded with other content)
local prior = redis.call('HMGET', KEYS[1], 'outcome', 'fp')
if prior[1] then
  if prior[2] and prior[2] ~= ARGV[10] then return {'MISMATCH'} end
  return {'DUP', prior[1]}
end
local version = redis.call('GET', KEYS[2]) or '0'
if version ~= ARGV[2] then return {'STALE', version} end

local prefix, event_id, day, limit_ttl = ARGV[1], ARGV[3], ARGV[5], ARGV[6]
local now = tonumber(ARGV[4])
local action, actor, object, subject = ARGV[7], ARGV[8], ARGV[9], ARGV[11]
local buckets, i = read_buckets(12)
local FIELDS = 8  -- per candidate

-- Anti-abuse keys. A pair key holds both ids, the first one length-prefixed
-- so that no two pairs can spell the same key.
local function pace_key(rule) return prefix .. 'pace:' .. rule .. ':' .. actor end
local function pair_key(rule)
  local a, b = actor, subject
  if b < a then a, b = b, a end
  return prefix .. 'pair:' .. rule .. ':' .. day .. ':' .. #a .. ':' .. a .. b
end

local awards, refusals, once_marks, board_scopes = {}, {}, {}, {}

local n_candidates = tonumber(ARGV[i])
for c = 0, n_candidates - 1 do
  local base = i + 1 + c * FIELDS
  local rule, user, points = ARGV[base], ARGV[base + 1], tonumber(ARGV[base + 2])
  local limit, once, group = tonumber(ARGV[base + 3]), ARGV[base + 4], ARGV[base + 5]
  local interval, reciprocal = tonumber(ARGV[base + 6]), tonumber(ARGV[base + 7])
  local once_key = prefix .. 'once:' .. rule .. ':' .. actor
  local limit_key = prefix .. 'limit:' .. rule .. ':' .. day .. ':' .. user
  local groups, hidden = user_info(prefix, user)
  local reason = nil
  if group ~= '' and not string.find(' ' .. groups .. ' ', ' ' .. group .. ' ',
                                     1, true) then
    reason = 'NOT_IN_GROUP'
  elseif once == '1' and redis.call('SISMEMBER', once_key, object) == 1 then
    reason = 'ALREADY_PAID_FOR_OBJECT'
  elseif limit > 0 and tonumber(redis.call('GET', limit_key) or '0') >= limit then
    reason = 'DAILY_LIMIT'
  elseif interval > 0 and
         now - tonumber(redis.call('GET', pace_key(rule)) or '-1e15') < interval then
    reason = 'TOO_FAST'
  elseif reciprocal > 0 and subject ~= '' and
         tonumber(redis.call('GET', pair_key(rule)) or '0') >= reciprocal then
    reason = 'RECIPROCAL_LIMIT'
  end
  if reason then
    refusals[#refusals + 1] = {rule_id = rule, user_id = user, reason = reason}
  else
    if once == '1' then
      redis.call('SADD', once_key, object)
      once_marks[#once_marks + 1] = {once_key, object}
    end
    if limit > 0 then
      redis.call('INCR', limit_key)
      redis.call('PEXPIRE', limit_key, limit_ttl)
    end
    if interval > 0 then
      redis.call('SET', pace_key(rule), ARGV[4], 'PX', string.format('%d', interval))
    end
    if reciprocal > 0 and subject ~= '' then
      redis.call('INCR', pair_key(rule))
      redis.call('PEXPIRE', pair_key(rule), limit_ttl)
    end
    local account = prefix .. 'acct:' .. user
    local balance = redis.call('HINCRBY', account, 'balance', points)
    redis.call('HINCRBY', account, 'earned', points)
    redis.call('XADD', prefix .. 'ledger:' .. user, '*', 'type', 'AWARD',
               'delta', points, 'balance', balance, 'ref', 'event:' .. event_id,
               'rule', rule, 'at', ARGV[4])
    local scopes = scopes_of(groups)
    add_to_boards(prefix, user, hidden, scopes, buckets, points, now, false)
    count_points(prefix, scopes, buckets, 'points', points, now, false)
    board_scopes[user] = scopes
    awards[#awards + 1] = {user_id = user, points = points, rule_id = rule}
  end
end

i = i + 1 + n_candidates * FIELDS
for r = 0, tonumber(ARGV[i]) - 1 do
  local base = i + 1 + r * 3
  refusals[#refusals + 1] = {rule_id = ARGV[base], user_id = ARGV[base + 1],
                             reason = ARGV[base + 2]}
end

-- Every event counts as activity of its actor, paid or not.
local actor_groups = user_info(prefix, actor)
count_activity(prefix, actor, scopes_of(actor_groups), buckets, action, now)

-- Empty tables would encode as {} (an object): leave them out.
local outcome = {event_id = event_id}
if #awards > 0 then outcome.awards = awards end
if #refusals > 0 then outcome.refusals = refusals end
local json = cjson.encode(outcome)
redis.call('HSET', KEYS[1], 'outcome', json, 'at', ARGV[4], 'fp', ARGV[10])
if #once_marks > 0 then
  redis.call('HSET', KEYS[1], 'once', cjson.encode(once_marks))
end
if #awards > 0 then
  -- What a retraction must take back from the boards.
  redis.call('HSET', KEYS[1], 'boards',
             cjson.encode({buckets = buckets, scopes = board_scopes}))
end
return {'OK', json}
