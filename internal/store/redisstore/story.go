package redisstore

import (
	"context"
	_ "embed" // the Lua scripts
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
)

var (
	//go:embed storyread.lua
	storyReadLua string
	//go:embed storysave.lua
	storySaveLua string

	storyReadScript = redis.NewScript(commonLua + storyReadLua)
	storySaveScript = redis.NewScript(commonLua + storySaveLua)
)

// Story keys (with clustering on), beside those of the package comment:
//
//	<prefix>{kw}:story:<id>     hash: v (version), d (store.Story JSON)
//	<prefix>{kw}:lookup         hash: story key or bucket -> the items
//	                            recorded under it, "<expiry> <key>\n"...
//	                            (expiry: unix ms on the store's clock, in
//	                            base 36); PEXPIRE
//	                            lookup TTL on each write. One hash, not a
//	                            key per bucket: a batch's ~26 fields per
//	                            item are one HMGET and one HSET, and cost
//	                            no per-key overhead (a sorted set per
//	                            bucket was ~5,800 keys for 223 items and
//	                            15 times the plain ingest time).
//
// and two fields of an item hash: st (its story id, when the story has more
// than one member) and rel (on a representative: its store.Summary JSON, so
// Items reads a page in the same two round trips as before).

// ErrConflict is returned when a clustered save kept colliding with
// concurrent saves of the same stories for maxAttempts attempts.
var ErrConflict = errors.New("concurrent saves kept changing the same stories")

// maxAttempts bounds the optimistic retries of one clustered save. Each
// conflict means another save committed, so a batch waits for at most as
// many saves as there are concurrent pollers of overlapping stories.
const maxAttempts = 20

// saveStories is SaveItems with clustering: per attempt one read script
// (the snapshot), the plan in Go and one write script that applies it only
// if nothing read has changed: two round trips unless another process
// saved the same stories in between.
func (s *Store) saveStories(ctx context.Context, src string, items []item.Item) (store.SaveResult, error) {
	for attempt := range maxAttempts {
		if attempt > 0 {
			// A little jitter so that two colliding savers do not keep
			// colliding in lockstep.
			t := time.NewTimer(time.Duration(rand.Int64N(int64(time.Millisecond) << min(attempt, 5))))
			select {
			case <-ctx.Done():
				t.Stop()
				return store.SaveResult{}, fmt.Errorf("save items of %s: %w", src, ctx.Err())
			case <-t.C:
			}
		}
		res, ok, err := s.trySaveStories(ctx, src, items)
		if err != nil {
			return store.SaveResult{}, fmt.Errorf("save items of %s: %w", src, err)
		}
		if ok {
			return res, nil
		}
	}
	return store.SaveResult{}, fmt.Errorf("save items of %s: %w", src, ErrConflict)
}

func (s *Store) trySaveStories(ctx context.Context, src string, items []item.Item) (store.SaveResult, bool, error) {
	now := s.now()
	snap, err := s.readSnapshot(ctx, items, now)
	if err != nil {
		return store.SaveResult{}, false, err
	}
	plan, err := store.PlanSave(snap, s.opts, src, items, now)
	if err != nil {
		return store.SaveResult{}, false, err
	}
	args, err := s.planArgs(plan, snap, now)
	if err != nil {
		return store.SaveResult{}, false, err
	}
	reply, err := storySaveScript.Run(ctx, s.rdb, []string{s.versionKey()}, args...).Int64Slice()
	if err != nil {
		return store.SaveResult{}, false, err
	}
	if len(reply) == 0 || reply[0] != 1 {
		return store.SaveResult{}, false, nil
	}
	return store.SaveResult{Outcomes: plan.Outcomes, Joined: plan.Joined}, true, nil
}

// snapshot is storyread.lua's answer; it serves PlanSave's reads.
type snapshot struct {
	items   map[string]snapItem
	lookups map[string]string // raw values of the fields present
	fields  []string          // every lookup field read, present or not
	index   map[string]int    // position of each field in fields
	packed  string            // fields as the scripts take them
	stories map[string]snapStory
	version string // of the version key
	now     time.Time
}

type snapItem struct{ d, p, f, s, st, m, tok string }

type snapStory struct{ v, d string }

func (s *Store) readSnapshot(ctx context.Context, items []item.Item, now time.Time) (*snapshot, error) {
	snap := &snapshot{now: now, index: map[string]int{}}
	for _, it := range items {
		for _, keys := range [2][]string{it.StoryKeys, it.Buckets} {
			for _, k := range keys {
				if _, ok := snap.index[k]; !ok {
					snap.index[k] = len(snap.fields)
					snap.fields = append(snap.fields, k)
				}
			}
		}
	}
	args := make([]any, 0, 4+len(items))
	args = append(args, s.base, strconv.FormatInt(now.UnixMilli(), 10), strconv.Itoa(len(items)))
	for _, it := range items {
		args = append(args, it.Key)
	}
	snap.packed = snap.packFields()
	args = append(args, snap.packed)
	raw, err := storyReadScript.Run(ctx, s.rdb, []string{s.versionKey()}, args...).Slice()
	if err != nil {
		return nil, fmt.Errorf("read stories: %w", err)
	}
	if err := snap.decode(raw); err != nil {
		return nil, fmt.Errorf("read stories: %w", err)
	}
	return snap, nil
}

