-- Prune: ARGV base, cutoff score ("" = no max age), max items.
-- Returns how many items were removed. Seen marks expire by themselves.
local removed = retain(ARGV[2], tonumber(ARGV[3]))
if removed > 0 then redis.call('INCR', KEYS[1]) end
return removed
