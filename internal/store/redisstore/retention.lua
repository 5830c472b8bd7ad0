-- Retention, prepended (after layout.lua) to storysave.lua and prune.lua.
local function topicIdx(t) return base .. 'idx:topic:' .. t end
local function sourceIdx(s) return base .. 'idx:source:' .. s end

-- A topic literally named "all" is the all index already; treating it as a
-- topic would drop the item from "all" when it leaves that topic.
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
