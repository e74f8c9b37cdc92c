-- Replaces a tenant's settings if nobody changed them since they were read
-- (compare-and-set on the version) and bumps the version, at once.
--
-- KEYS[1] settings hash (data, version, scopes)
-- ARGV: expected version ('0' when never written), serialized settings,
--       the scopes kept, space separated (read by scopes_of in boards_lib)
-- Returns {'OK', version} | {'CONFLICT', version}
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if current ~= tonumber(ARGV[1]) then return {'CONFLICT', current} end
redis.call('HSET', KEYS[1], 'data', ARGV[2], 'scopes', ARGV[3])
return {'OK', redis.call('HINCRBY', KEYS[1], 'version', 1)}
