package redisstore

import (
	"context"
	_ "embed" // the Lua scripts
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/story"
)

var (
	//go:embed storyread.lua
	storyReadLua string
	//go:embed storysave.lua
	storySaveLua string

	storyReadScript = redis.NewScript(layoutLua + storyReadLua)
	storySaveScript = redis.NewScript(layoutLua + retentionLua + storySaveLua)
)

// Story keys, beside those of the package comment:
//
//	<prefix>{kw}:story:<id>     hash: v (version), d (story.Story JSON)
//	<prefix>{kw}:lookups        stream, one entry per save that
//	                            recorded items: field e, a blob of the
//	                            save's lookup expiry (unix ms on the
//	                            store's clock, base 36) and each item
//	                            with the story keys and buckets it was
//	                            recorded under (see story.EncodeLookups);
//	                            PEXPIRE lookup TTL on each write, Prune
//	                            trims expired entries from the head.
//
// Every process keeps an in-memory story.LookupIndex built from that
// stream: a save names its candidates from memory, and its read script
// returns the stream entries the process has not seen yet. Reading and
// rewriting the ~26 lookup fields per item in Redis (a hash, and before
// that a sorted set per bucket) made a save cost four to fifteen
// times a plain one; a stream entry per save costs about one field per
// item.
//
// and two fields of an item hash: st (its story id, when the story has more
// than one member) and rel (on a representative: its story.Summary JSON, so
// Items reads a page in the same two round trips as before).

// ErrConflict is returned when a save kept colliding with
// concurrent saves of the same stories for maxAttempts attempts.
var ErrConflict = errors.New("concurrent saves kept changing the same stories")

// maxAttempts bounds the optimistic retries of one save. A process
// saves one batch at a time, so each conflict means another replica
// committed a save of the same stories in between; with the pauses of
// backoff, 64 attempts last seconds, far beyond what a few replicas
// polling look-alike feeds make a save wait.
const maxAttempts = 64

// trySave is one attempt. It speculates when asked and possible;
// reread is what a failed speculative write read instead, to start from.
// next is that, when this attempt speculated and failed.
// turn is the token of the save turn it holds ("" for none, turn.go).
func (s *Store) trySave(ctx context.Context, src string, items []item.Item, speculate bool, reread []any, turn string) (res store.SaveResult, ok bool, next []any, err error) {
	now := s.now()
	var snap *snapshot
	if speculate {
		snap = s.speculate(items, now)
	}
	if snap == nil {
		if snap, ok, err = s.readSnapshot(ctx, items, now, reread); err != nil || !ok {
			return store.SaveResult{}, false, nil, err
		}
	}
	plan, err := story.PlanSave(snap, story.Rules{MaxAge: s.opts.MaxAge, Priority: s.opts.Priority}, src, items, now)
	if err != nil {
		return store.SaveResult{}, false, nil, err
	}
	exp := now.Add(story.LookupTTL(s.opts.StoryWindow)).UnixMilli()
	var w written
	args, err := s.planArgs(plan, snap, exp, now, turn, &w)
	if err != nil {
		return store.SaveResult{}, false, nil, err
	}
	// The plan's lookups go into the index while Redis runs the write:
	// the stream brings them back with the next read anyway, having them
	// now spares this process's next save a second read round, and should
	// the write be refused, entries naming items that were not stored only
	// make candidates that a read finds absent.
	added := make(chan struct{})
	go func() {
		defer close(added)
		s.index.mu.Lock()
		defer s.index.mu.Unlock()
		s.index.x.AddAll(plan.Lookups, exp)
	}()
	reply, err := storySaveScript.Run(ctx, s.rdb, []string{s.versionKey()}, args...).Slice()
	<-added
	if err != nil {
		return store.SaveResult{}, false, nil, err
	}
	if len(reply) == 1 && reply[0] == int64(2) {
		return store.SaveResult{}, false, nil, errTurnTaken
	}
	if len(reply) == 2 && reply[0] == int64(0) {
		next, _ = reply[1].([]any)
		return store.SaveResult{}, false, next, nil
	}
	if len(reply) != 4 || reply[0] != int64(1) {
		return store.SaveResult{}, false, nil, nil
	}
	// When nothing came between, the cursor moves past this save's entry
	// so it is not read and applied again.
	id, _ := reply[2].(string)
	s.index.mu.Lock()
	if id != "" && reply[3] == int64(1) && s.index.cursor == snap.cursor {
		s.index.cursor = id
	}
	s.index.remember(snap, &w)
	s.index.mu.Unlock()
	return store.SaveResult{Outcomes: plan.Outcomes, Joined: plan.Joined}, true, nil, nil
}

