-- Applies a batch of events, each atomically and in order: idempotency,
-- group, once-per-object and daily-limit checks, balances, ledger,
-- leaderboards, engagement counters, the award.paid notification. The caller matched rules in C++ and
-- sends each event's candidate awards. Board and counter writes are
-- buffered and applied once per key at the end (see boards_lib).
--
-- KEYS[1] rules version, KEYS[1 + k] the record of event k
-- ARGV: prefix, rules_version, now_ms, n_events, then per event:
--       event_id, day, limit_ttl_ms (how long the day's limit counts are
--       kept), action, actor, object, fingerprint, subject,
--       buckets (see read_buckets),
--       n_candidates, n_candidates x (rule_id, user_id, points, daily_limit,
--                                     once, group, min_interval_ms,
--                                     max_reciprocal),
--       n_refusals, n_refusals x (rule_id, user_id, reason)
-- Returns per event a pair:
--   'OK', outcome_json | 'DUP', outcome_json (recorded before: the first
--   outcome) | 'MISMATCH', '' (the event_id was recorded with other content)
--   | 'STALE', '' (the rules changed: nothing done, send it again)
--   | 'ERROR', message (a bug: this event failed, the others stand)
local stale = (redis.call('GET', KEYS[1]) or '0') ~= ARGV[2]

local prefix, now_ms = ARGV[1], ARGV[3]
local now = tonumber(now_ms)
local FIELDS = 8  -- per candidate

-- user_info, read once per user per script: only the active mark changes
-- here, and it is kept up to date in this cache.
local infos = {}
local function info_of(user)
  local info = infos[user]
  if info == nil then
    info = {user_info(prefix, user)}
    infos[user] = info
  end
  return info
end

-- The position after the arguments of the event at ARGV[i].
local function skip_event(i)
  local _, j = read_buckets(i + 8)
  local after_candidates = j + 1 + tonumber(ARGV[j]) * FIELDS
  return after_candidates + 1 + 3 * tonumber(ARGV[after_candidates])
end

-- Records one event whose arguments start at ARGV[i]; returns its status
-- and its outcome. A repeat is answered even when the rules changed.
local function award_event(record, i)
  local event_id, day, limit_ttl = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local action, actor, object = ARGV[i + 3], ARGV[i + 4], ARGV[i + 5]
  local fingerprint, subject = ARGV[i + 6], ARGV[i + 7]
  local buckets
  buckets, i = read_buckets(i + 8)
  local n_candidates = tonumber(ARGV[i])
  local after_candidates = i + 1 + n_candidates * FIELDS

  local prior = redis.call('HMGET', record, 'outcome', 'fp')
  if prior[1] then
    if prior[2] and prior[2] ~= fingerprint then return 'MISMATCH', '' end
    return 'DUP', prior[1]
  end
  if stale then return 'STALE', '' end

  -- Anti-abuse keys. A pair key holds both ids, the first one length-prefixed
  -- so that no two pairs can spell the same key.
  local function pace_key(rule) return prefix .. 'pace:' .. rule .. ':' .. actor end
  local function pair_key(rule)
    local a, b = actor, subject
    if b < a then a, b = b, a end
    return prefix .. 'pair:' .. rule .. ':' .. day .. ':' .. #a .. ':' .. a .. b
  end

  local awards, refusals, once_marks, board_scopes = {}, {}, {}, {}
  local paid, balances, paid_groups = {}, {}, {}  -- for the notification

  for c = 0, n_candidates - 1 do
    local base = i + 1 + c * FIELDS
    local rule, user, points = ARGV[base], ARGV[base + 1], tonumber(ARGV[base + 2])
    local limit, once, group = tonumber(ARGV[base + 3]), ARGV[base + 4], ARGV[base + 5]
    local interval, reciprocal = tonumber(ARGV[base + 6]), tonumber(ARGV[base + 7])
    local once_key = prefix .. 'once:' .. rule .. ':' .. actor
    local limit_key = prefix .. 'limit:' .. rule .. ':' .. day .. ':' .. user
    local groups, hidden, left = unpack(info_of(user))
    local reason = nil
    if left then
      reason = 'USER_DEACTIVATED'
    elseif group ~= '' and not string.find(' ' .. groups .. ' ', ' ' .. group .. ' ',
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
        redis.call('SET', pace_key(rule), now_ms, 'PX', string.format('%d', interval))
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
                 'rule', rule, 'at', now_ms)
      local scopes = scopes_of(prefix, groups)
      add_to_boards(prefix, user, hidden, scopes, buckets, points, now, false)
      count_points(prefix, scopes, buckets, 'points', points, now, false)
      board_scopes[user] = scopes
      awards[#awards + 1] = {user_id = user, points = points, rule_id = rule}
      if not balances[user] then
        paid[#paid + 1] = user
        paid_groups[#paid_groups + 1] = groups
      end
      balances[user] = balance
    end
  end

  i = after_candidates
  for r = 0, tonumber(ARGV[i]) - 1 do
    local base = i + 1 + r * 3
    refusals[#refusals + 1] = {rule_id = ARGV[base], user_id = ARGV[base + 1],
                               reason = ARGV[base + 2]}
  end

  -- Every event counts as activity of its actor, paid or not (a leaver's
  -- does not: they are no longer among the tenant's people).
  local actor_info = info_of(actor)
  if not actor_info[3] then
    actor_info[4] = count_activity(prefix, actor, scopes_of(prefix, actor_info[1]),
                                   buckets, action, now, actor_info[4]) or
                    actor_info[4]
  end

  -- Empty tables would encode as {} (an object): leave them out.
  local outcome = {event_id = event_id}
  if #awards > 0 then outcome.awards = awards end
  if #refusals > 0 then outcome.refusals = refusals end
  local json = cjson.encode(outcome)
  local fields = {'outcome', json, 'at', now_ms, 'fp', fingerprint}
  if #once_marks > 0 then
    fields[#fields + 1] = 'once'
    fields[#fields + 1] = cjson.encode(once_marks)
  end
  if #awards > 0 then
    -- What a retraction must take back from the boards.
    fields[#fields + 1] = 'boards'
    fields[#fields + 1] = cjson.encode({buckets = buckets, scopes = board_scopes})
  end
  redis.call('HSET', record, unpack(fields))
  if #awards > 0 then
    notify(prefix, 'award.paid', paid, table.concat(paid_groups, ' '), now_ms,
           {event_id = event_id, action = action, actor_id = actor,
            subject_id = subject, object_id = object, awards = awards,
            balances = balances})
  end
  return 'OK', json
end

-- One event failing (a bug, e.g. a key of the wrong type) must not cost
-- the others their buffered board and counter writes: each is protected.
begin_buffering()
local replies = {}
local i = 5
for k = 1, tonumber(ARGV[4]) do
  local after = skip_event(i)
  local ok, status, outcome = pcall(award_event, KEYS[1 + k], i)
  if not ok then
    local err = status
    if type(err) == 'table' then err = err.err or cjson.encode(err) end
    status, outcome = 'ERROR', tostring(err)
  end
  replies[#replies + 1] = status
  replies[#replies + 1] = outcome
  i = after
end
flush_buffered()
return replies
