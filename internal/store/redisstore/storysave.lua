-- Clustered SaveItems: apply the plan Go decided from storyread.lua's
-- snapshot, atomically, unless anything read there has changed since.
-- ARGV: base, seen TTL (ms, 0 = none), lookup TTL (ms), max items, cutoff
-- score ("" = none), changed ("1"/"0"), check count, the version key's
-- value as storyread.lua read it, checks (type, key,
-- expected) ..., the lookup fields read (packed, each ending in "\n"),
-- their values as read (each ending in "\t"), their new values (each
-- ending in "\t", empty for a field not written), then ops, each an
-- opcode and its fixed arguments:
--   I key data published firstseen source score topicsJSON story
--   M key markvalue | K key story | Z- index key | Z+ index score key
--   S id version data | SD id | RC key | RS key json
-- Returns {1, removed} when applied, {0} on conflict (nothing written).
local ttl = tonumber(ARGV[2])
local lookupTTL = tonumber(ARGV[3])
local maxItems = tonumber(ARGV[4])
local cutoff = ARGV[5]
local changed = ARGV[6] == '1'
local nc = tonumber(ARGV[7])

-- Optimistic check. Fast path: every SaveItems and Prune that changes an
-- item, story, index or lookup entry INCRs the version key, so an unchanged
-- version means nothing read has changed. (Writes that do not INCR only
-- refresh a seen mark with the hash it had, or sweep lookup entries that
-- expired, which this save rewrites only if live on its own clock; a key
-- expiring by Redis TTL in between is as if this save had run a moment
-- earlier.) Otherwise, check
-- what was read, so unrelated concurrent saves do not conflict: a token of
-- every item, the version of every story and the raw value of every
-- lookup field.
local unchanged = (redis.call('GET', KEYS[1]) or '') == ARGV[8]
local i = 9
if unchanged then i = i + 3 * nc end
for _ = 1, unchanged and 0 or nc do
  local typ, k, want = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  i = i + 3
  local got
  if typ == 'i' then
    got = itemToken(k)
  else
    got = redis.call('HGET', storyKey(k), 'v') or ''
  end
  if got ~= want then return { 0 } end
end
local fields = splitFields(ARGV[i])
if not unchanged and #fields > 0 then
  local vals = hmgetAll(lookupHash, fields)
  if table.concat(vals, '\t') .. '\t' ~= ARGV[i + 1] then return { 0 } end
end
-- The new lookup values, computed in Go from the values just checked:
-- each written field drops its expired entries and the items re-added, so
-- it never outgrows what the window holds; fields nobody writes again are
-- swept by Prune, and the hash expires when no save writes it for a whole
-- TTL.
local newValues = ARGV[i + 2]
i = i + 3
while i <= #ARGV do
  local op = ARGV[i]
  if op == 'I' then
    local k = ARGV[i + 1]
    local ik = itemKey(k)
    redis.call('DEL', ik)
    redis.call('HSET', ik, 'd', ARGV[i + 2], 'p', ARGV[i + 3], 'f', ARGV[i + 4], 's', ARGV[i + 5],
      'sc', ARGV[i + 6], 't', ARGV[i + 7])
    if ARGV[i + 8] ~= '' then redis.call('HSET', ik, 'st', ARGV[i + 8]) end
    i = i + 9
  elseif op == 'M' then
    local sk = base .. 'seen:' .. ARGV[i + 1]
    if ttl > 0 then
      redis.call('SET', sk, ARGV[i + 2], 'PX', ttl)
    else
      redis.call('SET', sk, ARGV[i + 2])
    end
    i = i + 3
  elseif op == 'K' then
    local ik = itemKey(ARGV[i + 1])
    if redis.call('EXISTS', ik) == 1 then
      if ARGV[i + 2] == '' then
        redis.call('HDEL', ik, 'st')
      else
        redis.call('HSET', ik, 'st', ARGV[i + 2])
      end
    end
    i = i + 3
  elseif op == 'Z-' then
    redis.call('ZREM', ARGV[i + 1], ARGV[i + 2])
    i = i + 3
  elseif op == 'Z+' then
    redis.call('ZADD', ARGV[i + 1], ARGV[i + 2], ARGV[i + 3])
    i = i + 4
  elseif op == 'S' then
    redis.call('HSET', storyKey(ARGV[i + 1]), 'v', ARGV[i + 2], 'd', ARGV[i + 3])
    i = i + 4
  elseif op == 'SD' then
    redis.call('DEL', storyKey(ARGV[i + 1]))
    i = i + 2
  elseif op == 'RC' then
    redis.call('HDEL', itemKey(ARGV[i + 1]), 'rel')
    i = i + 2
  elseif op == 'RS' then
    local ik = itemKey(ARGV[i + 1])
    if redis.call('EXISTS', ik) == 1 then redis.call('HSET', ik, 'rel', ARGV[i + 2]) end
    i = i + 3
  else
    return redis.error_reply('storysave: unknown op ' .. op)
  end
end

local args, j, wrote = {}, 0, false
for v in string.gmatch(newValues, '([^\t]*)\t') do
  j = j + 1
  if v ~= '' then
    args[#args + 1] = fields[j]
    args[#args + 1] = v
    if #args >= 1000 then
      redis.call('HSET', lookupHash, unpack(args))
      args, wrote = {}, true
    end
  end
end
if #args > 0 then
  redis.call('HSET', lookupHash, unpack(args))
  wrote = true
end
if wrote then redis.call('PEXPIRE', lookupHash, lookupTTL) end

local removed = retain(cutoff, maxItems)
if changed or removed > 0 then redis.call('INCR', KEYS[1]) end
return { 1, removed }
