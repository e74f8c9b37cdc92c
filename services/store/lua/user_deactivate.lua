-- Offboards a user at once: their redemptions not yet handed out (pending
-- or approved) cancelled and given back (redemptions_lib), their scores moved to the hidden boards of the
-- buckets given (all retained ones, or only the current ones to keep past
-- places), the balance settled by the policy (a PAYOUT or FORFEIT ledger
-- entry to zero; a negative balance stays as it is), and the mark that
-- makes every later award to them refuse (USER_DEACTIVATED).
--
-- KEYS[1] user record
-- ARGV: prefix, user, now_ms, balance policy ('keep'|'pay_out'|'forfeit'),
--       reason, buckets to leave (see read_buckets)
-- Returns {'OK', moved, refunded, settled, balance, cancelled ids...}
--         | {'NOT_FOUND'} | {'ALREADY'}
if redis.call('EXISTS', KEYS[1]) == 0 then return {'NOT_FOUND'} end
local prefix, user, now, policy, reason = ARGV[1], ARGV[2], ARGV[3], ARGV[4],
                                          ARGV[5]
local _, hidden, left = user_info(prefix, user)
if left then return {'ALREADY'} end

local cancelled, refunded = {}, 0
for _, id in ipairs(redis.call('ZRANGE', prefix .. 'redemptions:user:' .. user,
                               0, -1)) do
  -- Pending or approved: not handed out, and now never will be.
  local status = redis.call('HGET', prefix .. 'redemption:' .. id, 'status')
  if status == 'PENDING' or status == 'APPROVED' then
    refunded = refunded + give_back_redemption(prefix, id, 'CANCELLED', reason, now)
    set_redemption_status(prefix, id, status, 'CANCELLED', reason, now)
    cancelled[#cancelled + 1] = id
  end
end

local moved = 0
if not hidden then
  moved = move_boards(prefix, user, true, read_buckets(6), tonumber(now))
end

local account = prefix .. 'acct:' .. user
local balance = tonumber(redis.call('HGET', account, 'balance') or '0')
local settled = 0
if policy ~= 'keep' and balance > 0 then
  settled = balance
  balance = redis.call('HINCRBY', account, 'balance', -settled)
  redis.call('XADD', prefix .. 'ledger:' .. user, '*', 'type',
             policy == 'pay_out' and 'PAYOUT' or 'FORFEIT',
             'delta', -settled, 'balance', balance, 'ref', 'leave:' .. now,
             'reason', reason, 'at', now)
end
redis.call('HSET', KEYS[1], 'left', now)
local reply = {'OK', moved, refunded, settled, balance}
for _, id in ipairs(cancelled) do reply[#reply + 1] = id end
return reply