// decode fills the snapshot from storyread.lua's three flat arrays and
// version.
func (sn *snapshot) decode(raw []any) error {
	if len(raw) != 4 {
		return fmt.Errorf("got %d values, want 4", len(raw))
	}
	sn.version, _ = raw[3].(string)
	var parts [3][]string
	for i, r := range raw[:3] {
		vals, _ := r.([]any)
		parts[i] = make([]string, len(vals))
		for j, v := range vals {
			str, ok := v.(string)
			if !ok {
				return fmt.Errorf("array %d element %d: got %T, want string", i, j, v)
			}
			parts[i][j] = str
		}
	}
	if len(parts[0])%8 != 0 || len(parts[1])%2 != 0 || len(parts[2])%3 != 0 {
		return fmt.Errorf("arrays of %d, %d and %d elements", len(parts[0]), len(parts[1]), len(parts[2]))
	}
	sn.items = make(map[string]snapItem, len(parts[0])/8)
	for v := parts[0]; len(v) > 0; v = v[8:] {
		sn.items[v[0]] = snapItem{d: v[1], p: v[2], f: v[3], s: v[4], st: v[5], m: v[6], tok: v[7]}
	}
	sn.lookups = make(map[string]string, len(parts[1])/2)
	for v := parts[1]; len(v) > 0; v = v[2:] {
		sn.lookups[v[0]] = v[1]
	}
	sn.stories = make(map[string]snapStory, len(parts[2])/3)
	for v := parts[2]; len(v) > 0; v = v[3:] {
		sn.stories[v[0]] = snapStory{v: v[1], d: v[2]}
	}
	return nil
}

