-- Creates or changes a catalog reward. The fields the redeem script checks
-- live beside the serialized Reward (data) in the reward's hash; stock is
-- live (redemptions move it) and is written only when given.
--
-- KEYS[1] reward hash   KEYS[2] catalog index (set of reward ids)
-- ARGV: mode ('create'|'update'), expected version ('' on create), reward_id,
--       data, cost, active, archived, group, approval, limit_qty,
--       limit_period, title, stock ('' = leave as is, -1 = unlimited)
-- Returns {'OK', version} | {'EXISTS'} | {'NOT_FOUND'} | {'CONFLICT'}
local version = redis.call('HGET', KEYS[1], 'version')
if ARGV[1] == 'create' then
  if version then return {'EXISTS'} end
else
  if not version then return {'NOT_FOUND'} end
  if version ~= ARGV[2] then return {'CONFLICT'} end
end
redis.call('HSET', KEYS[1], 'data', ARGV[4], 'cost', ARGV[5], 'active', ARGV[6],
           'archived', ARGV[7], 'group', ARGV[8], 'approval', ARGV[9],
           'limit_qty', ARGV[10], 'limit_period', ARGV[11], 'title', ARGV[12])
if ARGV[13] ~= '' then redis.call('HSET', KEYS[1], 'stock', ARGV[13]) end
redis.call('SADD', KEYS[2], ARGV[3])
return {'OK', redis.call('HINCRBY', KEYS[1], 'version', 1)}