// memIndex is the process's copy of the lookup stream.
type memIndex struct {
	mu sync.Mutex
	x  story.LookupIndex
	// cursor is the ID of the last stream entry applied ("" for none).
	cursor string
	// synced: the index caught up with the stream at least once.
	synced bool
	// items and stories are what this process remembers (speculate.go).
	items   map[string]snapItem
	stories map[string]snapStory
}

// apply records stream entries read after the cursor, in order. Entries
// at or before the cursor (another save of this process applied them
// first) are skipped.
func (m *memIndex) apply(tail []string) {
	for ; len(tail) >= 2; tail = tail[2:] {
		id, blob := tail[0], tail[1]
		if m.cursor != "" && !streamIDAfter(id, m.cursor) {
			continue
		}
		// A malformed entry (none of ours) is skipped, whatever of it
		// decoded kept: losing it costs at most the merges its items would
		// have made, where failing would stop every save until
		// it expired.
		_ = story.DecodeLookups(blob, m.x.Add)
		m.cursor = id
	}
}

// live returns the live candidates of the batch's fields, by field
// (fields with none left out), and those that PlanSave may judge which
// loaded lacks.
func (m *memIndex) live(items []item.Item, now int64, loaded map[string]snapItem) (byField map[string][]story.Hit, unloaded []string) {
	byField = map[string][]story.Hit{}
	added := map[string]bool{}
	eachField(items, func(f string) []story.Hit { return m.x.Live(f, now) }, func(f string, hits, judged []story.Hit) bool {
		byField[f] = hits
		for _, h := range judged {
			if _, ok := loaded[h.Key]; !ok && !added[h.Key] {
				added[h.Key] = true
				unloaded = append(unloaded, h.Key)
			}
		}
		return true
	})
	return byField, unloaded
}

// eachField calls fn with each field of the batch's items that has live
// hits, the hits, and those of them the item is judged against
// (story.Judged; all of them for an item with no date yet, which
// PlanSave dates), until fn returns false. It reports whether fn never
// did.
func eachField(items []item.Item, live func(field string) []story.Hit, fn func(field string, hits, judged []story.Hit) bool) bool {
	for _, it := range items {
		t := it.Published
		if t.IsZero() {
			t = it.FirstSeen
		}
		for tier, fields := range [2][]string{it.StoryKeys, it.Buckets} {
			for _, f := range fields {
				hits := live(f)
				if len(hits) == 0 {
					continue
				}
				judged := hits
				if !t.IsZero() {
					judged = story.Judged(hits, nil, t.Unix(), tier == 1)
				}
				if !fn(f, hits, judged) {
					return false
				}
			}
		}
	}
	return true
}

// streamIDAfter reports whether stream ID a ("<ms>-<seq>") comes after b.
func streamIDAfter(a, b string) bool {
	am, as, _ := strings.Cut(a, "-")
	bm, bs, _ := strings.Cut(b, "-")
	if len(am) != len(bm) {
		return len(am) > len(bm)
	}
	if am != bm {
		return am > bm
	}
	if len(as) != len(bs) {
		return len(as) > len(bs)
	}
	return as > bs
}

