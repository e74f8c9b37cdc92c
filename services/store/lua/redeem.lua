-- Places a redemption atomically: checks the reward (exists, active, not
-- archived, group, stock, per-user limit), that the user has not left,
-- and the balance, then debits the
-- points (REDEEM ledger entry), takes stock and records the redemption
-- (told as redemption.placed).
-- Idempotent by request_id. Nothing changes when it refuses.
--
-- KEYS[1] request record   KEYS[2] reward hash   KEYS[3] account
-- ARGV: prefix, user_id, reward_id, quantity, now_ms, fingerprint,
--       buckets (see read_buckets: where points redeemed are counted),
--       5 x (period name, bucket key, ttl_ms; 0 = kept) for per-user limits
-- Returns {'OK'|'DUP', redemption_id, balance} | {'MISMATCH'} |
--         {'NOT_FOUND'} | {'REFUSED', reason, detail}
local prefix, user, reward_id = ARGV[1], ARGV[2], ARGV[3]
local quantity, now, fingerprint = tonumber(ARGV[4]), ARGV[5], ARGV[6]
local buckets, limits_at = read_buckets(7)

local prior = redis.call('HMGET', KEYS[1], 'fingerprint', 'redemption')
if prior[1] then
  if prior[1] ~= fingerprint then return {'MISMATCH'} end
  return {'DUP', prior[2], redis.call('HGET', KEYS[3], 'balance') or '0'}
end

local r = redis.call('HMGET', KEYS[2], 'cost', 'stock', 'active', 'archived',
                     'group', 'approval', 'limit_qty', 'limit_period', 'title')
if not r[1] then return {'NOT_FOUND'} end
local cost, stock = tonumber(r[1]), tonumber(r[2] or '-1')
if r[4] == '1' then return {'REFUSED', 'archived', ''} end
if r[3] ~= '1' then return {'REFUSED', 'inactive', ''} end
local groups, _, left = user_info(prefix, user)
if left then return {'REFUSED', 'deactivated', ''} end
if r[5] ~= '' then
  if not string.find(' ' .. groups .. ' ', ' ' .. r[5] .. ' ', 1, true) then
    return {'REFUSED', 'group', r[5]}
  end
end
if stock ~= -1 and stock < quantity then
  return {'REFUSED', 'stock', tostring(stock)}
end
local limit_key, limit_ttl = nil, nil
local limit_qty = tonumber(r[7] or '0')
if limit_qty > 0 then
  for i = limits_at, #ARGV, 3 do
    if ARGV[i] == r[8] then
      limit_key = prefix .. 'redeemed:' .. reward_id .. ':' .. ARGV[i + 1] ..
                  ':' .. user
      limit_ttl = ARGV[i + 2]
    end
  end
  local used = tonumber(redis.call('GET', limit_key) or '0')
  if used + quantity > limit_qty then
    return {'REFUSED', 'limit', tostring(limit_qty - used)}
  end
end
local points = cost * quantity
local balance = tonumber(redis.call('HGET', KEYS[3], 'balance') or '0')
if balance < points then
  return {'REFUSED', 'balance', tostring(balance)}
end

local id = tostring(redis.call('INCR', prefix .. 'redemptions:seq'))
local delta = string.format('%d', -points)
balance = redis.call('HINCRBY', KEYS[3], 'balance', delta)
redis.call('XADD', prefix .. 'ledger:' .. user, '*', 'type', 'REDEEM',
           'delta', delta, 'balance', balance, 'ref', 'redemption:' .. id,
           'at', now)
if stock ~= -1 then redis.call('HINCRBY', KEYS[2], 'stock', -quantity) end
if limit_key then
  redis.call('INCRBY', limit_key, quantity)
  if limit_ttl ~= '0' then redis.call('PEXPIRE', limit_key, limit_ttl) end
end
local scopes = scopes_of(prefix, groups)
count_points(prefix, scopes, buckets, 'redeemed', points, tonumber(now), false)
local status = r[6] == '1' and 'PENDING' or 'APPROVED'
redis.call('HSET', prefix .. 'redemption:' .. id, 'user', user,
           'reward', reward_id, 'title', r[9] or '', 'quantity', quantity,
           'points', points, 'status', status, 'request_id',
           string.sub(KEYS[1], #prefix + #'redeem:' + 1), 'created', now,
           'updated', now, 'stock_taken', stock ~= -1 and '1' or '0',
           'limit_key', limit_key or '',
           'stats', cjson.encode({buckets = buckets, scopes = scopes}))
local seq = tonumber(id)
redis.call('ZADD', prefix .. 'redemptions:all', seq, id)
redis.call('ZADD', prefix .. 'redemptions:user:' .. user, seq, id)
redis.call('ZADD', prefix .. 'redemptions:status:' .. status, seq, id)
redis.call('HSET', KEYS[1], 'fingerprint', fingerprint, 'redemption', id)
notify(prefix, 'redemption.placed', {user}, groups, now,
       {redemption_id = id, user_id = user, reward_id = reward_id,
        reward_title = r[9] or '', quantity = quantity, points = points,
        status = status, balance = balance})
return {'OK', id, tostring(balance)}
