-- The key layout and the snapshot a save reads, prepended to every script.
-- ARGV[1] is the key base "<prefix>{kw}:"; every key is built from it so
-- all keys share one cluster hash slot. KEYS[1] is the version key,
-- declared so a cluster client routes the script to that slot.
local base = ARGV[1]
local allIdx = base .. 'idx:topic:all'

local function itemKey(k) return base .. 'item:' .. k end
local function storyKey(id) return base .. 'story:' .. id end
-- The lookup stream: one entry per save (field e), the save's
-- expiry and the story keys and buckets it recorded each item under (see
-- story.go). Each process keeps an in-memory index built from it, so
-- saves neither read nor rewrite lookup fields.
local lookupStream = base .. 'lookups'
-- The set of every source and topic index key, for Prune's retention.
local indexSet = base .. 'indexes'

-- blobExpiry is the expiry (unix ms, base 36 on the blob's first line) of
-- a lookup stream entry.
local function blobExpiry(blob)
  return tonumber(string.match(blob, '^(%w+)\n') or '0', 36) or 0
end

-- itemToken changes whenever another SaveItems changes what a clustered
-- save read of item k: its seen mark, owner, story or date.
local function tokenOf(mark, src, st, sc)
  return mark .. '|' .. (src or '') .. '|' .. (st or '') .. '|' .. (sc or '')
end
local function itemToken(k)
  local v = redis.call('HMGET', itemKey(k), 's', 'st', 'sc')
  return tokenOf(redis.call('GET', base .. 'seen:' .. k) or '', v[1], v[2], v[3])
end
-- snapshot loads items with their marks, tokens and stories, and the lookup
-- stream entries after cursor ('' for all): storyread.lua's answer, and
-- storysave.lua's when a speculative plan proved wrong. Three flat arrays
-- (RESP, cheaper to decode than JSON) and the version key's value:
--   items:   key, data, p, f, s, st, mark, token per item, where data is
--            'R' and the candidate record (c) or, for an item stored
--            before records, its JSON (d)
--   stories: id, version, JSON per story of those items
--   tail:    id, blob per lookup stream entry after the cursor
local function snapshot(keys, cursor)
  local items, stories, tail = {}, {}, {}
  local loaded, storyLoaded = {}, {}
  for _, k in ipairs(keys) do
    if not loaded[k] then
      loaded[k] = true
      local v = redis.call('HMGET', itemKey(k), 'c', 'p', 'f', 's', 'st', 'sc')
      local data = v[1] and ('R' .. v[1])
      if not data then data = redis.call('HGET', itemKey(k), 'd') end
      local mark = redis.call('GET', base .. 'seen:' .. k) or ''
      local n = #items
      items[n + 1], items[n + 2], items[n + 3], items[n + 4] = k, data or '', v[2] or '', v[3] or ''
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
  end
  local from = '-'
  if cursor ~= '' then from = '(' .. cursor end
  for _, e in ipairs(redis.call('XRANGE', lookupStream, from, '+')) do
    tail[#tail + 1] = e[1]
    tail[#tail + 1] = e[2][2]
  end
  return { items, stories, tail, redis.call('GET', KEYS[1]) or '' }
end
