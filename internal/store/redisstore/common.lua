-- Shared by save.lua and prune.lua (prepended to each). ARGV[1] is the key
-- base "<prefix>{kw}:"; every key is built from it so all keys share one
-- cluster hash slot. KEYS[1] is the version key, declared so a cluster client
-- routes the script to that slot.
local base = ARGV[1]
local allIdx = base .. 'idx:topic:all'

local function itemKey(k) return base .. 'item:' .. k end
local function storyKey(id) return base .. 'story:' .. id end
-- The lookup stream: one entry per clustered save (field e), the save's
-- expiry and the story keys and buckets it recorded each item under (see
-- story.go). Each process keeps an in-memory index built from it, so
-- saves neither read nor rewrite lookup fields.
local lookupStream = base .. 'lookups'

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
--   items:   key, d, p, f, s, st, mark, token per item
--   stories: id, version, JSON per story of those items
--   tail:    id, blob per lookup stream entry after the cursor
local function snapshot(keys, cursor)
  local items, stories, tail = {}, {}, {}
  local loaded, storyLoaded = {}, {}
  for _, k in ipairs(keys) do
    if not loaded[k] then
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
  end
  local from = '-'
  if cursor ~= '' then from = '(' .. cursor end
  for _, e in ipairs(redis.call('XRANGE', lookupStream, from, '+')) do
    tail[#tail + 1] = e[1]
    tail[#tail + 1] = e[2][2]
  end
  return { items, stories, tail, redis.call('GET', KEYS[1]) or '' }
end

local function topicIdx(t) return base .. 'idx:topic:' .. t end
local function sourceIdx(s) return base .. 'idx:source:' .. s end

-- A topic literally named "all" is the all index already; treating it as a
-- topic would drop the item from "all" when it leaves that topic.
local function index(k, src, score, topics)
  redis.call('ZADD', allIdx, score, k)
  redis.call('ZADD', sourceIdx(src), score, k)
  for _, t in ipairs(topics) do
    if t ~= 'all' then redis.call('ZADD', topicIdx(t), score, k) end
  end
end

local function unindex(k, src, topicsJSON)
  redis.call('ZREM', allIdx, k)
  redis.call('ZREM', sourceIdx(src), k)
  for _, t in ipairs(cjson.decode(topicsJSON)) do
    if t ~= 'all' then redis.call('ZREM', topicIdx(t), k) end
  end
end

-- removeStory deletes the story whose representative k (of source src) is
-- indexed: its index entries under the members' topics, every member and
-- the record. It returns how many items it removed, or nil when k has no
-- story record.
local function removeStory(k, src, st)
  local d = redis.call('HGET', storyKey(st), 'd')
  if not d then return nil end
  local story = cjson.decode(d)
  local removed = 0
  redis.call('ZREM', sourceIdx(src), k)
  for _, m in ipairs(story.m) do
    if type(m.tp) == 'table' then
      for _, t in ipairs(m.tp) do
        if t ~= 'all' then redis.call('ZREM', topicIdx(t), k) end
      end
    end
    if not m.a then removed = removed + redis.call('DEL', itemKey(m.k)) end
  end
  redis.call('DEL', storyKey(st))
  return removed
end

-- removeItem deletes an item (with its story, when it represents one) and
-- its index entries; seen marks stay.
local function removeItem(k)
  local ik = itemKey(k)
  local old = redis.call('HMGET', ik, 's', 't', 'st')
  redis.call('ZREM', allIdx, k)
  if not old[1] then return 0 end
  if old[3] then
    local n = removeStory(k, old[1], old[3])
    if n then return n end
  end
  unindex(k, old[1], old[2])
  redis.call('DEL', ik)
  return 1
end

-- retain removes items older than the cutoff score (scores are negated
-- publish times, so older means greater) and those beyond the newest
-- maxItems of the all index. Every index is a subset of "all", so capping
-- "all" caps every index, with the same victims as capping each.
local function retain(cutoff, maxItems)
  local victims = {}
  if cutoff ~= '' then
    for _, k in ipairs(redis.call('ZRANGEBYSCORE', allIdx, '(' .. cutoff, '+inf')) do
      victims[#victims + 1] = k
    end
  end
  if maxItems > 0 then
    for _, k in ipairs(redis.call('ZRANGE', allIdx, maxItems, -1)) do
      victims[#victims + 1] = k
    end
  end
  local removed = 0
  for _, k in ipairs(victims) do
    removed = removed + removeItem(k)
  end
  return removed
end
