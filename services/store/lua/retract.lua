-- Reverses exactly what one event paid, once: a RETRACT ledger entry per
-- award (and an event.retracted notification), the leaderboards and points counters it raised lowered again (the
-- event itself still happened: activity stays), and the once-per-object
-- marks released so that a fresh like of the same post pays again (only
-- standing likes are paid).
--
-- KEYS[1] event record
-- ARGV: prefix, event_id, now_ms
-- Returns {'OK', json} | {'ALREADY', json} | {'NOT_FOUND'}
local record = redis.call('HMGET', KEYS[1], 'outcome', 'retraction', 'once',
                          'boards')
if not record[1] then return {'NOT_FOUND'} end
if record[2] then return {'ALREADY', record[2]} end

local prefix, event_id, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local outcome = cjson.decode(record[1])
local boards = record[4] and cjson.decode(record[4]) or {buckets = {}, scopes = {}}
local reversals, balances, users, groups = {}, {}, {}, {}
for _, award in ipairs(outcome.awards or {}) do
  local user = award.user_id
  local delta = string.format('%d', -award.points)
  local account = prefix .. 'acct:' .. user
  local balance = redis.call('HINCRBY', account, 'balance', delta)
  redis.call('HINCRBY', account, 'earned', delta)
  redis.call('XADD', prefix .. 'ledger:' .. user, '*', 'type',
             'RETRACT', 'delta', delta, 'balance', balance,
             'ref', 'event:' .. event_id, 'rule', award.rule_id, 'at', ARGV[3])
  local user_groups, hidden = user_info(prefix, user)
  if not balances[user] then
    users[#users + 1] = user
    groups[#groups + 1] = user_groups
  end
  balances[user] = balance
  local scopes = boards.scopes[user] or {}
  -- An erased user is on no board, and must not come back on one.
  if redis.call('HGET', prefix .. 'user:' .. user, 'erased') ~= '1' then
    add_to_boards(prefix, user, hidden, scopes, boards.buckets, -award.points,
                  now, true)
  end
  count_points(prefix, scopes, boards.buckets, 'points', -award.points, now,
               true)
  reversals[#reversals + 1] = {user_id = user, points = -award.points,
                               rule_id = award.rule_id}
end
if record[3] then
  for _, mark in ipairs(cjson.decode(record[3])) do
    redis.call('SREM', mark[1], mark[2])
  end
end

local retraction = {event_id = event_id}
if #reversals > 0 then retraction.reversals = reversals end
local json = cjson.encode(retraction)
redis.call('HSET', KEYS[1], 'retraction', json, 'retracted_at', ARGV[3])
if #reversals > 0 then
  notify(prefix, 'event.retracted', users, table.concat(groups, ' '), ARGV[3],
         {event_id = event_id, reversals = reversals, balances = balances})
end
return {'OK', json}
