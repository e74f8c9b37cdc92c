-- Hides a user from every board (or shows them again) by moving their
-- scores between the visible boards (lb:) and the hidden ones (lbh:) of
-- every scope they have scored on and every retained bucket.
--
-- KEYS[1] user record
-- ARGV: prefix, user, hidden (0/1), now_ms, buckets (see read_buckets)
-- Returns {'OK', moved} | {'NOT_FOUND'}
if redis.call('EXISTS', KEYS[1]) == 0 then return {'NOT_FOUND'} end
local prefix, user, hide = ARGV[1], ARGV[2], ARGV[3] == '1'
local now = tonumber(ARGV[4])
local _, was_hidden = user_info(prefix, user)
if was_hidden == hide then return {'OK', 0} end

local from = prefix .. (hide and 'lb:' or 'lbh:')
local to = prefix .. (hide and 'lbh:' or 'lb:')
local buckets = read_buckets(5)
local moved = 0
for _, scope in ipairs(redis.call('SMEMBERS', prefix .. 'scopes:' .. user)) do
  for _, bucket in ipairs(buckets) do
    local suffix = bucket.key .. ':' .. scope
    local score = redis.call('ZSCORE', from .. suffix, user)
    if score then
      redis.call('ZREM', from .. suffix, user)
      -- Added, not set: an entry may already be there (written while the
      -- flag was changing hands): no point may be lost.
      redis.call('ZINCRBY', to .. suffix, score, user)
      if bucket.until_ms ~= 0 then
        redis.call('PEXPIRE', to .. suffix,
                   string.format('%d', math.max(1, bucket.until_ms - now)))
      end
      moved = moved + 1
    end
  end
end
redis.call('HSET', KEYS[1], 'hidden', hide and '1' or '0')
return {'OK', moved}
