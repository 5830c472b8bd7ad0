-- Prune: ARGV base, cutoff score ("" = no max age), max items, now (unix
-- ms on the store's clock). Returns how many items were removed. Seen marks
-- expire by themselves; lookup entries are swept here, since a field is
-- only cleaned when a save writes it again.
-- liveEntries returns the entries of lookup value v that have not expired
-- at now (unix ms).
local function liveEntries(v, now)
  local out = {}
  for exp, k in string.gmatch(v, '(%w+) (%S+)\n') do
    if tonumber(exp, 36) > now then out[#out + 1] = exp .. ' ' .. k .. '\n' end
  end
  return table.concat(out)
end

local removed = retain(ARGV[2], tonumber(ARGV[3]))
local now = tonumber(ARGV[4])
local cursor = '0'
repeat
  local r = redis.call('HSCAN', lookupHash, cursor, 'COUNT', 1000)
  cursor = r[1]
  local kv = r[2]
  for j = 1, #kv, 2 do
    local live = liveEntries(kv[j + 1], now)
    if live == '' then
      redis.call('HDEL', lookupHash, kv[j])
    elseif live ~= kv[j + 1] then
      redis.call('HSET', lookupHash, kv[j], live)
    end
  end
until cursor == '0'
if removed > 0 then redis.call('INCR', KEYS[1]) end
return removed
