-- Deliveries to a webhook endpoint that succeeded, recorded together (a
-- replica records them in batches: one that dies first leaves them
-- unacknowledged, and whoever takes over delivers them again, as
-- at-least-once allows): the outbox entries acknowledged, delivered dead
-- letters forgotten, the endpoint marked healthy, each attempt logged.
--
-- KEYS[1] the webhook's hash   KEYS[2] the outbox
-- ARGV: prefix, id, holder, now_ms, n, n x (notification id, kind,
--       attempt, http status, dead letter ('' = an outbox entry,
--       acknowledged))
-- Acknowledgements always count (they were delivered); the endpoint's
-- state is written only by the lease's holder (another took over).
-- Returns the number recorded (0 when the endpoint is gone).
local prefix, id, holder = ARGV[1], ARGV[2], ARGV[3]
local now, n = ARGV[4], tonumber(ARGV[5])
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local log, dead = prefix .. 'webhook-log:' .. id, prefix .. 'webhook-dead:' .. id
local acks = {}
for k = 0, n - 1 do
  local base = 6 + 5 * k
  local notification, dead_letter = ARGV[base], ARGV[base + 4]
  if dead_letter == '' then
    acks[#acks + 1] = notification
  else
    redis.call('ZREM', dead, dead_letter)
  end
  redis.call('XADD', log, 'MAXLEN', '~', 1000, '*', 'n', notification,
             'k', ARGV[base + 1], 'o', 'delivered', 'a', ARGV[base + 2],
             's', ARGV[base + 3], 'e', '', 'at', now)
end
if #acks > 0 and redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('XACK', KEYS[2], 'wh:' .. id, unpack(acks))
end
if redis.call('HGET', prefix .. 'webhook-lease:' .. id, 'holder') == holder then
  redis.call('HSET', KEYS[1], 'failures', 0, 'next_at', 0, 'last_error', '',
             'last_ok', now)
end
return n
