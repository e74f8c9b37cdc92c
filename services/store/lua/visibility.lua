-- Hides a user from every board (or shows them again) by moving their
-- scores between the visible boards (lb:) and the hidden ones (lbh:) of
-- every scope they have scored on and every retained bucket. Showing a
-- deactivated user again only changes the flag: reactivation honours it.
--
-- KEYS[1] user record
-- ARGV: prefix, user, hidden (0/1), now_ms, buckets (see read_buckets)
-- Returns {'OK', moved} | {'NOT_FOUND'}
if redis.call('EXISTS', KEYS[1]) == 0 then return {'NOT_FOUND'} end
local prefix, user, hide = ARGV[1], ARGV[2], ARGV[3] == '1'
local was_hidden = redis.call('HGET', KEYS[1], 'hidden') == '1'
if was_hidden == hide then return {'OK', 0} end

local _, _, left = user_info(prefix, user)
local moved = 0
-- A leaver's current scores are hidden already; hiding takes the past ones
-- (kept places) too, and only reactivation shows them again.
if not left or hide then
  moved = move_boards(prefix, user, hide, read_buckets(5), tonumber(ARGV[4]))
end
redis.call('HSET', KEYS[1], 'hidden', hide and '1' or '0')
return {'OK', moved}
