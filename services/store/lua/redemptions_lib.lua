-- Giving a redemption back (rejected by HR, cancelled by the employee or
-- on their leaving), shared by the scripts that do it (this source is
-- prepended to them, after the boards library): the points refunded
-- (REFUND ledger entry), the stock, the per-user limit and the
-- points-redeemed counters returned, the status moved. Callers check the
-- status first: every refund happens at most once.

-- Returns the points refunded.
local function give_back_redemption(prefix, id, to_status, reason, now)
  local key = prefix .. 'redemption:' .. id
  local r = redis.call('HMGET', key, 'status', 'user', 'reward', 'quantity',
                       'points', 'stock_taken', 'limit_key', 'stats')
  local user, points = r[2], tonumber(r[5])
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
  return points
end

-- Tells of a redemption in its new status: redemption.placed (its first),
-- .approved, .rejected, .fulfilled, .cancelled.
local function notify_redemption(prefix, id, kind, reason, now)
  local r = redis.call('HMGET', prefix .. 'redemption:' .. id, 'user', 'reward',
                       'title', 'quantity', 'points', 'status')
  local user = r[1]
  local groups = user_info(prefix, user)
  notify(prefix, kind, {user}, groups, now,
         {redemption_id = id, user_id = user, reward_id = r[2],
          reward_title = r[3], quantity = tonumber(r[4]),
          points = tonumber(r[5]), status = r[6], reason = reason,
          balance = tonumber(redis.call('HGET', prefix .. 'acct:' .. user,
                                        'balance') or '0')})
end

-- Sets a redemption's status, moves it between the status indexes and
-- tells of it.
local function set_redemption_status(prefix, id, from, to, reason, now)
  redis.call('HSET', prefix .. 'redemption:' .. id, 'status', to,
             'updated', now, 'reason', reason)
  local seq = tonumber(id)
  redis.call('ZREM', prefix .. 'redemptions:status:' .. from, id)
  redis.call('ZADD', prefix .. 'redemptions:status:' .. to, seq, id)
  notify_redemption(prefix, id, 'redemption.' .. string.lower(to), reason, now)
end
