-- Creates, updates (compare-and-set against the version read) or deletes a
-- rule; bumps the rules version so every replica reloads before paying; and
-- appends the revision to the rule's history, all at once.
--
-- KEYS[1] rules hash   KEYS[2] rules version   KEYS[3] rule's revisions
-- ARGV: mode ('create'|'update'|'delete'), rule_id, expected (serialized
--       rule read before an update/delete), rule (serialized, '' on delete),
--       revision (serialized RuleRevision)
-- Returns {'OK', version, revision_number} | {'EXISTS'} | {'NOT_FOUND'} |
--         {'CONFLICT'}
local mode, rule_id = ARGV[1], ARGV[2]
local current = redis.call('HGET', KEYS[1], rule_id)
if mode == 'create' then
  if current then return {'EXISTS'} end
else
  if not current then return {'NOT_FOUND'} end
  if current ~= ARGV[3] then return {'CONFLICT'} end
end
if mode == 'delete' then
  redis.call('HDEL', KEYS[1], rule_id)
else
  redis.call('HSET', KEYS[1], rule_id, ARGV[4])
end
local version = redis.call('INCR', KEYS[2])
local revision = redis.call('RPUSH', KEYS[3], ARGV[5])
return {'OK', version, revision}
