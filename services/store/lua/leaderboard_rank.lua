-- A user's rank on a board and the k entries around it. A hidden user is
-- placed where their score would stand, seen only by themselves (they count
-- in the ranks of those below them).
--
-- KEYS[1] board   KEYS[2] the hidden users' board of the same bucket/scope
-- KEYS[3] display names   KEYS[4] known groups   KEYS[5] names version
-- ARGV: user, k, scope, the names version the caller holds (see
--       NameCache: names are sent only when Redis holds another)
-- Returns {'OK', names version, names sent (0/1), stored_score, rank,
--          participants, hidden (0/1), name,
--          n_above, n_above x (user, stored_score, rank, name),
--          n_below, n_below x (...)} | {'NOT_FOUND'} | {'NO_SCOPE'}
local board, user, k = KEYS[1], ARGV[1], tonumber(ARGV[2])
if ARGV[3] ~= 'global' and redis.call('SISMEMBER', KEYS[4], ARGV[3]) == 0 then
  return {'NO_SCOPE'}
end

local hidden = 0
local score = redis.call('ZSCORE', board, user)
local at  -- the user's position among visible entries (0-based)
local better  -- for a hidden user: how many visible entries score better
if score then
  at = redis.call('ZRANK', board, user)
else
  score = redis.call('ZSCORE', KEYS[2], user)
  if not score then return {'NOT_FOUND'} end
  hidden = 1
  -- Equal scores are ordered by user id, as everywhere: the user goes
  -- before the first equal entry with a greater id (found by bisection).
  better = redis.call('ZCOUNT', board, '-inf', '(' .. score)
  local lo, hi = better, redis.call('ZCOUNT', board, '-inf', score)
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if redis.call('ZRANGE', board, mid, mid)[1] < user then
      lo = mid + 1
    else
      hi = mid
    end
  end
  at = lo
end
local participants = redis.call('ZCARD', board) + hidden

-- One window from k above to k below. Ranks follow from positions (a new
-- score starts at its position, a tie keeps the rank); only the first
-- entry's run may begin above the window: one ZCOUNT places it.
local from = math.max(0, at - k)
local last = hidden == 1 and at + k - 1 or at + k
local items = {}
if last >= from then
  items = redis.call('ZRANGE', board, from, last, 'WITHSCORES')
end
local ids, scores, ranks = {}, {}, {}
for j = 1, #items / 2 do
  ids[j], scores[j] = items[2 * j - 1], items[2 * j]
  if j == 1 then
    ranks[j] = from == 0 and 1 or
        redis.call('ZCOUNT', board, '-inf', '(' .. scores[j]) + 1
  elseif tonumber(scores[j]) == tonumber(scores[j - 1]) then
    ranks[j] = ranks[j - 1]
  else
    ranks[j] = from + j
  end
end
local own = at - from + 1  -- the user's index in the window (1-based)
local rank
if hidden == 0 then
  rank = ranks[own]
elseif own > 1 and tonumber(scores[own - 1]) == tonumber(score) then
  rank = ranks[own - 1]  -- ties the entry just above
else
  rank = better + 1  -- ties below the user share their rank
end
-- Only then the hidden user's own place (a tie copies an adjusted rank).
for j = 1, #scores do
  if hidden == 1 and tonumber(scores[j]) > tonumber(score) then
    ranks[j] = ranks[j] + 1
  end
end
ids[#ids + 1] = user
local version = redis.call('GET', KEYS[5]) or '0'
local names, sent = {}, 0
if version ~= ARGV[4] then
  names, sent = redis.call('HMGET', KEYS[3], unpack(ids)), 1
end

local result = {'OK', version, sent, score, rank, participants, hidden,
                names[#ids] or ''}
local function append(first, final)
  result[#result + 1] = math.max(0, final - first + 1)
  for j = first, final do
    result[#result + 1] = ids[j]
    result[#result + 1] = scores[j]
    result[#result + 1] = ranks[j]
    result[#result + 1] = names[j] or ''
  end
end
append(1, own - 1)
if hidden == 1 then
  append(own, #scores)
else
  append(own + 1, #scores)
end
return result
