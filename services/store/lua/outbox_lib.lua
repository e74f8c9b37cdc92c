-- Notifications, appended by the script that makes the change they tell
-- of (this source is prepended to every script that changes points or
-- redemptions), so that there is no change without its notification and
-- no notification without the change:
--   <prefix>outbox        stream, one entry per notification:
--                         k kind, u its users (space separated), g their
--                         groups (for webhooks' group filters), at now_ms,
--                         p the payload (JSON of the kind's proto message)
--   <prefix>inbox:<user>  stream: each entry concerning the user, under the
--                         same id, by kind and time (the rest is read from
--                         the outbox); the latest INBOX_KEEP kept
-- Entry ids are "<now_ms>-<n>": increasing, and read as the time by the
-- outbox's age-bounded trimming (services/notifications).
local INBOX_KEEP = 100

-- Appends `fields` to the stream `key` under an id of the script's clock;
-- when that is behind the stream's last id (another replica's clock, a
-- test's), right after the last id instead. Returns the id.
local function append_in_order(key, now_ms, fields)
  local id = redis.pcall('XADD', key, now_ms .. '-*', unpack(fields))
  if type(id) == 'string' then return id end
  local info = redis.call('XINFO', 'STREAM', key)
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' then
      local last_ms = string.match(info[i + 1], '^(%d+)-')
      return redis.call('XADD', key, last_ms .. '-*', unpack(fields))
    end
  end
  return redis.error_reply('outbox: no last id of ' .. key)
end

-- Tells of a change: `kind` ('award.paid', ...), the users it concerns and
-- their groups (space separated, repeats allowed), the payload (a table
-- encoded as the kind's proto message in JSON: int64 fields as numbers,
-- empty arrays left out). Returns the notification's id.
local function notify(prefix, kind, users, groups, now_ms, payload)
  now_ms = string.format('%d', now_ms)
  local p = cjson.encode(payload)
  local id = append_in_order(prefix .. 'outbox', now_ms,
                             {'k', kind, 'u', table.concat(users, ' '),
                              'g', groups, 'at', now_ms, 'p', p})
  for _, user in ipairs(users) do
    redis.call('XADD', prefix .. 'inbox:' .. user, 'MAXLEN', '~', INBOX_KEEP,
               id, 'k', kind, 'at', now_ms)
  end
  return id
end
