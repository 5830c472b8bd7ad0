-- SaveItems: apply the plan Go decided from storyread.lua's
-- snapshot, atomically, unless anything read there has changed since.
-- ARGV: base, seen TTL (ms, 0 = none), lookup TTL (ms), max items, cutoff
-- score ("" = none), changed ("1"/"0"), check count, the version key's
-- value as storyread.lua first read it, the lookup stream cursor the
-- snapshot reflects, speculative ("1": the snapshot is what the caller
-- remembers, not what it read), the save turn token the caller holds ("" for
-- none, turn.go), checks (type, key, expected) ..., the batch's lookup
-- fields (packed, each ending in "\n"), the lookup stream entry to add
-- ("" for none), then ops, each an opcode and its fixed arguments:
--   I key data record published firstseen source score topicsJSON story
--   M key markvalue | K key story | Z- index key | Z+ index score key
--   S id version data | SD id | RC key | RS key json
-- Returns {1, removed, the added entry's ID or '', contiguous} when
-- applied, {0} on conflict (nothing written), or for a speculative plan
-- {0, snapshot of the checked items} (layout.lua), so the caller can plan
-- again without another read; {2} (nothing written) while another save
-- holds the save turn.
local ttl = tonumber(ARGV[2])
local lookupTTL = tonumber(ARGV[3])
local maxItems = tonumber(ARGV[4])
local cutoff = ARGV[5]
local changed = ARGV[6] == '1'
local nc = tonumber(ARGV[7])

-- Optimistic check. Fast path: every SaveItems and Prune that changes an
-- item, story, index or lookup entry INCRs the version key, so an unchanged
-- version means nothing read has changed. (Writes that do not INCR only
-- refresh a seen mark with the hash it had, or trim lookup entries that
-- expired; a key expiring by Redis TTL in between is as if this save had
-- run a moment earlier.) Otherwise, check what was read, so unrelated
-- concurrent saves do not conflict: a token of every item, the version of
-- every story, and that no lookup stream entry added since the snapshot
-- records anything under one of the batch's fields (it would have been a
-- candidate).
local cursor = ARGV[9]
local speculative = ARGV[10] == '1'
local unchanged = not speculative and (redis.call('GET', KEYS[1]) or '') == ARGV[8]
local checks = 12
local i = checks
if unchanged then i = i + 3 * nc end

-- conflict answers a failed check: for a speculative plan, with what
-- the caller should have read.
local function conflict()
  if not speculative then return { 0 } end
  local keys = {}
  for j = checks, checks + 3 * nc - 1, 3 do
    if ARGV[j] == 'i' then keys[#keys + 1] = ARGV[j + 1] end
  end
  return { 0, snapshot(keys, cursor) }
end

-- The save turn (turn.go): while another save holds it, this one waits
-- its turn, however unrelated; the holder's write gives it up.
local turnKey = base .. 'saveturn'
local holder = redis.call('GET', turnKey)
if holder and holder ~= ARGV[11] then return { 2 } end

for _ = 1, unchanged and 0 or nc do
  local typ, k, want = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  i = i + 3
  local got
  if typ == 'i' then
    got = itemToken(k)
  else
    got = redis.call('HGET', storyKey(k), 'v') or ''
  end
  if got ~= want then return conflict() end
end
-- contiguous: the stream holds nothing after the snapshot's cursor, so
-- the entry this save adds directly follows what the caller's index holds.
local contiguous = 1
if not unchanged then
  local from = '-'
  if cursor ~= '' then from = '(' .. cursor end
  local added = redis.call('XRANGE', lookupStream, from, '+')
  if #added > 0 then
    contiguous = 0
    local mine = {}
    for f in string.gmatch(ARGV[i], '([^\n]*)\n') do mine[f] = true end
    for _, e in ipairs(added) do
      for f in string.gmatch(e[2][2], '\t([^\n]*)\n') do
        if mine[f] then return conflict() end
      end
    end
  end
end
local entry = ARGV[i + 1]
i = i + 2
-- touched: the source and topic indexes this save adds to, for retention.
local touched, added = {}, {}
while i <= #ARGV do
  local op = ARGV[i]
  if op == 'I' then
    local k = ARGV[i + 1]
    local ik = itemKey(k)
    redis.call('DEL', ik)
    redis.call('HSET', ik, 'd', ARGV[i + 2], 'c', ARGV[i + 3], 'p', ARGV[i + 4], 'f', ARGV[i + 5],
      's', ARGV[i + 6], 'sc', ARGV[i + 7], 't', ARGV[i + 8])
    if ARGV[i + 9] ~= '' then redis.call('HSET', ik, 'st', ARGV[i + 9]) end
    i = i + 10
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
    local idx = ARGV[i + 1]
    redis.call('ZADD', idx, ARGV[i + 2], ARGV[i + 3])
    if idx ~= allIdx and not added[idx] then
      added[idx] = true
      touched[#touched + 1] = idx
      redis.call('SADD', indexSet, idx)
    end
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

local id = ''
if entry ~= '' then
  id = redis.call('XADD', lookupStream, '*', 'e', entry)
  redis.call('PEXPIRE', lookupStream, lookupTTL)
end

if holder then redis.call('DEL', turnKey) end

local removed = retain(cutoff, maxItems, touched)
if changed or removed > 0 then redis.call('INCR', KEYS[1]) end
return { 1, removed, id, contiguous }
