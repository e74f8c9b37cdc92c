-- Moves a redemption along PENDING -> APPROVED -> FULFILLED, or to REJECTED
-- / CANCELLED with the points refunded (REFUND ledger entry), the stock,
-- the per-user limit and the points-redeemed counters given back. The status check makes every transition,
-- and so every refund, happen at most once.
--
-- KEYS[1] redemption hash
-- ARGV: prefix, action ('approve'|'reject'|'fulfil'|'cancel'), now_ms,
--       reason, user_id (cancel: who asks)
-- Returns {'OK'} | {'NOT_FOUND'} | {'NOT_ALLOWED', status} | {'NOT_OWNER'}
local prefix, action, now, reason = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local r = redis.call('HMGET', KEYS[1], 'status', 'user', 'reward', 'quantity',
                     'points', 'stock_taken', 'limit_key', 'stats')
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
if not move.from[status] then return {'NOT_ALLOWED', status} end

local id = string.sub(KEYS[1], #prefix + #'redemption:' + 1)
if move.to == 'REJECTED' or move.to == 'CANCELLED' then
  local points = tonumber(r[5])
  local account = prefix .. 'acct:' .. user
  local balance = redis.call('HINCRBY', account, 'balance', points)
  redis.call('XADD', prefix .. 'ledger:' .. user, '*', 'type', 'REFUND',
             'delta', points, 'balance', balance, 'ref', 'redemption:' .. id,
             'reason', reason, 'at', now)
  local reward = prefix .. 'reward:' .. r[3]
  if r[6] == '1' and (redis.call('HGET', reward, 'stock') or '-1') ~= '-1' then
    redis.call('HINCRBY', reward, 'stock', r[4])
  end
  if r[7] ~= '' and redis.call('EXISTS', r[7]) == 1 then
    redis.call('DECRBY', r[7], r[4])
  end
  if r[8] then  -- points redeemed, counted where the redemption was placed
    local stats = cjson.decode(r[8])
    count_points(prefix, stats.scopes, stats.buckets, 'redeemed', -points,
                 tonumber(now), true)
  end
end
redis.call('HSET', KEYS[1], 'status', move.to, 'updated', now, 'reason', reason)
local seq = tonumber(id)
redis.call('ZREM', prefix .. 'redemptions:status:' .. status, id)
redis.call('ZADD', prefix .. 'redemptions:status:' .. move.to, seq, id)
return {'OK'}
