-- Frozen copy of the award script (boards_lib.lua + award.lua) as of 8ef060d,
-- before performance round 2 (issue 16). Benchmarks and the equivalence
-- test run it against the current script on the same data; never served.
-- Leaderboard writes shared by the scripts that move points (this source is
-- prepended to them). A board is a sorted set per tenant, bucket and scope:
--   <prefix>lb:<bucket>:<scope>   (lbh: for users hidden from boards)
-- It stores -points, so that ZRANGE (ascending) lists the best first and
-- orders equal scores by user id: pages never skip or repeat an entry.

-- A script applying many events may buffer the board and counter writes
-- (begin_buffering) and apply them once at its end (flush_buffered): each
-- key is then written once per script, not once per event. The result is
-- identical, as a script is atomic and nothing in between reads them.
local buffered = nil

local function begin_buffering()
  buffered = {zincr = {}, hincr = {}, pfadd = {}, sadd = {}, expire = {},
              expire_nx = {}, order = {}}
end

-- Remembers the first time a key is touched, so flushing is deterministic.
local function touch(kind, key)
  if buffered[kind][key] == nil then
    buffered[kind][key] = {}
    buffered.order[#buffered.order + 1] = {kind, key}
  end
  return buffered[kind][key]
end

local function board_incr(key, user, delta, ttl)
  if not buffered then
    redis.call('ZINCRBY', key, string.format('%d', delta), user)
    if ttl then redis.call('PEXPIRE', key, string.format('%d', ttl)) end
    return
  end
  local members = touch('zincr', key)
  members[user] = (members[user] or 0) + delta
  if ttl then buffered.expire[key] = ttl end
end

-- Adds to a counter hash field; expiry set only if the key has none.
local function stats_incr(key, field, amount, ttl)
  if not buffered then
    local value = redis.call('HINCRBY', key, field, string.format('%d', amount))
    if redis.call('PTTL', key) == -1 then
      redis.call('PEXPIRE', key, string.format('%d', ttl))
    end
    return value
  end
  local fields = touch('hincr', key)
  fields[field] = (fields[field] or 0) + amount
  buffered.expire_nx[key] = ttl
end

local function active_add(key, user, ttl)
  if not buffered then
    redis.call('PFADD', key, user)
    if redis.call('PTTL', key) == -1 then
      redis.call('PEXPIRE', key, string.format('%d', ttl))
    end
    return
  end
  touch('pfadd', key)[user] = true
  buffered.expire_nx[key] = ttl
end

local function scope_add(key, scope)
  if not buffered then
    redis.call('SADD', key, scope)
    return
  end
  touch('sadd', key)[scope] = true
end

-- Members of a buffered set, sorted (a deterministic command).
local function sorted_keys(set)
  local members = {}
  for member in pairs(set) do members[#members + 1] = member end
  table.sort(members)
  return members
end

local function flush_buffered()
  if not buffered then return end
  for _, touched in ipairs(buffered.order) do
    local kind, key = touched[1], touched[2]
    local writes = buffered[kind][key]
    if kind == 'zincr' then
      for _, user in ipairs(sorted_keys(writes)) do
        redis.call('ZINCRBY', key, string.format('%d', writes[user]), user)
      end
    elseif kind == 'hincr' then
      for _, field in ipairs(sorted_keys(writes)) do
        redis.call('HINCRBY', key, field, string.format('%d', writes[field]))
      end
    elseif kind == 'pfadd' then
      redis.call('PFADD', key, unpack(sorted_keys(writes)))
    else
      redis.call('SADD', key, unpack(sorted_keys(writes)))
    end
    if buffered.expire[key] then
      redis.call('PEXPIRE', key, string.format('%d', buffered.expire[key]))
    elseif buffered.expire_nx[key] then
      redis.call('PEXPIRE', key, string.format('%d', buffered.expire_nx[key]), 'NX')
    end
  end
  buffered = nil
end

-- Reads "n, then n x (bucket key, retained-until ms; 0 = forever)" from ARGV
-- at position i; returns the buckets and the position after them. Written
-- by AppendBucketArgs (services/store/bucket_args.h): change both together.
local function read_buckets(i)
  local buckets = {}
  local n = tonumber(ARGV[i])
  for j = 1, n do
    buckets[j] = {key = ARGV[i + 2 * j - 1], until_ms = tonumber(ARGV[i + 2 * j])}
  end
  return buckets, i + 2 * n + 1
end

-- The user's groups ('' when unknown), whether their scores live on the
-- hidden boards (hidden from boards, or deactivated), and whether they
-- left (deactivated: they earn nothing).
local function user_info(prefix, user)
  local info = redis.call('HMGET', prefix .. 'user:' .. user, 'groups',
                          'hidden', 'left')
  local left = info[3] ~= false and info[3] ~= ''
  return info[1] or '', info[2] == '1' or left, left
end

-- Whether `manager` is `user`'s manager, or their manager's, up the chain.
-- Chains are loop-free and at most MAX_CHAIN deep (user_sync.lua refuses
-- others), so the walk ends. A manager who left manages nobody.
local MAX_CHAIN = 64
local function manages(prefix, manager, user)
  if redis.call('HGET', prefix .. 'user:' .. manager, 'left') then
    return false
  end
  local at = user
  for _ = 1, MAX_CHAIN do
    at = redis.call('HGET', prefix .. 'user:' .. at, 'manager') or ''
    if at == '' then return false end
    if at == manager then return true end
  end
  return false
end

-- Moves the user's scores from the visible boards to the hidden ones (or
-- back) on every scope they scored on and each of `buckets`; returns how
-- many entries moved. Added, not set, where they land: an entry may be
-- there already, and no point may be lost.
local function move_boards(prefix, user, to_hidden, buckets, now)
  local from = prefix .. (to_hidden and 'lb:' or 'lbh:')
  local to = prefix .. (to_hidden and 'lbh:' or 'lb:')
  local moved = 0
  for _, scope in ipairs(redis.call('SMEMBERS', prefix .. 'scopes:' .. user)) do
    for _, bucket in ipairs(buckets) do
      local suffix = bucket.key .. ':' .. scope
      local score = redis.call('ZSCORE', from .. suffix, user)
      if score then
        redis.call('ZREM', from .. suffix, user)
        redis.call('ZINCRBY', to .. suffix, score, user)
        if bucket.until_ms ~= 0 then
          redis.call('PEXPIRE', to .. suffix,
                     string.format('%d', math.max(1, bucket.until_ms - now)))
        end
        moved = moved + 1
      end
    end
  end
  return moved
end

-- The scopes the tenant keeps boards and figures of (its settings' field
-- "scopes": "global", groups, group prefixes such as "dept:"; none = all),
-- read once per script run.
local kept_scopes = nil
local function keeps_scope(prefix, scope)
  if kept_scopes == nil then
    kept_scopes = {}
    local text = redis.call('HGET', prefix .. 'settings', 'scopes') or ''
    for kept in string.gmatch(text, '%S+') do
      kept_scopes[#kept_scopes + 1] = kept
    end
  end
  if #kept_scopes == 0 then return true end
  for _, kept in ipairs(kept_scopes) do
    if kept == scope or (string.sub(kept, -1) == ':' and
                         string.sub(scope, 1, #kept) == kept) then
      return true
    end
  end
  return false
end

-- 'global' and every group the user belongs to now, of those kept.
local function scopes_of(prefix, groups)
  local scopes = {}
  if keeps_scope(prefix, 'global') then scopes[1] = 'global' end
  for group in string.gmatch(groups, '%S+') do
    if keeps_scope(prefix, group) then scopes[#scopes + 1] = group end
  end
  return scopes
end

-- Adds `points` to the user's score on each scope x bucket board. With
-- `existing_only`, boards that expired are left alone (a retraction must
-- not resurrect a bucket with a lone negative entry).
local function add_to_boards(prefix, user, hidden, scopes, buckets, points,
                             now, existing_only)
  local board = prefix .. (hidden and 'lbh:' or 'lb:')
  for _, scope in ipairs(scopes) do
    if not existing_only then
      scope_add(prefix .. 'scopes:' .. user, scope)
    end
    for _, bucket in ipairs(buckets) do
      local key = board .. bucket.key .. ':' .. scope
      local ttl = bucket.until_ms - now
      if (bucket.until_ms == 0 or ttl > 0) and
         (not existing_only or redis.call('EXISTS', key) == 1) then
        board_incr(key, user, -points, bucket.until_ms ~= 0 and ttl or nil)
      end
    end
  end
end

-- Engagement counters per bucket and scope (every period but all time):
--   <prefix>stats:<bucket>:<scope>   hash: events, events:<action>, points,
--                                    redeemed
--   <prefix>active:<bucket>:<scope>  HyperLogLog of the users who acted
-- They expire with the bucket's retention, like the boards.
local function counted(bucket, now)
  return bucket.until_ms ~= 0 and bucket.until_ms > now
end

-- The actor did something: an event and an active user in each scope.
local function count_activity(prefix, actor, scopes, buckets, action, now)
  for _, scope in ipairs(scopes) do
    for _, bucket in ipairs(buckets) do
      if counted(bucket, now) then
        local suffix = bucket.key .. ':' .. scope
        local stats = prefix .. 'stats:' .. suffix
        local ttl = bucket.until_ms - now
        stats_incr(stats, 'events', 1, ttl)
        stats_incr(stats, 'events:' .. action, 1, ttl)
        active_add(prefix .. 'active:' .. suffix, actor, ttl)
      end
    end
  end
end

-- Adds `amount` to `field` ('points' or 'redeemed') in each scope. With
-- `existing_only` (reversals), expired buckets are left alone.
local function count_points(prefix, scopes, buckets, field, amount, now,
                            existing_only)
  for _, scope in ipairs(scopes) do
    for _, bucket in ipairs(buckets) do
      local stats = prefix .. 'stats:' .. bucket.key .. ':' .. scope
      if counted(bucket, now) and
         (not existing_only or redis.call('EXISTS', stats) == 1) then
        stats_incr(stats, field, amount, bucket.until_ms - now)
      end
    end
  end
end
-- Applies a batch of events, each atomically and in order: idempotency,
-- group, once-per-object and daily-limit checks, balances, ledger,
-- leaderboards, engagement counters. The caller matched rules in C++ and
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

  for c = 0, n_candidates - 1 do
    local base = i + 1 + c * FIELDS
    local rule, user, points = ARGV[base], ARGV[base + 1], tonumber(ARGV[base + 2])
    local limit, once, group = tonumber(ARGV[base + 3]), ARGV[base + 4], ARGV[base + 5]
    local interval, reciprocal = tonumber(ARGV[base + 6]), tonumber(ARGV[base + 7])
    local once_key = prefix .. 'once:' .. rule .. ':' .. actor
    local limit_key = prefix .. 'limit:' .. rule .. ':' .. day .. ':' .. user
    local groups, hidden, left = user_info(prefix, user)
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
  local actor_groups, _, actor_left = user_info(prefix, actor)
  if not actor_left then
    count_activity(prefix, actor, scopes_of(prefix, actor_groups), buckets,
                   action, now)
  end

  -- Empty tables would encode as {} (an object): leave them out.
  local outcome = {event_id = event_id}
  if #awards > 0 then outcome.awards = awards end
  if #refusals > 0 then outcome.refusals = refusals end
  local json = cjson.encode(outcome)
  redis.call('HSET', record, 'outcome', json, 'at', now_ms, 'fp', fingerprint)
  if #once_marks > 0 then
    redis.call('HSET', record, 'once', cjson.encode(once_marks))
  end
  if #awards > 0 then
    -- What a retraction must take back from the boards.
    redis.call('HSET', record, 'boards',
               cjson.encode({buckets = buckets, scopes = board_scopes}))
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
