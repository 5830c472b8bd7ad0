-- Shared by save.lua and prune.lua (prepended to each). ARGV[1] is the key
-- base "<prefix>{kw}:"; every key is built from it so all keys share one
-- cluster hash slot. KEYS[1] is the version key, declared so a cluster client
-- routes the script to that slot.
local base = ARGV[1]
local allIdx = base .. 'idx:topic:all'

local function itemKey(k) return base .. 'item:' .. k end
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

-- removeItem deletes an item and its index entries; its seen mark stays.
local function removeItem(k)
  local ik = itemKey(k)
  local old = redis.call('HMGET', ik, 's', 't')
  redis.call('ZREM', allIdx, k)
  if not old[1] then return 0 end
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
