-- A short lease on work only one replica may do at a time (an endpoint's
-- deliveries): taken when free or expired, renewed by its holder. Times
-- are the callers' clock (injected in tests), never Redis' own.
--
-- KEYS[1] the lease (hash: holder, until)
-- ARGV: holder, now_ms, ttl_ms
-- Returns {1, holder} when `holder` holds it now, else {0, the holder}.
local lease = redis.call('HMGET', KEYS[1], 'holder', 'until')
local now = tonumber(ARGV[2])
if lease[1] and lease[1] ~= ARGV[1] and tonumber(lease[2] or '0') > now then
  return {0, lease[1]}
end
redis.call('HSET', KEYS[1], 'holder', ARGV[1], 'until',
           string.format('%d', now + tonumber(ARGV[3])))
return {1, ARGV[1]}
