-- Retention, prepended (after layout.lua) to storysave.lua and prune.lua.
local function topicIdx(t) return base .. 'idx:topic:' .. t end
local function sourceIdx(s) return base .. 'idx:source:' .. s end

-- The curated river (store.CuratedTopic) holds the stories with a topic or
-- an on-topic member; removing from it is a no-op for the others.
local curatedIdx = topicIdx('_curated')

-- A topic literally named "all" is the all index already; treating it as a
-- topic would drop the item from "all" when it leaves that topic.
local function unindex(k, src, topicsJSON)
  redis.call('ZREM', allIdx, k)
  redis.call('ZREM', sourceIdx(src), k)
  redis.call('ZREM', curatedIdx, k)
  for _, t in ipairs(cjson.decode(topicsJSON)) do
    if t ~= 'all' then redis.call('ZREM', topicIdx(t), k) end
  end
end

-- removeStory deletes the story whose representative k (of source src) is
-- indexed: its index entries under the members' topics, every member with
-- its seen mark, and the record. It returns how many items it removed, or
-- nil when k has no story record.
local function removeStory(k, src, st)
  local d = redis.call('HGET', storyKey(st), 'd')
  if not d then return nil end
  local story = cjson.decode(d)
  local removed = 0
  redis.call('ZREM', sourceIdx(src), k)
  redis.call('ZREM', curatedIdx, k)
  for _, m in ipairs(story.m) do
    if type(m.tp) == 'table' then
      for _, t in ipairs(m.tp) do
        if t ~= 'all' then redis.call('ZREM', topicIdx(t), k) end
      end
    end
    if not m.a then
      removed = removed + redis.call('DEL', itemKey(m.k))
      redis.call('DEL', base .. 'seen:' .. m.k)
    end
  end
  redis.call('DEL', storyKey(st))
  return removed
end

-- removeItem deletes an item (with its story, when it represents one), its
-- index entries and its seen mark: an item that comes back upstream after
-- retention dropped it is taken again if it is young enough, and dropped
-- again if its indexes still do not keep it.
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
  redis.call('DEL', base .. 'seen:' .. k)
  return 1
end

-- indexesOf lists the source and topic indexes that list the story item k
-- represents.
local function indexesOf(k)
  local v = redis.call('HMGET', itemKey(k), 's', 't', 'st')
  if not v[1] then return {} end
  local out = { sourceIdx(v[1]) }
  local topics = {}
  local d = v[3] and redis.call('HGET', storyKey(v[3]), 'd')
  if d then
    for _, m in ipairs(cjson.decode(d).m) do
      if type(m.tp) == 'table' then
        for _, t in ipairs(m.tp) do topics[t] = true end
      end
    end
  elseif v[2] then
    for _, t in ipairs(cjson.decode(v[2])) do topics[t] = true end
  end
  for t in pairs(topics) do
    if t ~= 'all' then out[#out + 1] = topicIdx(t) end
  end
  return out
end

-- retain removes the stories older than the cutoff score (scores are
-- negated publish times, so older means greater), and those no index
-- keeps: a source's or a topic's index keeps its newest maxItems stories,
-- and a story stays while one of its indexes keeps it. "all" keeps none of
-- its own, so a source that floods the store pushes out only its own
-- oldest: another source's stories are still among its own newest, and a
-- topic feed loses none of them. indexes are the index keys to check:
-- those a save added to (only they can have grown), or every one.
local function retain(cutoff, maxItems, indexes)
  local victims, isVictim = {}, {}
  local function victim(k)
    if not isVictim[k] then
      isVictim[k] = true
      victims[#victims + 1] = k
    end
  end
  if cutoff ~= '' then
    for _, k in ipairs(redis.call('ZRANGEBYSCORE', allIdx, '(' .. cutoff, '+inf')) do victim(k) end
  end
  if maxItems > 0 then
    for _, idx in ipairs(indexes) do
      for _, k in ipairs(redis.call('ZRANGE', idx, maxItems, -1)) do
        if not isVictim[k] then
          local kept = false
          for _, other in ipairs(indexesOf(k)) do
            local r = redis.call('ZRANK', other, k)
            if r and r < maxItems then
              kept = true
              break
            end
          end
          if not kept then victim(k) end
        end
      end
    end
  end
  local removed = 0
  for _, k in ipairs(victims) do
    removed = removed + removeItem(k)
  end
  return removed
end