// Mark parses a mark "<expiry ms>:<hash>" as save.lua does.
func (sn *snapshot) Mark(key string) (string, bool) {
	m := sn.items[key].m
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

func (sn *snapshot) Item(key string) (store.StoredItem, bool, error) {
	v, ok := sn.items[key]
	if !ok {
		// PlanSave only asks for what the snapshot holds, unless a story
		// record vanished between two reads of the script (a concurrent
		// prune): its version check then fails the write.
		return store.StoredItem{}, false, nil
	}
	it, found, err := decodeItem([]any{nilIfEmpty(v.d), v.p, v.f, v.s})
	if err != nil || !found {
		return store.StoredItem{}, false, err
	}
	return store.StoredItem{Item: it, Story: v.st}, true, nil
}

func (sn *snapshot) Story(id string) (store.Story, bool, error) {
	v, ok := sn.stories[id]
	if !ok || v.d == "" {
		return store.Story{}, false, nil
	}
	var st store.Story
	if err := json.Unmarshal([]byte(v.d), &st); err != nil {
		return store.Story{}, false, fmt.Errorf("decode story %s: %w", id, err)
	}
	return st, true, nil
}

// Lookup returns the live items of a lookup field, sorted so that the
// candidates' order does not depend on who recorded them first.
func (sn *snapshot) Lookup(key string) ([]string, error) {
	var out []string
	err := sn.entries(key, func(_, k string) {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	})
	slices.Sort(out)
	return out, err
}

// packFields is the snapshot's lookup fields as the scripts take them:
// one argument, each field ending in "\n" (fields are URLs, ids and
// bucket names, never holding a newline).
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

// newLookups returns the new values of the snapshot's lookup fields, each
// ending in "\t" (empty for a field the plan leaves alone): the live
// entries read (the write script checks they are still what is stored),
// less the items recorded again, then the plan's items with a fresh
// expiry.
func (sn *snapshot) newLookups(ls []store.Lookup, expiry int64) (string, error) {
	added := make([][]string, len(sn.fields))
	for _, l := range ls {
		i, ok := sn.index[l.Key]
		if !ok {
			// PlanSave records items only under their own story keys
			// and buckets, all of which the snapshot read.
			return "", fmt.Errorf("lookup %s: not in the snapshot", l.Key)
		}
		added[i] = append(added[i], l.Item)
	}
	exp := strconv.FormatInt(expiry, 36)
	var b strings.Builder
	for i, f := range sn.fields {
		add := added[i]
		if len(add) > 0 {
			err := sn.entries(f, func(ms, k string) {
				if !slices.Contains(add, k) {
					writeEntry(&b, ms, k)
				}
			})
			if err != nil {
				return "", err
			}
			for _, k := range add {
				writeEntry(&b, exp, k)
			}
		}
		b.WriteByte('\t')
	}
	return b.String(), nil
}

// writeEntry writes one lookup entry, "<expiry> <item key>\n".
func writeEntry(b *strings.Builder, expiry, key string) {
	b.WriteString(expiry)
	b.WriteByte(' ')
	b.WriteString(key)
	b.WriteByte('\n')
}

// entries calls fn with each live entry of lookup field key.
func (sn *snapshot) entries(key string, fn func(expiry, item string)) error {
	now := sn.now.UnixMilli()
	for line := range strings.Lines(sn.lookups[key]) {
		exp, k, ok := strings.Cut(strings.TrimSuffix(line, "\n"), " ")
		if !ok {
			return fmt.Errorf("lookup %s: malformed entry %q", key, line)
		}
		ms, err := strconv.ParseInt(exp, 36, 64)
		if err != nil {
			return fmt.Errorf("lookup %s: expiry %q: %w", key, exp, err)
		}
		if ms > now {
			fn(exp, k)
		}
	}
	return nil
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// planArgs encodes the checks and the plan for storysave.lua.
func (s *Store) planArgs(p *store.Plan, snap *snapshot, now time.Time) ([]any, error) {
	expiry, ttl := "0", "0"
	if s.opts.SeenTTL > 0 {
		expiry = strconv.FormatInt(now.Add(s.opts.SeenTTL).UnixMilli(), 10)
		ttl = strconv.FormatInt(s.opts.SeenTTL.Milliseconds(), 10)
	}
	changed := "0"
	if p.Changed {
		changed = "1"
	}
	nChecks := len(snap.items) + len(snap.stories)
	args := make([]any, 0, 11+3*nChecks+9*len(p.Items)+3*len(p.Marks))
	args = append(args, s.base, ttl, strconv.FormatInt(s.opts.LookupTTL().Milliseconds(), 10),
		strconv.Itoa(max(s.opts.MaxItems, 0)), s.cutoff(now), changed, strconv.Itoa(nChecks), snap.version)
	for k, v := range snap.items {
		args = append(args, "i", k, v.tok)
	}
	for id, v := range snap.stories {
		args = append(args, "s", id, v.v)
	}
	var read strings.Builder
	for _, f := range snap.fields {
		read.WriteString(snap.lookups[f])
		read.WriteByte('\t')
	}
	written, err := snap.newLookups(p.Lookups, now.Add(s.opts.LookupTTL()).UnixMilli())
	if err != nil {
		return nil, err
	}
	args = append(args, snap.packed, read.String(), written)
	for _, si := range p.Items {
		it := si.Item
		data, err := json.Marshal(it)
		if err != nil {
			return nil, fmt.Errorf("encode item %s: %w", it.Key, err)
		}
		topics, err := json.Marshal(append([]string{}, it.Topics...))
		if err != nil {
			return nil, fmt.Errorf("encode topics of %s: %w", it.Key, err)
		}
		args = append(args, "I", it.Key, string(data), formatTime(it.Published), formatTime(it.FirstSeen),
			it.Source, score(it.Published), string(topics), si.Story)
	}
	for _, m := range p.Marks {
		args = append(args, "M", m.Key, expiry+":"+m.Hash)
	}
	for _, l := range p.Links {
		args = append(args, "K", l.Key, l.Story)
	}
	for _, e := range p.IndexRemove {
		args = append(args, "Z-", s.indexOf(e), e.Key)
	}
	for _, e := range p.IndexAdd {
		args = append(args, "Z+", s.indexOf(e), score(e.Published), e.Key)
	}
	for _, st := range p.Stories {
		data, err := json.Marshal(st)
		if err != nil {
			return nil, fmt.Errorf("encode story %s: %w", st.ID, err)
		}
		args = append(args, "S", st.ID, strconv.FormatInt(st.Version, 10), string(data))
	}
	for _, id := range p.DeleteStories {
		args = append(args, "SD", id)
	}
	for _, k := range p.ClearSummary {
		args = append(args, "RC", k)
	}
	for _, ks := range p.SetSummary {
		data, err := json.Marshal(ks.Summary)
		if err != nil {
			return nil, fmt.Errorf("encode summary of %s: %w", ks.Key, err)
		}
		args = append(args, "RS", ks.Key, string(data))
	}
	return args, nil
}

func (s *Store) indexOf(e store.IndexEntry) string {
	switch e.Kind {
	case store.IndexSource:
		return s.sourceIndex(e.Name)
	case store.IndexTopic:
		return s.topicIndex(e.Name)
	}
	return s.topicIndex(store.AllTopic)
}

// applySummary overlays a representative's story summary (HMGET field
// rel) on it.
func applySummary(it *item.Item, rel any) error {
	data, _ := rel.(string)
	if data == "" {
		return nil
	}
	var sum store.Summary
	if err := json.Unmarshal([]byte(data), &sum); err != nil {
		return fmt.Errorf("decode story summary: %w", err)
	}
	sum.Apply(it)
	return nil
}
