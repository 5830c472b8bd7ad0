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
//	<prefix>{kw}:lk:<key>       sorted set of item keys recorded under a
//	                            story key or bucket, scored by expiry (unix
//	                            ms, the store's clock); PEXPIRE lookup TTL on
//	                            each ZADD. Small sorted sets are listpacks in
//	                            Redis 7.0, unlike sets of strings.
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
	Items map[string]struct {
		D, P, F, S, St, M, Tok string
	} `json:"items"`
	Lookups map[string]struct {
		N int      `json:"n"`
		M []string `json:"m"`
	} `json:"lookup"`
	Stories map[string]struct{ V, D string } `json:"stories"`
	now     time.Time
}

func (s *Store) readSnapshot(ctx context.Context, items []item.Item, now time.Time) (*snapshot, error) {
	var keys, lookups []string
	seen := map[string]bool{}
	for _, it := range items {
		keys = append(keys, it.Key)
		for _, k := range slices.Concat(it.StoryKeys, it.Buckets) {
			if !seen[k] {
				seen[k] = true
				lookups = append(lookups, k)
			}
		}
	}
	args := make([]any, 0, 3+len(keys)+len(lookups))
	args = append(args, s.base, strconv.FormatInt(now.UnixMilli(), 10), strconv.Itoa(len(keys)))
	for _, k := range keys {
		args = append(args, k)
	}
	args = append(args, strconv.Itoa(len(lookups)))
	for _, k := range lookups {
		args = append(args, k)
	}
	raw, err := storyReadScript.Run(ctx, s.rdb, []string{s.versionKey()}, args...).Text()
	if err != nil {
		return nil, fmt.Errorf("read stories: %w", err)
	}
	snap := &snapshot{now: now}
	if err := json.Unmarshal([]byte(raw), snap); err != nil {
		return nil, fmt.Errorf("read stories: decode: %w", err)
	}
	return snap, nil
}

// Mark parses a mark "<expiry ms>:<hash>" as save.lua does.
func (sn *snapshot) Mark(key string) (string, bool) {
	m := sn.Items[key].M
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
	v, ok := sn.Items[key]
	if !ok {
		// PlanSave only asks for what the snapshot holds, unless a story
		// record vanished between two reads of the script (a concurrent
		// prune): its version check then fails the write.
		return store.StoredItem{}, false, nil
	}
	it, found, err := decodeItem([]any{nilIfEmpty(v.D), v.P, v.F, v.S})
	if err != nil || !found {
		return store.StoredItem{}, false, err
	}
	return store.StoredItem{Item: it, Story: v.St}, true, nil
}

func (sn *snapshot) Story(id string) (store.Story, bool, error) {
	v, ok := sn.Stories[id]
	if !ok || v.D == "" {
		return store.Story{}, false, nil
	}
	var st store.Story
	if err := json.Unmarshal([]byte(v.D), &st); err != nil {
		return store.Story{}, false, fmt.Errorf("decode story %s: %w", id, err)
	}
	return st, true, nil
}

func (sn *snapshot) Lookup(key string) ([]string, error) { return sn.Lookups[key].M, nil }

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
	nChecks := len(snap.Items) + len(snap.Lookups) + len(snap.Stories)
	args := make([]any, 0, 8+3*nChecks+8*len(p.Items)+3*len(p.Marks)+3*len(p.Lookups))
	args = append(args, s.base, ttl, strconv.FormatInt(s.opts.LookupTTL().Milliseconds(), 10),
		strconv.FormatInt(now.Add(s.opts.LookupTTL()).UnixMilli(), 10), strconv.Itoa(max(s.opts.MaxItems, 0)), s.cutoff(now), changed, strconv.Itoa(nChecks))
	for k, v := range snap.Items {
		args = append(args, "i", k, v.Tok)
	}
	for k, v := range snap.Lookups {
		args = append(args, "l", k, strconv.Itoa(v.N))
	}
	for id, v := range snap.Stories {
		args = append(args, "s", id, v.V)
	}
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
	for _, l := range p.Lookups {
		args = append(args, "L", l.Key, l.Item)
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
