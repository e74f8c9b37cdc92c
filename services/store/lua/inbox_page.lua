-- One page of a user's inbox, newest first, with their read mark and how
-- many are unread (counted up to 100). Each entry is the outbox's, read by
-- id (O(page)); one the outbox no longer keeps comes as the inbox has it
-- (its kind and time). Reads only.
--
-- KEYS[1] the user's inbox   KEYS[2] the read marks (inbox-read)
-- KEYS[3] the outbox
-- ARGV: user, before ('' = from the newest; else an id: older ones),
--       unread_only ('1' | '0'), limit
-- Returns {read_up_to ('' = none), unread, entries (limit + 1 at most)}
local mark = redis.call('HGET', KEYS[2], ARGV[1]) or ''
local after_mark = mark == '' and '-' or '(' .. mark
local top = ARGV[2] == '' and '+' or '(' .. ARGV[2]
local page = redis.call('XREVRANGE', KEYS[1], top,
                        ARGV[3] == '1' and after_mark or '-',
                        'COUNT', tonumber(ARGV[4]) + 1)
for i, entry in ipairs(page) do
  local full = redis.call('XRANGE', KEYS[3], entry[1], entry[1])
  if #full == 1 then page[i] = full[1] end
end
local unread = #redis.call('XREVRANGE', KEYS[1], '+', after_mark, 'COUNT', 100)
return {mark, unread, page}
