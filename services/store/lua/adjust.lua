-- An HR grant or deduction, or a manager's grant to a report, idempotent
-- by request_id, never below zero, told as balance.adjusted. It counts on the leaderboards of the
-- current buckets (a deduction lowers). A leaver's balance is settled:
-- refused.
--
-- KEYS[1] adjustment record
-- ARGV: prefix, user_id, delta, reason, now_ms, request_id, fingerprint,
--       manager ('' = HR acts; else must manage the user),
--       buckets (see read_buckets)
-- Returns {'OK'|'DUP', entry_id, delta, balance_after, at, reason,
--          balance, earned} | {'MISMATCH'} | {'INSUFFICIENT', balance}
--         | {'DEACTIVATED'} | {'NOT_MANAGER'}
local prefix, user, delta, reason = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local now, request_id, fingerprint = ARGV[5], ARGV[6], ARGV[7]
local account = prefix .. 'acct:' .. user

local function reply(status, record)
  local current = redis.call('HMGET', account, 'balance', 'earned')
  return {status, record[1], record[2], record[3], record[4], record[5],
          current[1] or '0', current[2] or '0'}
end

local prior = redis.call('HMGET', KEYS[1], 'fingerprint', 'entry_id', 'delta',
                         'balance_after', 'at', 'reason')
if prior[1] then
  if prior[1] ~= fingerprint then return {'MISMATCH'} end
  return reply('DUP', {prior[2], prior[3], prior[4], prior[5], prior[6]})
end

local groups, hidden, left = user_info(prefix, user)
if left then return {'DEACTIVATED'} end
local manager = ARGV[8]
if manager ~= '' and not manages(prefix, manager, user) then
  return {'NOT_MANAGER'}
end

local balance = tonumber(redis.call('HGET', account, 'balance') or '0')
if balance + delta < 0 then return {'INSUFFICIENT', tostring(balance)} end

balance = redis.call('HINCRBY', account, 'balance', ARGV[3])
redis.call('HINCRBY', account, 'earned', ARGV[3])
local entry_id = redis.call('XADD', prefix .. 'ledger:' .. user, '*', 'type',
                            'ADJUST', 'delta', ARGV[3], 'balance', balance,
                            'ref', 'adjust:' .. request_id, 'reason', reason,
                            'at', now)
local buckets = read_buckets(9)
local scopes = scopes_of(prefix, groups)
add_to_boards(prefix, user, hidden, scopes, buckets, delta, tonumber(now), false)
count_points(prefix, scopes, buckets, 'points', delta, tonumber(now), false)
redis.call('HSET', KEYS[1], 'fingerprint', fingerprint, 'entry_id', entry_id,
           'delta', ARGV[3], 'balance_after', balance, 'at', now,
           'reason', reason)
notify(prefix, 'balance.adjusted', {user}, groups, now,
       {user_id = user, delta = delta, balance = balance, reason = reason,
        request_id = request_id, manager_id = manager})
return reply('OK', {entry_id, ARGV[3], tostring(balance), now, reason})
