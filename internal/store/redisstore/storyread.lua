-- Story snapshot for one clustered SaveItems (read only, one round trip).
-- ARGV: base, now (unix ms), batch key count, batch keys..., lookup key
-- count, lookup keys...
-- Returns JSON: items (the batch's stored copies and every item found under
-- a lookup key, each with its seen mark and a change token), lookup (members
-- and cardinality per key) and stories (records of those items' stories).
-- storysave.lua recomputes the tokens, cardinalities and versions to check
-- that nothing read here changed before it writes.
local out = { items = {}, lookup = {}, stories = {} }

local function loadItem(k)
  if out.items[k] then return end
  local v = redis.call('HMGET', itemKey(k), 'd', 'p', 'f', 's', 'st')
  out.items[k] = {
    d = v[1] or '', p = v[2] or '', f = v[3] or '', s = v[4] or '', st = v[5] or '',
    m = redis.call('GET', base .. 'seen:' .. k) or '', tok = itemToken(k),
  }
  local st = v[5]
  if st and not out.stories[st] then
    local r = redis.call('HMGET', storyKey(st), 'v', 'd')
    out.stories[st] = { v = r[1] or '', d = r[2] or '' }
  end
end

local now = ARGV[2]
local nb = tonumber(ARGV[3])
for i = 4, 3 + nb do loadItem(ARGV[i]) end
local nl = tonumber(ARGV[4 + nb])
for i = 5 + nb, 4 + nb + nl do
  local lk = lookupKey(ARGV[i])
  -- Scores are expiry times on the caller's clock (so tests can move
  -- time); the key's PEXPIRE reclaims it for real.
  local members = redis.call('ZRANGEBYSCORE', lk, '(' .. now, '+inf')
  table.sort(members)
  local e = { n = redis.call('ZCARD', lk) }
  if #members > 0 then e.m = members end
  out.lookup[ARGV[i]] = e
  for _, k in ipairs(members) do loadItem(k) end
end
return cjson.encode(out)
