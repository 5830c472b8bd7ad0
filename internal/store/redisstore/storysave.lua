-- Clustered SaveItems: apply the plan Go decided from storyread.lua's
-- snapshot, atomically, unless anything read there has changed since.
-- ARGV: base, seen TTL (ms, 0 = none), lookup TTL (ms), lookup expiry
-- (unix ms on the caller's clock), max items, cutoff
-- score ("" = none), changed ("1"/"0"), check count, checks (type, key,
-- expected) ..., then ops, each an opcode and its fixed arguments:
--   I key data published firstseen source score topicsJSON story
--   M key markvalue | K key story | Z- index key | Z+ index score key
--   S id version data | SD id | L lookupkey itemkey | RC key | RS key json
-- Returns {1, removed} when applied, {0} on conflict (nothing written).
local ttl = tonumber(ARGV[2])
local lookupTTL = tonumber(ARGV[3])
local lookupExpiry = ARGV[4]
local maxItems = tonumber(ARGV[5])
local cutoff = ARGV[6]
local changed = ARGV[7] == '1'
local nc = tonumber(ARGV[8])

-- Optimistic check: a token of every item read, the cardinality of every
-- lookup set read (members are only ever added, never removed one by one,
-- so a new member changes it) and the version of every story read.
local i = 9
for _ = 1, nc do
  local typ, k, want = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  i = i + 3
  local got
  if typ == 'i' then
    got = itemToken(k)
  elseif typ == 'l' then
    got = tostring(redis.call('ZCARD', lookupKey(k)))
  else
    got = redis.call('HGET', storyKey(k), 'v') or ''
  end
  if got ~= want then return { 0 } end
end

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
  elseif op == 'L' then
    local lk = lookupKey(ARGV[i + 1])
    redis.call('ZADD', lk, lookupExpiry, ARGV[i + 2])
    redis.call('PEXPIRE', lk, lookupTTL)
    i = i + 3
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

local removed = retain(cutoff, maxItems)
if changed or removed > 0 then redis.call('INCR', KEYS[1]) end
return { 1, removed }
