-- Keeps a tenant's outbox within its retention, and never below what a
-- webhook endpoint still needs: the oldest entry it has read and not
-- settled, or the first it has not read (its deliverer turns what it
-- cannot deliver within the retry period into dead letters, which the
-- endpoint keeps itself, and so moves on). Only needs older than the hard
-- bound (twice the retention: no replica has delivered for that long) are
-- trimmed away. Records the id trimmed below, so that a watch cursor older
-- than it is refused rather than silently skipping what was trimmed.
--
-- KEYS[1] the outbox   KEYS[2] outbox:trimmed
-- ARGV: cutoff_ms (now - retention), hard_ms (now - twice the retention)
-- Returns the id trimmed below, '' when nothing was trimmed.
if redis.call('EXISTS', KEYS[1]) == 0 then return '' end
local function ms_of(id) return tonumber(string.match(id, '^(%d+)-')) end
local floor, hard = tonumber(ARGV[1]), tonumber(ARGV[2])
for _, group in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
  local info = {}
  for i = 1, #group - 1, 2 do info[group[i]] = group[i + 1] end
  local needed = nil
  if tonumber(info['pending']) > 0 then
    needed = redis.call('XPENDING', KEYS[1], info['name'])[2]
  else
    local unread = redis.call('XRANGE', KEYS[1],
                              '(' .. info['last-delivered-id'], '+', 'COUNT', 1)
    if #unread > 0 then needed = unread[1][1] end
  end
  local ms = needed and ms_of(needed)
  if ms and ms < floor then floor = math.max(ms, hard) end
end
local below = string.format('%d-0', floor)
if redis.call('XTRIM', KEYS[1], 'MINID', below) == 0 then return '' end
local before = redis.call('GET', KEYS[2])
if not before or ms_of(before) < floor then
  redis.call('SET', KEYS[2], below)
end
return below
