-- A user's rank on a board and the k entries around it. A hidden user is
-- placed where their score would stand, seen only by themselves.
--
-- KEYS[1] board   KEYS[2] the hidden users' board of the same bucket/scope
-- ARGV: prefix, user, k
-- Returns {'OK', stored_score, rank, participants, hidden (0/1), name,
--          n_above, n_above x (user, stored_score, rank, name),
--          n_below, n_below x (...)} | {'NOT_FOUND'}
local board, prefix, user, k = KEYS[1], ARGV[1], ARGV[2], tonumber(ARGV[3])

local hidden = 0
local score = redis.call('ZSCORE', board, user)
local position  -- of the first entry below the user, among visible ones
if score then
  position = redis.call('ZRANK', board, user) + 1
else
  score = redis.call('ZSCORE', KEYS[2], user)
  if not score then return {'NOT_FOUND'} end
  hidden = 1
  position = redis.call('ZCOUNT', board, '-inf', score)
end
local better = redis.call('ZCOUNT', board, '-inf', '(' .. score)
local rank = better + 1
local participants = redis.call('ZCARD', board) + hidden

local function name_of(id)
  return redis.call('HGET', prefix .. 'user:' .. id, 'name') or ''
end

-- Appends entries [from, to] (positions) with their ranks; a hidden user
-- counts in the ranks of those below them (they see themselves on the board).
local function append(result, from, to)
  local items = {}
  if to >= from then
    items = redis.call('ZRANGE', board, from, to, 'WITHSCORES')
  end
  result[#result + 1] = #items / 2
  for j = 1, #items, 2 do
    local id, s = items[j], items[j + 1]
    local r = redis.call('ZCOUNT', board, '-inf', '(' .. s) + 1
    if hidden == 1 and tonumber(s) > tonumber(score) then r = r + 1 end
    result[#result + 1] = id
    result[#result + 1] = s
    result[#result + 1] = r
    result[#result + 1] = name_of(id)
  end
end

local own = hidden == 1 and position or position - 1  -- the user's position
local result = {'OK', score, rank, participants, hidden, name_of(user)}
append(result, math.max(0, own - k), own - 1)
append(result, position, position + k - 1)
return result
