-- The outcome of one delivery attempt to a webhook endpoint that did not
-- succeed (those that did: webhook_delivered.lua), recorded at once by the
-- replica holding its lease (a replica that lost the lease writes
-- nothing): the endpoint's failure count and next attempt, the outbox
-- entry acknowledged when it is a dead letter now, the recent attempts
-- log, the dead letters.
--
-- KEYS[1] the webhook's hash   KEYS[2] the outbox
-- ARGV: prefix, id, holder, now_ms, outcome ('failed'|'dead'|'gone'), notification id, kind, attempt, http status, error,
--       next attempt (ms), dead letter (JSON, when dead),
--       notification ms (the dead letter's score), ack ('1' | '')
-- Returns 'OK' | 'LOST' (another replica holds the lease, or the endpoint
-- is gone)
local prefix, id, holder, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local outcome, notification, kind = ARGV[5], ARGV[6], ARGV[7]
local hook, group = KEYS[1], 'wh:' .. id
if redis.call('EXISTS', hook) == 0 or
   redis.call('HGET', prefix .. 'webhook-lease:' .. id, 'holder') ~= holder then
  return 'LOST'
end
local dead = prefix .. 'webhook-dead:' .. id
local DEAD_KEPT, LOG_KEPT = 10000, 1000

if ARGV[14] == '1' and outcome == 'dead' then
  redis.call('XACK', KEYS[2], group, notification)
end
if outcome == 'failed' then
  redis.call('HINCRBY', hook, 'failures', 1)
  redis.call('HSET', hook, 'next_at', ARGV[11], 'last_error', ARGV[10],
             'last_fail', now)
elseif outcome == 'dead' then
  redis.call('ZADD', dead, ARGV[13], ARGV[12])
  redis.call('ZREMRANGEBYRANK', dead, 0, -(DEAD_KEPT + 1))
elseif outcome == 'gone' then
  redis.call('HSET', hook, 'disabled', '1', 'disabled_reason', ARGV[10],
             'last_error', ARGV[10], 'last_fail', now)
  if redis.call('EXISTS', KEYS[2]) == 1 then
    redis.pcall('XGROUP', 'DESTROY', KEYS[2], group)
  end
end
redis.call('XADD', prefix .. 'webhook-log:' .. id, 'MAXLEN', '~', LOG_KEPT,
           '*', 'n', notification, 'k', kind, 'o', outcome, 'a', ARGV[8],
           's', ARGV[9], 'e', ARGV[10], 'at', now)
return 'OK'
