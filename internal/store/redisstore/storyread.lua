-- Story snapshot for one SaveItems (read only, one round trip).
-- ARGV: base, cursor (ID of the last lookup stream entry the caller's
-- index holds, '' for none), then the item keys to load: the batch's and
-- the candidates the caller's index names. Returns snapshot() (layout.lua).
-- storysave.lua recomputes the tokens and versions, and reads the stream
-- after the cursor, to check that nothing read here changed before it
-- writes.
local keys = {}
for i = 3, #ARGV do keys[#keys + 1] = ARGV[i] end
return snapshot(keys, ARGV[2])
