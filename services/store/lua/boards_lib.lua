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
