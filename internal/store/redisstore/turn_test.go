package redisstore

import (
	"context"
	"errors"
	"maps"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/store/storetest"
)

// dumpPrefix returns every key under the store's base with its DUMP (the
// value, not the TTL), leaving out the save turn.
func dumpPrefix(t *testing.T, c *redis.Client, s *Store) map[string]string {
	t.Helper()
	ctx := t.Context()
	out := map[string]string{}
	iter := c.Scan(ctx, 0, s.base+"*", 1000).Iterator()
	for iter.Next(ctx) {
		k := iter.Val()
		if k == s.turnKey() {
			continue
		}
		v, err := c.Dump(ctx, k).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			t.Fatalf("DUMP %s: %v", k, err)
		}
		out[k] = v
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFailedSaveWritesNothing makes a save of look-alike items fail the
// way contention makes it fail (ErrConflict: here another replica holds the
// save turn for good) and checks that it left Redis exactly as it was: no
// item, no seen mark, no index or story change, no lookup entry. The same
// batch saved again is then all New (its items were not marked seen), and
// every story holds every item.
func TestFailedSaveWritesNothing(t *testing.T) {
	s, c := newStore(t, storetest.StoryOptions(nil))
	s.turnWait = 200 * time.Millisecond
	ctx := t.Context()
	first := storetest.LookalikeBatch("kernel-hardening-0", 0)
	if _, err := s.SaveItems(ctx, "kernel-hardening-0", first); err != nil {
		t.Fatal(err)
	}
	before := dumpPrefix(t, c, s)
	if err := c.Set(ctx, s.turnKey(), "another-replica", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	// Replies to the same threads: the save would join the stories the
	// first one made.
	batch := storetest.LookalikeBatch("kernel-hardening-1", 0)
	_, err := s.SaveItems(ctx, "kernel-hardening-1", batch)
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("SaveItems with the turn held elsewhere: got %v, want ErrConflict", err)
	}
	if after := dumpPrefix(t, c, s); !maps.Equal(before, after) {
		for k := range after {
			if _, ok := before[k]; !ok {
				t.Errorf("failed save added %s", k)
			} else if before[k] != after[k] {
				t.Errorf("failed save changed %s", k)
			}
		}
		for k := range before {
			if _, ok := after[k]; !ok {
				t.Errorf("failed save deleted %s", k)
			}
		}
		t.FailNow()
	}
	for _, it := range batch {
		if _, err := s.Item(ctx, it.Key); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Item(%s) after the failed save: %v, want ErrNotFound", it.Key, err)
		}
	}
	if got := c.Get(ctx, s.turnKey()).Val(); got != "another-replica" {
		t.Fatalf("the failed save touched the other replica's turn: %q", got)
	}

	if err := c.Del(ctx, s.turnKey()).Err(); err != nil {
		t.Fatal(err)
	}
	res, err := s.SaveItems(ctx, "kernel-hardening-1", batch)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Count(item.New); got != len(batch) {
		t.Fatalf("saved again: %d of %d New: %v", got, len(batch), res.Outcomes)
	}
	storetest.CheckLookalikes(t, s, append(first, batch...))
}

// TestSaveTurnExpires: a turn whose holder died (it never writes, never
// releases) holds the other replicas' saves back only until it expires.
func TestSaveTurnExpires(t *testing.T) {
	s, c := newStore(t, storetest.StoryOptions(nil))
	ctx := t.Context()
	if err := c.Set(ctx, s.turnKey(), "a-dead-replica", turnTTL).Err(); err != nil {
		t.Fatal(err)
	}
	batch := storetest.LookalikeBatch("kernel-hardening-0", 0)
	if _, err := s.SaveItems(ctx, "kernel-hardening-0", batch); err != nil {
		t.Fatalf("SaveItems after the dead replica's turn: %v", err)
	}
	storetest.CheckLookalikes(t, s, batch)
	if n := c.Exists(ctx, s.turnKey()).Val(); n != 0 {
		t.Fatalf("the turn is still held after the save")
	}
}

// TestSaveTurnCancelled: a save waiting for the turn stops with its
// context, writing nothing.
func TestSaveTurnCancelled(t *testing.T) {
	s, c := newStore(t, storetest.StoryOptions(nil))
	if err := c.Set(t.Context(), s.turnKey(), "another-replica", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	batch := storetest.LookalikeBatch("kernel-hardening-0", 0)
	if _, err := s.SaveItems(ctx, "kernel-hardening-0", batch); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("SaveItems: got %v, want the context's deadline", err)
	}
	if n, err := s.Count(t.Context(), store.AllTopic); err != nil || n != 0 {
		t.Fatalf("Count after the cancelled save: %d, %v", n, err)
	}
}
