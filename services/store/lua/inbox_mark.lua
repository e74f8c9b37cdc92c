-- Marks a user's notifications read up to an id (never back: an older id
-- than the mark changes nothing).
--
-- KEYS[1] the user's inbox   KEYS[2] the read marks (inbox-read)
-- ARGV: user, up_to ('' = the newest the inbox holds; never beyond it)
-- Returns {read_up_to ('' = none), unread (counted up to 100)}
local function older(a, b)  -- stream ids: is a before b?
  local a_ms, a_seq = string.match(a, '^(%d+)-(%d+)$')
  local b_ms, b_seq = string.match(b, '^(%d+)-(%d+)$')
  a_ms, b_ms = tonumber(a_ms), tonumber(b_ms)
  if a_ms ~= b_ms then return a_ms < b_ms end
  return tonumber(a_seq) < tonumber(b_seq)
end

local mark = redis.call('HGET', KEYS[2], ARGV[1]) or ''
-- Never past the newest (a made-up later id would mark the future read).
local up_to = ARGV[2]
local newest = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
newest = #newest > 0 and newest[1][1] or ''
if up_to == '' or (newest ~= '' and older(newest, up_to)) then up_to = newest end
if up_to ~= '' and (mark == '' or older(mark, up_to)) then
  mark = up_to
  redis.call('HSET', KEYS[2], ARGV[1], mark)
end
local after_mark = mark == '' and '-' or '(' .. mark
return {mark, #redis.call('XREVRANGE', KEYS[1], '+', after_mark, 'COUNT', 100)}
