-- Reads every rule with the version they belong to, consistently.
-- KEYS[1] rules hash   KEYS[2] rules version
-- Returns {version, {rule_id, serialized, ...}}
return {redis.call('GET', KEYS[2]) or '0', redis.call('HGETALL', KEYS[1])}
