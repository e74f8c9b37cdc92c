-- HR's changes to a webhook endpoint, each whole or not at all. An enabled
-- endpoint is a consumer group "wh:<id>" on the tenant's outbox, made at
-- the outbox's end: it receives what happens from then on. Disabling or
-- deleting it drops the group (what happens meanwhile is not delivered
-- later), so it never holds back the outbox's trimming.
--
-- KEYS[1] the webhook's hash   KEYS[2] the tenant's webhooks (set)
-- KEYS[3] the outbox
-- ARGV: op, prefix, id, now_ms, then per op:
--   create: url, kinds, group, description, disabled ('1'|''), secret
--   update: version expected, url, kinds, group, description, disabled
--   delete
--   rotate: secret, keep_old_until_ms
-- Returns {'OK', version} | {'EXISTS'} | {'NOT_FOUND'} | {'CHANGED'}
local op, prefix, id, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local hook, group = KEYS[1], 'wh:' .. id
local exists = redis.call('EXISTS', hook) == 1

local function start_group()
  local made = redis.pcall('XGROUP', 'CREATE', KEYS[3], group, '$', 'MKSTREAM')
  if type(made) == 'table' and made.err then  -- there already: from now on
    redis.call('XGROUP', 'SETID', KEYS[3], group, '$')
  end
end
local function stop_group()
  if redis.call('EXISTS', KEYS[3]) == 1 then
    redis.call('XGROUP', 'DESTROY', KEYS[3], group)
  end
end

if op == 'create' then
  if exists then return {'EXISTS'} end
  redis.call('HSET', hook, 'url', ARGV[5], 'kinds', ARGV[6], 'group', ARGV[7],
             'description', ARGV[8], 'disabled', ARGV[9], 'secret', ARGV[10],
             'created', now, 'updated', now, 'version', 1)
  if ARGV[9] == '1' then
    redis.call('HSET', hook, 'disabled_reason', 'by HR')
  else
    start_group()
  end
  redis.call('SADD', KEYS[2], id)
  return {'OK', '1'}
end
if not exists then return {'NOT_FOUND'} end

if op == 'update' then
  local version = redis.call('HGET', hook, 'version')
  if version ~= ARGV[5] then return {'CHANGED'} end
  local was_disabled = redis.call('HGET', hook, 'disabled') == '1'
  local disabled = ARGV[10] == '1'
  redis.call('HSET', hook, 'url', ARGV[6], 'kinds', ARGV[7], 'group', ARGV[8],
             'description', ARGV[9], 'disabled', ARGV[10], 'updated', now)
  if disabled and not was_disabled then
    stop_group()
    redis.call('HSET', hook, 'disabled_reason', 'by HR')
  elseif was_disabled and not disabled then
    start_group()
    redis.call('HSET', hook, 'disabled_reason', '', 'failures', 0,
               'next_at', 0, 'last_error', '')
  end
  return {'OK', tostring(redis.call('HINCRBY', hook, 'version', 1))}
end

if op == 'delete' then
  stop_group()
  redis.call('DEL', hook, prefix .. 'webhook-lease:' .. id,
             prefix .. 'webhook-log:' .. id, prefix .. 'webhook-dead:' .. id,
             prefix .. 'webhook-redeliver:' .. id)
  redis.call('SREM', KEYS[2], id)
  return {'OK', '0'}
end

if op == 'rotate' then
  redis.call('HSET', hook, 'old_secret', redis.call('HGET', hook, 'secret'),
             'old_until', ARGV[6], 'secret', ARGV[5], 'updated', now)
  return {'OK', tostring(redis.call('HINCRBY', hook, 'version', 1))}
end
return redis.error_reply('webhook_write: unknown op ' .. op)
