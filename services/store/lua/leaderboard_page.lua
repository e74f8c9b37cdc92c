-- One page of a board, best first, with competition ranks and names.
-- Boards store -points (see boards_lib.lua): ascending order is best first,
-- equal scores by user id.
--
-- KEYS[1] board   KEYS[2] display names   KEYS[3] known groups
-- KEYS[4] names version
-- ARGV: count, after_score ('' = first page), after_user, scope, the names
--       version the caller holds (see NameCache: names are sent only when
--       Redis holds another)
--   (the page starts after the entry (after_score, after_user), even if
--    that entry has moved or left the board since)
-- Returns {participants, names version, names sent (0/1), n,
--          n x (user, stored_score, rank, name)} |
--         {'NO_SCOPE'} (a group nobody belongs to)
local board, count, scope = KEYS[1], tonumber(ARGV[1]), ARGV[4]
if scope ~= 'global' and redis.call('SISMEMBER', KEYS[3], scope) == 0 then
  return {'NO_SCOPE'}
end

-- a <= b in memcmp order, as sorted sets order equal scores. (Lua's own <=
-- uses strcoll, and Redis takes LC_COLLATE from its environment.)
local function bytes_le(a, b)
  for p = 1, math.min(#a, #b) do
    local x, y = string.byte(a, p), string.byte(b, p)
    if x ~= y then return x < y end
  end
  return #a <= #b
end

local start = 0
if ARGV[2] ~= '' then
  local after_score, after_user = ARGV[2], ARGV[3]
  -- Entries with a lower stored score come first, then equal scores by id:
  -- binary search the run of equal scores for the first id > after_user.
  local lo = redis.call('ZCOUNT', board, '-inf', '(' .. after_score)
  local hi = redis.call('ZCOUNT', board, '-inf', after_score)
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if bytes_le(redis.call('ZRANGE', board, mid, mid)[1], after_user) then
      lo = mid + 1
    else
      hi = mid
    end
  end
  start = lo
end

local items = redis.call('ZRANGE', board, start, start + count - 1, 'WITHSCORES')
local n = #items / 2
local version = redis.call('GET', KEYS[4]) or '0'
local names, sent = {}, 0
if n > 0 and version ~= ARGV[5] then
  local ids = {}
  for j = 1, n do ids[j] = items[2 * j - 1] end
  names, sent = redis.call('HMGET', KEYS[2], unpack(ids)), 1
end
local result = {redis.call('ZCARD', board), version, sent, n}
if n == 0 then return result end

-- The first entry's rank counts those ahead; the rest follow from
-- positions: a new score starts at its position, a tie keeps the rank.
local rank = redis.call('ZCOUNT', board, '-inf', '(' .. items[2]) + 1
for j = 1, n do
  local score = items[2 * j]
  if j > 1 and tonumber(score) ~= tonumber(items[2 * j - 2]) then
    rank = start + j
  end
  result[#result + 1] = items[2 * j - 1]
  result[#result + 1] = score
  result[#result + 1] = rank
  result[#result + 1] = names[j] or ''
end
return result
