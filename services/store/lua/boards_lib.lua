-- Leaderboard writes shared by the scripts that move points (this source is
-- prepended to them). A board is a sorted set per tenant, bucket and scope:
--   <prefix>lb:<bucket>:<scope>   (lbh: for users hidden from boards)
-- It stores -points, so that ZRANGE (ascending) lists the best first and
-- orders equal scores by user id: pages never skip or repeat an entry.

-- A script applying many events may buffer the board and counter writes
-- (begin_buffering) and apply them once at its end (flush_buffered): each
-- key is then written once per script, not once per event. The result is
-- identical, as a script is atomic and nothing in between reads them.
--
-- Every key of a bucket that ends gets its expiry once, when the script
-- that creates it writes it (relative to the script's now_ms, never
-- Redis' own clock). A key that exists got it then, so a flush asks Redis
-- which keys exist in one EXISTS instead of an expiry per key and write.
local buffered = nil

local function begin_buffering()
  buffered = {zincr = {}, hincr = {}, pfadd = {}, sadd = {}, ttl = {},
              keys = {}, kinds = {}}
end

-- Remembers the first time a key is touched, so flushing is deterministic.
local function touch(kind, key, ttl)
  local writes = buffered[kind][key]
  if writes == nil then
    writes = {}
    buffered[kind][key] = writes
    local n = #buffered.keys + 1
    buffered.keys[n], buffered.kinds[n] = key, kind
    buffered.ttl[key] = ttl
  end
  return writes
end

local function board_incr(key, user, delta, ttl)
  if not buffered then
    redis.call('ZINCRBY', key, string.format('%d', delta), user)
    if ttl then redis.call('PEXPIRE', key, string.format('%d', ttl), 'NX') end
    return
  end
  local members = touch('zincr', key, ttl)
  members[user] = (members[user] or 0) + delta
end

-- Adds to a counter hash field; expiry set only if the key has none.
local function stats_incr(key, field, amount, ttl)
  if not buffered then
    redis.call('HINCRBY', key, field, string.format('%d', amount))
    redis.call('PEXPIRE', key, string.format('%d', ttl), 'NX')
    return
  end
  local fields = touch('hincr', key, ttl)
  fields[field] = (fields[field] or 0) + amount
end

local function active_add(key, user, ttl)
  touch('pfadd', key, ttl)[user] = true
end

local function scope_add(key, scope)
  if not buffered then
    redis.call('SADD', key, scope)
    return
  end
  touch('sadd', key, nil)[scope] = true
end

-- Members of a buffered set, sorted (a deterministic command). A lone
-- member, the common case, comes in one reused table (read it at once).
local lone = {false}
local function sorted_keys(set)
  local first = next(set)
  if next(set, first) == nil then
    lone[1] = first
    return lone
  end
  local members = {}
  for member in pairs(set) do members[#members + 1] = member end
  table.sort(members)
  return members
end

-- Of `keys` (each once), those that may not exist yet: one EXISTS when all
-- do, halves searched apart when some do not.
local function maybe_new(keys, first, last, found)
  local n = last - first + 1
  if n <= 0 then return end
  -- (unpack's stack is bounded: big sets are split before they are asked.)
  if n <= 1000 and redis.call('EXISTS', unpack(keys, first, last)) == n then
    return
  end
  if n <= 4 then
    for k = first, last do found[#found + 1] = keys[k] end
    return
  end
  local middle = math.floor((first + last) / 2)
  maybe_new(keys, first, middle, found)
  maybe_new(keys, middle + 1, last, found)
end

local function flush_buffered()
  if not buffered then return end
  local keys, kinds, ttl = buffered.keys, buffered.kinds, buffered.ttl
  local expiring = {}
  for _, key in ipairs(keys) do
    if ttl[key] then expiring[#expiring + 1] = key end
  end
  local new_keys = {}
  maybe_new(expiring, 1, #expiring, new_keys)
  for k, key in ipairs(keys) do
    local kind = kinds[k]
    local writes = buffered[kind][key]
    local sorted = sorted_keys(writes)
    if kind == 'zincr' then  -- ZINCRBY key increment member
      for _, user in ipairs(sorted) do
        redis.call('ZINCRBY', key, string.format('%d', writes[user]), user)
      end
    elseif kind == 'hincr' then  -- HINCRBY key field increment
      for _, field in ipairs(sorted) do
        redis.call('HINCRBY', key, field, string.format('%d', writes[field]))
      end
    else
      redis.call(kind == 'pfadd' and 'PFADD' or 'SADD', key, unpack(sorted))
    end
  end
  -- NX: of a few keys searched together, some may have existed.
  for _, key in ipairs(new_keys) do
    redis.call('PEXPIRE', key, string.format('%d', ttl[key]), 'NX')
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
-- hidden boards (hidden from boards, or deactivated), whether they left
-- (deactivated: they earn nothing), and, for a known user, where they were
-- last counted active (see count_activity; false when unknown or never).
local function user_info(prefix, user)
  local info = redis.call('HMGET', prefix .. 'user:' .. user, 'groups',
                          'hidden', 'left', 'active')
  local left = info[3] ~= false and info[3] ~= ''
  return info[1] or '', info[2] == '1' or left, left,
         info[1] ~= false and (info[4] or '') or false
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
--   <prefix>stats:<bucket>:<scope>   hash: events:<action>, points, redeemed
--                                    (the events are the sum of events:*;
--                                    data written before 2026-12 also has
--                                    a field "events", no longer read)
--   <prefix>active:<bucket>:<scope>  HyperLogLog of the users who acted
-- They expire with the bucket's retention, like the boards.
local function counted(bucket, now)
  return bucket.until_ms ~= 0 and bucket.until_ms > now
end

-- The actor did something: an event and an active user in each scope.
-- `active_mark` is user_info's: a known user's active buckets and scopes,
-- recorded on their user hash, spare the HyperLogLog writes (adding a
-- member twice changes nothing) until a bucket or a scope changes. Returns
-- the new mark (nil when unchanged). Needs buffering (begin_buffering).
local function count_activity(prefix, actor, scopes, buckets, action, now,
                              active_mark)
  local field = 'events:' .. action
  local mark = {}
  for _, bucket in ipairs(buckets) do
    if counted(bucket, now) then mark[#mark + 1] = bucket.key end
  end
  mark[#mark + 1] = '|'
  for _, scope in ipairs(scopes) do mark[#mark + 1] = scope end
  mark = table.concat(mark, ' ')
  local seen = mark == active_mark
  for _, scope in ipairs(scopes) do
    for _, bucket in ipairs(buckets) do
      if counted(bucket, now) then
        local suffix = bucket.key .. ':' .. scope
        local ttl = bucket.until_ms - now
        stats_incr(prefix .. 'stats:' .. suffix, field, 1, ttl)
        if not seen then active_add(prefix .. 'active:' .. suffix, actor, ttl) end
      end
    end
  end
  if seen or active_mark == false then return nil end
  redis.call('HSET', prefix .. 'user:' .. actor, 'active', mark)
  return mark
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
