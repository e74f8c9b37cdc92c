-- A manager's team on one bucket's global board, read at once: each
-- report's points (visible or hidden board) and name, walking the managers'
-- report sets (direct reports, or everyone under the manager). Leavers are
-- no longer part of the team. The caller's right is checked here too: an
-- actor acting as a manager must be the manager or manage them.
--
-- KEYS[1] the names hash
-- ARGV: prefix, manager, actor ('' = an admin asks), bucket key,
--       include_indirect (0/1), max members
-- Returns {'OK', truncated (0/1), n x (user, direct (0/1), points, name)}
--         | {'NOT_FOUND'} | {'NOT_MANAGER'}
local prefix, manager, actor, bucket = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local indirect, limit = ARGV[5] == '1', tonumber(ARGV[6])
if redis.call('EXISTS', prefix .. 'user:' .. manager) == 0 then
  return {'NOT_FOUND'}
end
local actor_left = actor ~= '' and
                   redis.call('HGET', prefix .. 'user:' .. actor, 'left')
if actor ~= '' and (actor_left or
                    (actor ~= manager and not manages(prefix, actor, manager))) then
  return {'NOT_MANAGER'}
end

local board = bucket .. ':global'
local reply, seen, truncated = {'OK', 0}, {[manager] = true}, false
local queue, next_index, count = {{manager, true}}, 1, 0
while next_index <= #queue and not truncated do
  local boss, direct = queue[next_index][1], queue[next_index][2]
  next_index = next_index + 1
  for _, user in ipairs(redis.call('SMEMBERS', prefix .. 'reports:' .. boss)) do
    if not seen[user] then
      seen[user] = true
      if count == limit then
        truncated = true
        break
      end
      if not redis.call('HGET', prefix .. 'user:' .. user, 'left') then
        local score = redis.call('ZSCORE', prefix .. 'lb:' .. board, user) or
                      redis.call('ZSCORE', prefix .. 'lbh:' .. board, user) or '0'
        reply[#reply + 1] = user
        reply[#reply + 1] = direct and '1' or '0'
        reply[#reply + 1] = string.format('%d', -tonumber(score))
        reply[#reply + 1] = redis.call('HGET', KEYS[1], user) or ''
        count = count + 1
      end
      if indirect then queue[#queue + 1] = {user, false} end
    end
  end
end
reply[2] = truncated and 1 or 0
return reply
