-- A manager's daily digest, once: what their direct reports earned on one
-- day of the tenant's calendar (points, who earned most, who earned
-- nothing, awards by action from their ledgers), told to the manager as
-- digest.daily through the outbox. The day's mark makes it happen once per
-- manager, however many replicas try and however often.
--
-- KEYS[1] the day's mark (a set of the managers told)
-- ARGV: prefix, manager, day ("2026-12-07"), day_start_ms, day_end_ms,
--       now_ms, mark_ttl_ms, n_rules, n x (rule_id, action)
-- Returns 'OK' | 'DUP' (told before) | 'SKIP' (left, or no reports now)
local prefix, manager, day = ARGV[1], ARGV[2], ARGV[3]
local start, finish, now = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
if redis.call('SISMEMBER', KEYS[1], manager) == 1 then return 'DUP' end
-- Marked last of all (a script that fails half way is not undone: then
-- no mark, and the next pass makes it whole).
local function mark()
  redis.call('SADD', KEYS[1], manager)
  redis.call('PEXPIRE', KEYS[1], ARGV[7])
end
local groups, _, left = user_info(prefix, manager)
local reports = redis.call('SMEMBERS', prefix .. 'reports:' .. manager)
if left or #reports == 0 then
  mark()
  return 'SKIP'
end
table.sort(reports)
local action_of = {}
for r = 0, tonumber(ARGV[8]) - 1 do
  action_of[ARGV[9 + 2 * r]] = ARGV[10 + 2 * r]
end

-- A member's points that day and their awards by action, from the ledger
-- read newest first until the day began.
local by_action = {}
local function day_of(user)
  local points, top, done = 0, '+', false
  repeat
    local chunk = redis.call('XREVRANGE', prefix .. 'ledger:' .. user, top, '-',
                             'COUNT', 100)
    for _, entry in ipairs(chunk) do
      local f = {}
      for i = 1, #entry[2] - 1, 2 do f[entry[2][i]] = entry[2][i + 1] end
      local at = tonumber(f.at or '0')
      if at < start then
        done = true
        break
      end
      if at < finish and (f.type == 'AWARD' or f.type == 'RETRACT' or
                          f.type == 'ADJUST') then
        points = points + tonumber(f.delta)
        if f.type == 'AWARD' then
          local action = action_of[f.rule or ''] or f.rule or 'other'
          by_action[action] = (by_action[action] or 0) + 1
        end
      end
    end
    if #chunk > 0 then top = '(' .. chunk[#chunk][1] end
  until done or #chunk < 100
  return points
end

local MAX_MEMBERS, TOP, QUIET = 1000, 5, 50
local active, quiet, total, members, truncated = {}, {}, 0, 0, false
for _, user in ipairs(reports) do
  if members == MAX_MEMBERS then
    truncated = true
    break
  end
  if not redis.call('HGET', prefix .. 'user:' .. user, 'left') then
    members = members + 1
    local points = day_of(user)
    total = total + points
    if points ~= 0 then
      active[#active + 1] = {user_id = user, points = points}
    elseif #quiet < QUIET then
      quiet[#quiet + 1] = user
    end
  end
end
table.sort(active, function(a, b)
  if a.points ~= b.points then return a.points > b.points end
  return a.user_id < b.user_id
end)
-- Ids only: no name stays in the outbox (a portal shows today's names,
-- and an erasure leaves none behind).
local top = {}
for i = 1, math.min(TOP, #active) do
  active[i].direct = true
  top[i] = active[i]
end

-- Empty lists are left out (they would encode as objects).
local digest = {manager_id = manager, day = day, points = total,
                members = members, active_members = #active,
                awards_by_action = by_action, truncated = truncated}
if #top > 0 then digest.top_members = top end
if #quiet > 0 then digest.quiet_user_ids = quiet end
notify(prefix, 'digest.daily', {manager}, groups, now, digest)
mark()
return 'OK'
