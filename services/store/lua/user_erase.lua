-- Erases the personal data of a deactivated user, all at once: their
-- display name; the free texts about them (reasons on their ledger, their
-- adjustment records and redemptions, and in the audit trail's entries
-- about them) replaced by '[erased]'; their entries on every board,
-- visible and hidden; their groups and manager link, and their reports'
-- links to them; the notifications about them (taken out of the outbox,
-- so that no webhook or watcher receives them later, and out of webhooks'
-- dead letters) and their inbox.
-- Amounts, balances and engagement counters stay: totals still add up.
-- Streams cannot be edited in place, so a stream with something to erase
-- is written again, entry by entry, with the same ids (the outbox, whose
-- consumers keep their places in it, has its entries deleted instead).
--
-- KEYS[1] user record
-- ARGV: prefix, user, now_ms, buckets (every retained one, see read_buckets)
-- Returns {'OK', name_erased, ledger_texts, redemption_texts,
--          board_entries, groups, manager_erased, reports_unlinked,
--          notifications}
--         | {'NOT_FOUND'} | {'ACTIVE'} | {'ALREADY'}
local prefix, user = ARGV[1], ARGV[2]
local names = prefix .. 'names'
if redis.call('EXISTS', KEYS[1]) == 0 then return {'NOT_FOUND'} end
local record = redis.call('HMGET', KEYS[1], 'left', 'erased', 'groups',
                          'manager')
if record[2] == '1' then return {'ALREADY'} end
if not record[1] then return {'ACTIVE'} end
local ERASED = '[erased]'

