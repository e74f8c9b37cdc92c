-- Leaderboard writes shared by the scripts that move points (this source is
-- prepended to them). A board is a sorted set per tenant, bucket and scope:
--   <prefix>lb:<bucket>:<scope>   (lbh: for users hidden from boards)
-- It stores -points, so that ZRANGE (ascending) lists the best first and
-- orders equal scores by user id: pages never skip or repeat an entry.

-- Reads "n, then n x (bucket key, retained-until ms; 0 = forever)" from ARGV
-- at position i; returns the buckets and the position after them.
local function read_buckets(i)
  local buckets = {}
  local n = tonumber(ARGV[i])
  for j = 1, n do
    buckets[j] = {key = ARGV[i + 2 * j - 1], until_ms = tonumber(ARGV[i + 2 * j])}
  end
  return buckets, i + 2 * n + 1
end

-- The user's groups ('' when unknown) and whether they are hidden.
local function user_info(prefix, user)
  local info = redis.call('HMGET', prefix .. 'user:' .. user, 'groups', 'hidden')
  return info[1] or '', info[2] == '1'
end

-- 'global' and every group the user belongs to now.
local function scopes_of(groups)
  local scopes = {'global'}
  for group in string.gmatch(groups, '%S+') do scopes[#scopes + 1] = group end
  return scopes
end

-- Adds `points` to the user's score on each scope x bucket board. With
-- `existing_only`, boards that expired are left alone (a retraction must
-- not resurrect a bucket with a lone negative entry).
local function add_to_boards(prefix, user, hidden, scopes, buckets, points,
                             now, existing_only)
  local board = prefix .. (hidden and 'lbh:' or 'lb:')
  local delta = string.format('%d', -points)
  for _, scope in ipairs(scopes) do
    if not existing_only then
      redis.call('SADD', prefix .. 'scopes:' .. user, scope)
    end
    for _, bucket in ipairs(buckets) do
      local key = board .. bucket.key .. ':' .. scope
      local ttl = bucket.until_ms - now
      if (bucket.until_ms == 0 or ttl > 0) and
         (not existing_only or redis.call('EXISTS', key) == 1) then
        redis.call('ZINCRBY', key, delta, user)
        if bucket.until_ms ~= 0 then
          redis.call('PEXPIRE', key, string.format('%d', ttl))
        end
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

local function ttl_of(bucket, now)
  return string.format('%d', bucket.until_ms - now)
end

-- The actor did something: an event and an active user in each scope.
local function count_activity(prefix, actor, scopes, buckets, action, now)
  for _, scope in ipairs(scopes) do
    for _, bucket in ipairs(buckets) do
      if counted(bucket, now) then
        local suffix = bucket.key .. ':' .. scope
        local stats = prefix .. 'stats:' .. suffix
        local active = prefix .. 'active:' .. suffix
        local first = redis.call('HINCRBY', stats, 'events', 1) == 1
        redis.call('HINCRBY', stats, 'events:' .. action, 1)
        redis.call('PFADD', active, actor)
        if first then
          redis.call('PEXPIRE', stats, ttl_of(bucket, now))
          redis.call('PEXPIRE', active, ttl_of(bucket, now))
        end
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
        redis.call('HINCRBY', stats, field, string.format('%d', amount))
        if redis.call('PTTL', stats) == -1 then
          redis.call('PEXPIRE', stats, ttl_of(bucket, now))
        end
      end
    end
  end
end
