-- Story snapshot for one clustered SaveItems (read only, one round trip).
-- ARGV: base, cursor (ID of the last lookup stream entry the caller's
-- index holds, '' for none), then the item keys to load: the batch's and
-- the candidates the caller's index names.
-- Returns three flat arrays (RESP, cheaper to decode than JSON) and the
-- version key's value:
--   items:   key, d, p, f, s, st, mark, token per item
--   stories: id, version, JSON per story of those items
--   tail:    id, blob per lookup stream entry after the cursor
-- storysave.lua recomputes the tokens and versions, and reads the stream
-- after the cursor, to check that nothing read here changed before it
-- writes.
local items, stories, tail = {}, {}, {}
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

for i = 3, #ARGV do loadItem(ARGV[i]) end
local from = '-'
if ARGV[2] ~= '' then from = '(' .. ARGV[2] end
for _, e in ipairs(redis.call('XRANGE', lookupStream, from, '+')) do
  tail[#tail + 1] = e[1]
  tail[#tail + 1] = e[2][2]
end
return { items, stories, tail, redis.call('GET', KEYS[1]) or '' }
