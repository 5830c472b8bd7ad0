package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
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

// SaveItems stores a poll's items for src: per attempt one read script
// (the snapshot story.PlanSave reads), the plan in Go and one write script
// that applies it, atomically, only if nothing read has changed: two round
// trips unless another process saved the same stories in between. When
// this process remembers all the plan depends on (speculate.go), the read
// is skipped: one round trip.
//
// A process's saves run one at a time (s.saving). Left to race, the
// workers of one poller saving look-alike items (a list's replies to the
// same threads, recurring weekly subjects) into the same stories kept
// invalidating each other's snapshots until some gave up, and those items
// were not stored; serialised, every save also finds in memory what the
// previous one wrote, so it speculates, and its write checks only against
// other replicas. A conflict with those is retried after a jittered,
// exponentially growing pause (backoff), up to maxAttempts; a save that
// keeps conflicting takes the turn (turn.go), so it cannot starve, and one
// that meets a turn held elsewhere waits for it and takes it next.
//
// A save that fails writes nothing: the write script checks before its
// first write, so neither the items nor their seen marks are stored and
// the next poll offers them again.
func (s *Store) SaveItems(ctx context.Context, src string, items []item.Item) (store.SaveResult, error) {
	if len(items) == 0 {
		return store.SaveResult{}, nil
	}
	select {
	case s.saving <- struct{}{}:
	case <-ctx.Done():
		return store.SaveResult{}, fmt.Errorf("save items of %s: %w", src, ctx.Err())
	}
	defer func() { <-s.saving }()
	var (
		reread []any
		token  string // of this save's claim on the turn (turn.go), once it made one
		held   bool   // the turn is token's, as far as this save knows
		// queue: the write was refused because another save holds
		// the turn, so this one waits for it, then takes it.
		queue bool
	)
	defer func() {
		if held {
			s.releaseTurn(ctx, token)
		}
	}()
	for attempt := range maxAttempts {
		escalated := queue || attempt >= escalateAfter
		// A failed speculative write returned what to plan from: no
		// pause, the answer is fresh. Once escalated, waiting for the
		// turn is the pause.
		if attempt > 0 && reread == nil && !escalated {
			t := time.NewTimer(backoff(attempt, rand.Float64()))
			select {
			case <-ctx.Done():
				t.Stop()
				return store.SaveResult{}, fmt.Errorf("save items of %s: %w", src, ctx.Err())
			case <-t.C:
			}
		}
		if escalated {
			if token == "" {
				token = newTurnToken()
			}
			if err := s.awaitTurn(ctx, token); err != nil {
				return store.SaveResult{}, fmt.Errorf("save items of %s: %w", src, err)
			}
			held = true
		}
		turn := ""
		if held {
			turn = token
		}
		res, ok, next, err := s.trySave(ctx, src, items, attempt == 0, reread, turn)
		if errors.Is(err, errTurnTaken) {
			// Another save holds the turn (or took it when ours
			// expired): no plan is worth making until it wrote.
			queue, held, reread = true, false, nil
			continue
		}
		if err != nil {
			return store.SaveResult{}, fmt.Errorf("save items of %s: %w", src, err)
		}
		if ok {
			held = false // the write gave the turn up
			return res, nil
		}
		reread = next
	}
	return store.SaveResult{}, fmt.Errorf("save items of %s: %w", src, ErrConflict)
}

// Retry pauses after a conflict: full jitter over an exponentially growing
// bound, so replicas that collided spread out instead of colliding again
// in lockstep, capped so a save under long contention keeps trying often.
const (
	backoffBase = time.Millisecond
	backoffCap  = 100 * time.Millisecond
)

// backoff is the pause before retry attempt (>= 1), r in [0, 1) the jitter.
func backoff(attempt int, r float64) time.Duration {
	bound := backoffCap
	if attempt < 8 {
		bound = min(backoffBase<<attempt, backoffCap)
	}
	return time.Duration(r * float64(bound))
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
// pipelined HMGET per page, two round trips. The indexes hold story
// representatives, which carry their story's summary.
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