// snapshot is what storyread.lua returned, rounds merged; it serves
// PlanSave's reads.
type snapshot struct {
	items   map[string]snapItem
	stories map[string]snapStory
	// lookups are the live candidates of the batch's fields, as the
	// index held them once every one PlanSave may judge was loaded.
	lookups map[string][]story.Hit
	fields  []string // the batch's lookup fields
	cursor  string   // the stream entry lookups reflect
	version string   // of the version key, as the first round read it
	now     time.Time
	// speculative: remembered, not read (speculate.go).
	speculative bool
	// records decodes candidate records (the Store's).
	records *story.Records
}

// snapItem is an item as storyread.lua returns it: data is
// recordPrefix and the item hash's candidate record c (or, for an item
// stored before records, its JSON d); published, firstSeen, source and
// story are its p, f, s and st fields, mark the seen mark's value, token
// what storysave.lua checks. score (the hash's sc) is set only when this
// process wrote the item (the token holds it otherwise).
type snapItem struct {
	data, published, firstSeen, source, story, score, mark, token string
}

// recordPrefix starts a snapItem's data that is a candidate record: JSON
// starts with '{'.
const recordPrefix = "R"

// snapStory is a story hash's v and d fields.
type snapStory struct{ version, data string }

// maxReadRounds bounds the reads of one snapshot. A round only follows
// when the stream brought entries naming items not loaded yet: a
// process's first save (its index is empty) or a concurrent save of the
// same story.
const maxReadRounds = 4

// readSnapshot loads the batch's items and the candidates the index names,
// catching the index up with the stream on the way, until every live
// candidate is loaded. ok is false when that did not settle within
// maxReadRounds (saves kept adding candidates): the caller retries.
//
// first, when not nil, is round 0's answer already at hand (a failed
// speculative write read it).
func (s *Store) readSnapshot(ctx context.Context, items []item.Item, now time.Time, first []any) (*snapshot, bool, error) {
	snap := &snapshot{now: now, items: map[string]snapItem{}, stories: map[string]snapStory{}, fields: batchFields(items),
		records: s.records}
	nowMs := now.UnixMilli()
	for round := range maxReadRounds + 1 {
		s.index.mu.Lock()
		cursor := s.index.cursor
		lookups, cands := s.index.live(items, nowMs, snap.items)
		if round > 0 && len(cands) == 0 {
			snap.lookups = lookups
			snap.cursor = cursor
			s.index.mu.Unlock()
			return snap, true, nil
		}
		s.index.mu.Unlock()
		if round == maxReadRounds {
			break
		}
		raw := first
		if round > 0 || raw == nil {
			args := make([]any, 0, 2+len(items)+len(cands))
			args = append(args, s.base, cursor)
			if round == 0 {
				for _, it := range items {
					args = append(args, it.Key)
				}
			}
			for _, k := range cands {
				args = append(args, k)
			}
			var err error
			if raw, err = storyReadScript.Run(ctx, s.rdb, []string{s.versionKey()}, args...).Slice(); err != nil {
				return nil, false, fmt.Errorf("read stories: %w", err)
			}
		}
		tail, version, err := snap.decode(raw)
		if err != nil {
			return nil, false, fmt.Errorf("read stories: %w", err)
		}
		if round == 0 {
			snap.version = version
		}
		s.index.mu.Lock()
		s.index.apply(tail)
		s.index.synced = true
		s.index.mu.Unlock()
	}
	return nil, false, nil
}

// batchFields are the batch's story keys and buckets. A field two items
// share is listed twice, which costs less than a set of ~26 per item.
func batchFields(items []item.Item) []string {
	n := 0
	for _, it := range items {
		n += len(it.StoryKeys) + len(it.Buckets)
	}
	out := make([]string, 0, n)
	for _, it := range items {
		out = append(out, it.StoryKeys...)
		out = append(out, it.Buckets...)
	}
	return out
}

