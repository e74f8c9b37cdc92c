-- Creates or replaces users (display name, groups, manager), all or none:
-- every user is checked first — not erased, and their manager chain as it
-- will be after the whole batch ends within MAX_CHAIN without coming back
-- to them — then all are written, in order (a user named twice: the last
-- wins). Keeps each manager's set of direct reports.
--
-- KEYS[1] the names hash   KEYS[2] the names version (bumped when a name
-- changes: replicas keep names in memory, see NameCache)
-- ARGV: prefix, n, then n x (user_id, display_name, groups (space
--       separated), manager_id ('' = none))
-- Returns {'OK'} | {'ERASED', index} | {'LOOP', index, chain}
--         | {'TOO_DEEP', index}
local prefix, n = ARGV[1], tonumber(ARGV[2])
local FIELDS = 4
local function user_key(id) return prefix .. 'user:' .. id end

local batch = {}  -- user -> manager, as the batch leaves it
for k = 0, n - 1 do batch[ARGV[3 + FIELDS * k]] = ARGV[6 + FIELDS * k] end
local function manager_of(id)
  local manager = batch[id]
  if manager == nil then
    manager = redis.call('HGET', user_key(id), 'manager') or ''
  end
  return manager
end

for k = 0, n - 1 do
  local user = ARGV[3 + FIELDS * k]
  if redis.call('HGET', user_key(user), 'erased') == '1' then
    return {'ERASED', tostring(k)}
  end
  local chain, at = {user}, user
  for depth = 1, MAX_CHAIN + 1 do
    at = manager_of(at)
    if at == '' then break end
    chain[#chain + 1] = at
    if at == user then return {'LOOP', tostring(k), table.concat(chain, ' -> ')} end
    if depth > MAX_CHAIN then return {'TOO_DEEP', tostring(k)} end
  end
end

local renamed = false
for k = 0, n - 1 do
  local base = 3 + FIELDS * k
  local user, name, groups, manager = ARGV[base], ARGV[base + 1],
                                      ARGV[base + 2], ARGV[base + 3]
  local key = user_key(user)
  local before = redis.call('HGET', key, 'manager') or ''
  if before ~= manager then
    if before ~= '' then redis.call('SREM', prefix .. 'reports:' .. before, user) end
    if manager ~= '' then
      redis.call('SADD', prefix .. 'reports:' .. manager, user)
      redis.call('SADD', prefix .. 'managers', manager)  -- for digests
    end
  end
  redis.call('HSET', key, 'groups', groups, 'manager', manager)
  if redis.call('HGET', KEYS[1], user) ~= name then
    redis.call('HSET', KEYS[1], user, name)
    renamed = true
  end
  local known = {}
  for group in string.gmatch(groups, '%S+') do known[#known + 1] = group end
  if #known > 0 then redis.call('SADD', prefix .. 'groups', unpack(known)) end
end
if renamed then redis.call('INCR', KEYS[2]) end
return {'OK'}
