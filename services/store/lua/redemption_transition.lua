-- Moves a redemption along PENDING -> APPROVED -> FULFILLED, or to REJECTED
-- / CANCELLED with everything given back (redemptions_lib). The status
-- check makes every transition, and so every refund, happen at most once.
--
-- KEYS[1] redemption hash
-- ARGV: prefix, action ('approve'|'reject'|'fulfil'|'cancel'), now_ms,
--       reason, user_id (cancel: who asks), manager ('' = an admin acts;
--       else must manage the redemption's user)
-- Returns {'OK'} | {'NOT_FOUND'} | {'NOT_ALLOWED', status} | {'NOT_OWNER'}
--         | {'NOT_MANAGER', user}
local prefix, action, now, reason = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local manager = ARGV[6]
local r = redis.call('HMGET', KEYS[1], 'status', 'user')
local status, user = r[1], r[2]
if not status then return {'NOT_FOUND'} end

local moves = {
  approve = {from = {PENDING = true}, to = 'APPROVED'},
  reject = {from = {PENDING = true, APPROVED = true}, to = 'REJECTED'},
  fulfil = {from = {APPROVED = true}, to = 'FULFILLED'},
  cancel = {from = {PENDING = true}, to = 'CANCELLED'},
}
local move = moves[action]
if action == 'cancel' and ARGV[5] ~= user then return {'NOT_OWNER'} end
if manager ~= '' and not manages(prefix, manager, user) then
  return {'NOT_MANAGER', user}
end
if not move.from[status] then return {'NOT_ALLOWED', status} end

local id = string.sub(KEYS[1], #prefix + #'redemption:' + 1)
if move.to == 'REJECTED' or move.to == 'CANCELLED' then
  give_back_redemption(prefix, id, move.to, reason, now)
end
set_redemption_status(prefix, id, status, move.to, reason, now)
return {'OK'}
