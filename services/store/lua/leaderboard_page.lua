-- One page of a board, best first, with competition ranks and names.
-- Boards store -points (see boards_lib.lua): ascending order is best first,
-- equal scores by user id.
--
-- KEYS[1] board
-- ARGV: prefix, count, after_score ('' = first page), after_user
--   (the page starts after the entry (after_score, after_user), even if
--    that entry has moved or left the board since)
-- Returns {participants, n, n x (user, stored_score, rank, name)}
local board, prefix, count = KEYS[1], ARGV[1], tonumber(ARGV[2])

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
if ARGV[3] ~= '' then
  local after_score, after_user = ARGV[3], ARGV[4]
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
local result = {redis.call('ZCARD', board), #items / 2}
local rank, previous = 0, nil
for j = 1, #items, 2 do
  local user, score = items[j], items[j + 1]
  if previous == nil then
    rank = redis.call('ZCOUNT', board, '-inf', '(' .. score) + 1
  elseif tonumber(score) ~= tonumber(previous) then
    rank = start + (j + 1) / 2
  end
  previous = score
  result[#result + 1] = user
  result[#result + 1] = score
  result[#result + 1] = rank
  result[#result + 1] = redis.call('HGET', prefix .. 'user:' .. user, 'name') or ''
end
return result
