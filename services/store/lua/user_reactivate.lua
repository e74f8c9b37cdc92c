-- Brings a deactivated user back: their scores return from the hidden
-- boards of every retained bucket (unless they are hidden from boards),
-- and awards pay them again. A kept balance is simply theirs again.
--
-- KEYS[1] user record
-- ARGV: prefix, user, now_ms, buckets (every retained one)
-- Returns {'OK', moved} | {'NOT_FOUND'} | {'ERASED'} | {'NOT_LEFT'}
if redis.call('EXISTS', KEYS[1]) == 0 then return {'NOT_FOUND'} end
local prefix, user, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local record = redis.call('HMGET', KEYS[1], 'left', 'erased', 'hidden')
if record[2] == '1' then return {'ERASED'} end
if not record[1] then return {'NOT_LEFT'} end
local moved = 0
if record[3] ~= '1' then
  moved = move_boards(prefix, user, false, read_buckets(4), now)
end
redis.call('HDEL', KEYS[1], 'left')
return {'OK', moved}