// decode merges storyread.lua's arrays into the snapshot (what an earlier
// round read is kept: the write checks it) and returns the stream tail and
// the version.
func (sn *snapshot) decode(raw []any) (tail []string, version string, err error) {
	if len(raw) != 4 {
		return nil, "", fmt.Errorf("got %d values, want 4", len(raw))
	}
	version, _ = raw[3].(string)
	var parts [3][]string
	for i, r := range raw[:3] {
		vals, _ := r.([]any)
		parts[i] = make([]string, len(vals))
		for j, v := range vals {
			str, ok := v.(string)
			if !ok {
				return nil, "", fmt.Errorf("array %d element %d: got %T, want string", i, j, v)
			}
			parts[i][j] = str
		}
	}
	if len(parts[0])%8 != 0 || len(parts[1])%3 != 0 || len(parts[2])%2 != 0 {
		return nil, "", fmt.Errorf("arrays of %d, %d and %d elements", len(parts[0]), len(parts[1]), len(parts[2]))
	}
	for v := parts[0]; len(v) > 0; v = v[8:] {
		if _, ok := sn.items[v[0]]; !ok {
			sn.items[v[0]] = snapItem{data: v[1], published: v[2], firstSeen: v[3], source: v[4], story: v[5], mark: v[6], token: v[7]}
		}
	}
	for v := parts[1]; len(v) > 0; v = v[3:] {
		if _, ok := sn.stories[v[0]]; !ok {
			sn.stories[v[0]] = snapStory{version: v[1], data: v[2]}
		}
	}
	return parts[2], version, nil
}

// Mark parses a mark "<expiry ms>:<hash>" as storysave.lua writes it.
func (sn *snapshot) Mark(key string) (string, bool) {
	m := sn.items[key].mark
	exp, hash, ok := strings.Cut(m, ":")
	if !ok {
		return "", false
	}
	ms, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || ms != 0 && ms <= sn.now.UnixMilli() {
		return "", false
	}
	return hash, true
}

func (sn *snapshot) Item(key string) (story.Stored, bool, error) {
	v, ok := sn.items[key]
	if !ok {
		// PlanSave only asks for what the snapshot holds, unless a story
		// record vanished between two reads of the script (a concurrent
		// prune): its version check then fails the write.
		return story.Stored{}, false, nil
	}
	if rec, ok := strings.CutPrefix(v.data, recordPrefix); ok {
		si, err := sn.records.StoredString(key, rec, v.story)
		return si, err == nil, err
	}
	it, found, err := decodeItem([]any{nilIfEmpty(v.data), v.published, v.firstSeen, v.source})
	if err != nil || !found {
		return story.Stored{}, false, err
	}
	return story.Stored{Item: it, Story: v.story}, true, nil
}

func (sn *snapshot) Story(id string) (story.Story, bool, error) {
	v, ok := sn.stories[id]
	if !ok || v.data == "" {
		return story.Story{}, false, nil
	}
	var st story.Story
	if err := json.Unmarshal([]byte(v.data), &st); err != nil {
		return story.Story{}, false, fmt.Errorf("decode story %s: %w", id, err)
	}
	return st, true, nil
}

// Lookup returns the live candidates of a batch field.
func (sn *snapshot) Lookup(key string) ([]story.Hit, error) { return sn.lookups[key], nil }

// packFields is the batch's lookup fields as storysave.lua takes them: one
// argument, each field ending in "\n".
func (sn *snapshot) packFields() string {
	var b strings.Builder
	n := 0
	for _, f := range sn.fields {
		n += len(f) + 1
	}
	b.Grow(n)
	for _, f := range sn.fields {
		b.WriteString(f)
		b.WriteByte('\n')
	}
	return b.String()
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// applySummary overlays a representative's story summary (HMGET field
// rel) on it.
func applySummary(it *item.Item, rel any) error {
	data, _ := rel.(string)
	if data == "" {
		return nil
	}
	var sum story.Summary
	if err := json.Unmarshal([]byte(data), &sum); err != nil {
		return fmt.Errorf("decode story summary: %w", err)
	}
	sum.Apply(it)
	return nil
}
