-- Prune: ARGV base, cutoff score ("" = no max age), max items, now (unix
-- ms on the store's clock). Returns how many items were removed. Indexes
-- that emptied leave the index set; seen marks expire by themselves; lookup stream entries are trimmed here from the
-- head, up to the first one still live (saves append them in time order;
-- one a little out of order only lives a little longer).
local indexes = {}
for _, idx in ipairs(redis.call('SMEMBERS', indexSet)) do
  if redis.call('EXISTS', idx) == 1 then
    indexes[#indexes + 1] = idx
  else
    redis.call('SREM', indexSet, idx)
  end
end
local removed = retain(ARGV[2], tonumber(ARGV[3]), indexes)
local now = tonumber(ARGV[4])
repeat
  local got = redis.call('XRANGE', lookupStream, '-', '+', 'COUNT', 100)
  local live = false
  for _, e in ipairs(got) do
    if blobExpiry(e[2][2]) > now then
      live = true
      break
    end
    redis.call('XDEL', lookupStream, e[1])
  end
until live or #got < 100
if removed > 0 then redis.call('INCR', KEYS[1]) end
return removed
