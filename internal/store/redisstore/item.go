package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
)

const defaultLimit = 50

// Fields of an item hash that Items and Item read back (see decodeItem).
const (
	fieldData      = "d"
	fieldPublished = "p"
	fieldFirstSeen = "f"
	fieldSource    = "s"
	// fieldSummary is a story representative's story.Summary (story.go).
	fieldSummary = "rel"
)

// headerArgs is how many ARGV entries save.lua reads before the items.
const headerArgs = 7

// SaveItems stores a poll's items for src with one script call (EVALSHA, plus
// EVAL once if Redis lost the script): one round trip whatever the batch
// size, atomic for the whole batch.
func (s *Store) SaveItems(ctx context.Context, src string, items []item.Item) (store.SaveResult, error) {
	if s.opts.Stories && len(items) > 0 {
		return s.saveStories(ctx, src, items)
	}
	res := store.SaveResult{Outcomes: make([]item.Outcome, len(items))}
	now := s.now()
	args := make([]any, headerArgs, headerArgs+9*len(items))
	args[0], args[1] = s.base, src
	args[2] = strconv.FormatInt(now.UnixMilli(), 10)
	args[3], args[4] = "0", "0"
	if s.opts.SeenTTL > 0 {
		args[3] = strconv.FormatInt(now.Add(s.opts.SeenTTL).UnixMilli(), 10)
		args[4] = strconv.FormatInt(s.opts.SeenTTL.Milliseconds(), 10)
	}
	args[5], args[6] = strconv.Itoa(max(s.opts.MaxItems, 0)), s.cutoff(now)

	sent := make([]int, 0, len(items)) // positions in items of what the script sees
	for i, it := range items {
		// A zero Published is not judged: on an update it means "keep the
		// stored date", on a new item it becomes the first-seen time.
		if s.opts.MaxAge > 0 && !it.Published.IsZero() && it.Published.Before(now.Add(-s.opts.MaxAge)) {
			res.Outcomes[i] = item.TooOld
			continue
		}
		if it.Source == "" {
			it.Source = src
		}
		first := it.FirstSeen
		if first.IsZero() {
			first = now
		}
		data, err := json.Marshal(it)
		if err != nil {
			return store.SaveResult{}, fmt.Errorf("save items of %s: encode item %s: %w", src, it.Key, err)
		}
		// For a zero Published the script gets "" (its cue) and the score
		// of first seen, which a new item takes as its date.
		sc := score(it.Published)
		if it.Published.IsZero() {
			sc = score(first)
		}
		args = append(args, it.Key, it.Hash, it.Source, sc, formatTime(it.Published),
			formatTime(first), data, strconv.Itoa(len(it.Topics)))
		for _, t := range it.Topics {
			args = append(args, t)
		}
		sent = append(sent, i)
	}
	if len(sent) == 0 {
		return res, nil
	}

	codes, err := saveScript.Run(ctx, s.rdb, []string{s.versionKey()}, args...).Int64Slice()
	if err != nil {
		return store.SaveResult{}, fmt.Errorf("save items of %s: %w", src, err)
	}
	if len(codes) != len(sent) {
		return store.SaveResult{}, fmt.Errorf("save items of %s: script returned %d outcomes for %d items", src, len(codes), len(sent))
	}
	for j, code := range codes {
		switch code {
		case 1:
			res.Outcomes[sent[j]] = item.New
		case 2:
			res.Outcomes[sent[j]] = item.Updated
		case 3:
			res.Outcomes[sent[j]] = item.Duplicate
		default:
			return store.SaveResult{}, fmt.Errorf("save items of %s: script returned outcome %d", src, code)
		}
	}
	return res, nil
}

// score is the index score of a publish time: negated unix microseconds, so
// ascending order is newest first. Times before 1970 clamp to 0, like bbolt's.
func score(published time.Time) string {
	us := published.UnixMicro()
	if published.Before(time.Unix(0, 0)) {
		us = 0
	}
	return strconv.FormatInt(-us, 10)
}

// cutoff is the score above which items are older than MaxAge at now, or ""
// when there is no MaxAge.
func (s *Store) cutoff(now time.Time) string {
	if s.opts.MaxAge <= 0 {
		return ""
	}
	return score(now.Add(-s.opts.MaxAge))
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// Items returns the items of q's index, newest first: one ZRANGE and one
// pipelined HMGET per page, two round trips. With clustering the indexes
// hold story representatives, which carry their story's summary.
func (s *Store) Items(ctx context.Context, q store.Query) ([]item.Item, error) {
	idx := s.topicIndex(store.AllTopic)
	switch {
	case q.Source != "":
		idx = s.sourceIndex(q.Source)
	case q.Topic != "":
		idx = s.topicIndex(q.Topic)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	offset := max(q.Offset, 0)
	keys, err := s.rdb.ZRange(ctx, idx, int64(offset), int64(offset+limit-1)).Result()
	if err != nil {
		return nil, fmt.Errorf("items %s: %w", idx, err)
	}
	if len(keys) == 0 {
		return nil, nil
	}
	cmds := make([]*redis.SliceCmd, len(keys))
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range keys {
			cmds[i] = p.HMGet(ctx, s.itemKey(k), fieldData, fieldPublished, fieldFirstSeen, fieldSource, fieldSummary)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("items %s: %w", idx, err)
	}
	out := make([]item.Item, 0, len(keys))
	for i, cmd := range cmds {
		vals := cmd.Val()
		it, found, err := decodeItem(vals[:min(len(vals), 4)])
		if err == nil && found && len(vals) > 4 {
			err = applySummary(&it, vals[4])
		}
		if err != nil {
			return nil, fmt.Errorf("items %s: item %s: %w", idx, keys[i], err)
		}
		// Pruned between the two round trips: skip it.
		if found {
			out = append(out, it)
		}
	}
	return out, nil
}

// Item returns the item stored under key, or store.ErrNotFound.
func (s *Store) Item(ctx context.Context, key string) (item.Item, error) {
	vals, err := s.rdb.HMGet(ctx, s.itemKey(key), fieldData, fieldPublished, fieldFirstSeen, fieldSource).Result()
	if err != nil {
		return item.Item{}, fmt.Errorf("item %s: %w", key, err)
	}
	it, found, err := decodeItem(vals)
	if err != nil {
		return item.Item{}, fmt.Errorf("item %s: %w", key, err)
	}
	if !found {
		return item.Item{}, fmt.Errorf("item %s: %w", key, store.ErrNotFound)
	}
	return it, nil
}

// decodeItem builds an item from HMGET d p f s: the JSON as last saved,
// overlaid with what the script keeps across updates.
func decodeItem(vals []any) (item.Item, bool, error) {
	if len(vals) != 4 || vals[0] == nil {
		return item.Item{}, false, nil
	}
	data, _ := vals[0].(string)
	var it item.Item
	if err := json.Unmarshal([]byte(data), &it); err != nil {
		return item.Item{}, false, fmt.Errorf("decode: %w", err)
	}
	var err error
	if it.Published, err = parseTime(vals[1]); err != nil {
		return item.Item{}, false, fmt.Errorf("published: %w", err)
	}
	if it.FirstSeen, err = parseTime(vals[2]); err != nil {
		return item.Item{}, false, fmt.Errorf("first seen: %w", err)
	}
	if src, _ := vals[3].(string); src != "" {
		it.Source = src
	}
	return it, true, nil
}

func parseTime(v any) (time.Time, error) {
	s, _ := v.(string)
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}