-- Rewrites `key` when redact(fields) changes any entry's fields (a flat
-- name, value array, changed in place); returns how many entries changed.
local function rewrite_stream(key, redact)
  local entries, changed, start = {}, 0, '-'
  repeat
    local chunk = redis.call('XRANGE', key, start, '+', 'COUNT', 1000)
    for _, entry in ipairs(chunk) do
      if redact(entry[2]) then changed = changed + 1 end
      entries[#entries + 1] = entry
    end
    if #chunk > 0 then start = '(' .. chunk[#chunk][1] end
  until #chunk < 1000
  if changed == 0 then return 0 end
  redis.call('DEL', key)
  for _, entry in ipairs(entries) do
    redis.call('XADD', key, entry[1], unpack(entry[2]))
  end
  return changed
end

-- `json` with the string value of every "<name>": field replaced.
local function redact_json(json, name)
  local out, from = {}, 1
  local opening = '"' .. name .. '":"'
  while true do
    local s, e = string.find(json, opening, from, true)
    if not s then break end
    local i = e + 1
    while i <= #json and string.sub(json, i, i) ~= '"' do
      if string.sub(json, i, i) == '\\' then i = i + 1 end
      i = i + 1
    end
    out[#out + 1] = string.sub(json, from, e) .. ERASED
    from = i
  end
  out[#out + 1] = string.sub(json, from)
  return table.concat(out)
end

local adjustments = {}
local ledger_texts = rewrite_stream(prefix .. 'ledger:' .. user, function(f)
  local changed = false
  for i = 1, #f - 1, 2 do
    if f[i] == 'ref' and string.sub(f[i + 1], 1, 7) == 'adjust:' then
      adjustments[#adjustments + 1] = f[i + 1]
    end
    if f[i] == 'reason' and f[i + 1] ~= '' and f[i + 1] ~= ERASED then
      f[i + 1], changed = ERASED, true
    end
  end
  return changed
end)
for _, ref in ipairs(adjustments) do
  local adjustment = prefix .. ref
  if redis.call('EXISTS', adjustment) == 1 then
    redis.call('HSET', adjustment, 'reason', ERASED, 'fingerprint', ERASED)
  end
end

local redemption_texts = 0
for _, id in ipairs(redis.call('ZRANGE', prefix .. 'redemptions:user:' .. user,
                               0, -1)) do
  local redemption = prefix .. 'redemption:' .. id
  if (redis.call('HGET', redemption, 'reason') or '') ~= '' then
    redis.call('HSET', redemption, 'reason', ERASED)
    redemption_texts = redemption_texts + 1
  end
end

-- Whether a decoded JSON document names the user as a user_id anywhere.
-- (Decoded, not searched as text: JSON may escape an id in several ways.)
local function names_user(doc)
  if type(doc) ~= 'table' then return false end
  for key, value in pairs(doc) do
    if (key == 'user_id' or key == 'userId') and value == user then
      return true
    end
    if names_user(value) then return true end
  end
  return false
end
local function about_user(json)
  if json == '' or not string.find(json, 'user', 1, true) then return false end
  local ok, doc = pcall(cjson.decode, json)
  return ok and names_user(doc)
end
rewrite_stream(prefix .. 'audit', function(f)
  local about = false
  for i = 1, #f - 1, 2 do
    about = about or (f[i] == 'target' and f[i + 1] == user) or
            ((f[i] == 'before' or f[i] == 'after') and about_user(f[i + 1]))
  end
  if not about then return false end
  local changed = false
  for i = 1, #f - 1, 2 do
    if f[i] == 'before' or f[i] == 'after' then
      local redacted = redact_json(redact_json(f[i + 1], 'reason'),
                                   'display_name')
      changed = changed or redacted ~= f[i + 1]
      f[i + 1] = redacted
    end
  end
  return changed
end)

-- Notifications: the outbox's entries concerning the user, and the inbox.
local notifications, start = 0, '-'
local outbox = prefix .. 'outbox'
repeat
  local chunk = redis.call('XRANGE', outbox, start, '+', 'COUNT', 1000)
  local about = {}
  for _, entry in ipairs(chunk) do
    local f = entry[2]
    for i = 1, #f - 1, 2 do
      if f[i] == 'u' and string.find(' ' .. f[i + 1] .. ' ', ' ' .. user .. ' ',
                                     1, true) then
        about[#about + 1] = entry[1]
      end
    end
  end
  if #about > 0 then
    notifications = notifications + redis.call('XDEL', outbox, unpack(about))
  end
  if #chunk > 0 then start = '(' .. chunk[#chunk][1] end
until #chunk < 1000
redis.call('DEL', prefix .. 'inbox:' .. user)
redis.call('HDEL', prefix .. 'inbox-read', user)
-- Webhooks' dead letters about the user (each holds its notification).
for _, hook in ipairs(redis.call('SMEMBERS', prefix .. 'webhooks')) do
  local dead = prefix .. 'webhook-dead:' .. hook
  for _, letter in ipairs(redis.call('ZRANGE', dead, 0, -1)) do
    local ok, doc = pcall(cjson.decode, letter)
    if ok and type(doc) == 'table' and type(doc.u) == 'string' and
       string.find(' ' .. doc.u .. ' ', ' ' .. user .. ' ', 1, true) then
      notifications = notifications + redis.call('ZREM', dead, letter)
    end
  end
end

local board_entries = 0
local buckets = read_buckets(4)
local scopes = prefix .. 'scopes:' .. user
for _, scope in ipairs(redis.call('SMEMBERS', scopes)) do
  for _, bucket in ipairs(buckets) do
    for _, board in ipairs({'lb:', 'lbh:'}) do
      board_entries = board_entries + redis.call(
          'ZREM', prefix .. board .. bucket.key .. ':' .. scope, user)
    end
  end
end
redis.call('DEL', scopes)

local groups = 0
for _ in string.gmatch(record[3] or '', '%S+') do groups = groups + 1 end
local manager = record[4] or ''
if manager ~= '' then redis.call('SREM', prefix .. 'reports:' .. manager, user) end
local reports = prefix .. 'reports:' .. user
local unlinked = 0
for _, report in ipairs(redis.call('SMEMBERS', reports)) do
  redis.call('HSET', prefix .. 'user:' .. report, 'manager', '')
  unlinked = unlinked + 1
end
redis.call('DEL', reports)

local name_erased = redis.call('HDEL', names, user)
-- Replicas keep names in memory (see NameCache): this drops them.
if name_erased == 1 then redis.call('INCR', prefix .. 'names:version') end
redis.call('HSET', KEYS[1], 'groups', '', 'manager', '', 'erased', '1')
return {'OK', name_erased, ledger_texts, redemption_texts, board_entries,
        groups, manager ~= '' and 1 or 0, unlinked, notifications}
