-- SaveItems for one batch, atomic as a whole (Lua scripts run alone).
-- ARGV: base, src, now (unix ms), mark expiry (unix ms, "0" = never),
-- seen TTL (ms, 0 = none), max items, cutoff score ("" = no max age), then
-- per item: key, hash, source, score, published ("" if zero), first seen,
-- data, topic count, topics...
-- Returns one code per item: 1 new, 2 updated, 3 duplicate.
local src = ARGV[2]
local now = tonumber(ARGV[3])
local expiry = ARGV[4]
local ttl = tonumber(ARGV[5])
local maxItems = tonumber(ARGV[6])
local cutoff = ARGV[7]

-- A mark is "<expiry ms>:<hash>": the expiry is checked against the caller's
-- clock (so tests can move time), PX lets Redis reclaim it for real.
local function setMark(sk, h)
  if ttl > 0 then
    redis.call('SET', sk, expiry .. ':' .. h, 'PX', ttl)
  else
    redis.call('SET', sk, expiry .. ':' .. h)
  end
end

local function markHash(sk)
  local m = redis.call('GET', sk)
  if not m then return false end
  local sep = string.find(m, ':', 1, true)
  local exp = tonumber(string.sub(m, 1, sep - 1))
  if exp ~= 0 and exp <= now then return false end
  return string.sub(m, sep + 1)
end

local out = {}
local changed = false
local i = 8
while i <= #ARGV do
  local k, h, s, score, pub, first, data = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5], ARGV[i + 6]
  local nt = tonumber(ARGV[i + 7])
  local topics = {}
  for j = 1, nt do topics[j] = ARGV[i + 7 + j] end
  i = i + 8 + nt

  local sk = base .. 'seen:' .. k
  local ik = itemKey(k)
  local seen = markHash(sk)
  if seen and seen == h then
    setMark(sk, h)
    out[#out + 1] = 3
  else
    local old = redis.call('HMGET', ik, 's', 't', 'p', 'sc')
    if seen and (not old[1] or old[1] ~= src) then
      -- Pruned (never resurrect) or owned by the first source: keep the
      -- stored hash so that source's updates compare against it.
      setMark(sk, seen)
      out[#out + 1] = 3
    else
      if old[1] then unindex(k, old[1], old[2]) end
      if seen then
        -- Updated in place: source and first seen stay; an unknown
        -- (zero) published keeps the stored date.
        if pub == '' then pub, score = old[3], old[4] end
        s = old[1]
        redis.call('HSET', ik, 'd', data, 'p', pub, 'sc', score, 't', cjson.encode(topics))
        out[#out + 1] = 2
      else
        -- New, or the mark expired while the item was still stored: store
        -- it afresh. item.Item.Published falls back to first seen (whose
        -- score Go already sent).
        if pub == '' then pub = first end
        redis.call('DEL', ik)
        redis.call('HSET', ik, 'd', data, 'p', pub, 'sc', score, 't', cjson.encode(topics), 's', s, 'f', first)
        out[#out + 1] = 1
      end
      index(k, s, score, topics)
      setMark(sk, h)
      changed = true
    end
  end
end

local removed = retain(cutoff, maxItems)
if changed or removed > 0 then redis.call('INCR', KEYS[1]) end
return out
