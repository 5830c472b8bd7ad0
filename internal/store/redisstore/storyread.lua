-- Story snapshot for one clustered SaveItems (read only, one round trip).
-- ARGV: base, now (unix ms), batch key count, batch keys..., lookup fields
-- (packed, each ending in "\n").
-- Returns three flat arrays (RESP, cheaper to decode than JSON) and the
-- version key's value:
--   items:   key, d, p, f, s, st, mark, token per item: the batch's stored
--            copies and every live item found under a lookup field
--   lookups: field, raw value per field present in the lookup hash
--   stories: id, version, JSON per story of those items
-- storysave.lua recomputes the tokens, values and versions to check that
-- nothing read here changed before it writes.
local items, lookups, stories = {}, {}, {}
local loaded, storyLoaded = {}, {}

local function loadItem(k)
  if loaded[k] then return end
  loaded[k] = true
  local v = redis.call('HMGET', itemKey(k), 'd', 'p', 'f', 's', 'st', 'sc')
  local mark = redis.call('GET', base .. 'seen:' .. k) or ''
  local n = #items
  items[n + 1], items[n + 2], items[n + 3], items[n + 4] = k, v[1] or '', v[2] or '', v[3] or ''
  items[n + 5], items[n + 6] = v[4] or '', v[5] or ''
  items[n + 7], items[n + 8] = mark, tokenOf(mark, v[4], v[5], v[6])
  local st = v[5]
  if st and not storyLoaded[st] then
    storyLoaded[st] = true
    local r = redis.call('HMGET', storyKey(st), 'v', 'd')
    local m = #stories
    stories[m + 1], stories[m + 2], stories[m + 3] = st, r[1] or '', r[2] or ''
  end
end

local now = tonumber(ARGV[2])
local nb = tonumber(ARGV[3])
for i = 4, 3 + nb do loadItem(ARGV[i]) end
local fields = splitFields(ARGV[4 + nb])
local vals = hmgetAll(lookupHash, fields)
for j = 1, #fields do
  local v = vals[j]
  if v ~= '' then
    lookups[#lookups + 1] = fields[j]
    lookups[#lookups + 1] = v
    -- Expiry times are on the caller's clock (so tests can move time).
    for exp, k in string.gmatch(v, '(%w+) (%S+)\n') do
      if tonumber(exp, 36) > now then loadItem(k) end
    end
  end
end
return { items, lookups, stories, redis.call('GET', KEYS[1]) or '' }
