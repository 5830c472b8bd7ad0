package boltstore

import (
	"context"
	"fmt"
	"time"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
	bolt "go.etcd.io/bbolt"
)

// Prune applies MaxAge and MaxItems at now and sweeps expired seen marks
// (bbolt has no TTL of its own). It returns how many items were removed.
func (s *Store) Prune(ctx context.Context, now time.Time) (int, error) {
	var removed int
	// The lookup index lock orders this sweep with saves.
	s.lookups.mu.Lock()
	defer s.lookups.mu.Unlock()
	err := s.update(ctx, func(tx *bolt.Tx) error {
		b := bucketsOf(tx)
		var err error
		if removed, err = s.retain(b, now); err != nil {
			return err
		}
		if err := sweepSeen(b, now); err != nil {
			return err
		}
		if err := sweepLookups(b.story, now); err != nil {
			return err
		}
		if removed > 0 {
			return bumpVersion(tx)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("prune: %w", err)
	}
	s.lookups.sweep(now)
	return removed, nil
}

// retain removes items older than MaxAge and those beyond the newest
// MaxItems, returning how many it removed.
//
// Only the all index is walked: every item is in it and every other index is
// a subset of it, so once it holds at most MaxItems so does every index. Any
// item that capping a topic or source index would drop is also beyond
// MaxItems in the all index, so the result is the same as capping each.
func (s *Store) retain(b buckets, now time.Time) (int, error) {
	all := b.idx.Bucket([]byte(allIndex))
	if all == nil {
		return 0, nil
	}
	// Keys are collected first: bbolt cursors must not outlive changes to
	// their bucket.
	victims := map[string]bool{} // index keys, as strings to dedupe
	c := all.Cursor()
	if s.opts.MaxAge > 0 {
		cutoff := publishedNanos(now.Add(-s.opts.MaxAge))
		for k, _ := c.Last(); k != nil && publishedOf(k) < cutoff; k, _ = c.Prev() {
			victims[string(k)] = true
		}
	}
	if s.opts.MaxItems > 0 {
		n := 0
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if n++; n > s.opts.MaxItems {
				victims[string(k)] = true
			}
		}
	}
	removed := 0
	for k := range victims {
		n, err := removeItem(b, []byte(k))
		if err != nil {
			return 0, err
		}
		removed += n
	}
	return removed, nil
}

// removeItem deletes the item behind all-index key k and its index entries,
// keeping its seen mark so the item is not taken again while upstream still
// carries it. An index entry whose item is gone is dropped and not counted.
// It returns how many items it removed.
func removeItem(b buckets, k []byte) (int, error) {
	key := string(k[8:])
	it, found, err := getItem(b, key)
	if err != nil {
		return 0, err
	}
	if !found {
		if err := b.idx.Bucket([]byte(allIndex)).Delete(k); err != nil {
			return 0, fmt.Errorf("drop stray index entry %s: %w", key, err)
		}
		return 0, nil
	}
	// A story representative goes with its whole story.
	if n, err := removeStory(b, b.story, it); err != nil || n >= 0 {
		return n, err
	}
	if err := unindex(b, it); err != nil {
		return 0, err
	}
	if err := b.items.Delete([]byte(key)); err != nil {
		return 0, fmt.Errorf("delete item %s: %w", key, err)
	}
	return 1, nil
}

// sweepSeen deletes seen marks that expired at now.
func sweepSeen(b buckets, now time.Time) error {
	var expired [][]byte
	err := b.seen.ForEach(func(k, v []byte) error {
		if len(v) < 8 || markExpired(v, now) {
			expired = append(expired, append([]byte(nil), k...))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sweep seen: %w", err)
	}
	for _, k := range expired {
		if err := b.seen.Delete(k); err != nil {
			return fmt.Errorf("sweep seen %s: %w", k, err)
		}
	}
	return nil
}

// unindex removes it from every index it is in, dropping indexes it leaves
// empty so that topics which disappear leave no buckets behind.
func unindex(b buckets, it item.Item) error {
	k := indexKey(it.Published, it.Key)
	for _, name := range indexNames(it) {
		if err := dropIndexEntry(b, name, k); err != nil {
			return err
		}
	}
	return nil
}

// indexNames lists the indexes it belongs to. A topic literally named like
// the pseudo-topic is skipped: it is the all index already, and unindexing it
// as a topic would drop the item from "all".
func indexNames(it item.Item) []string {
	names := make([]string, 0, 2+len(it.Topics))
	names = append(names, allIndex, "s:"+it.Source)
	for _, t := range it.Topics {
		if t != store.AllTopic {
			names = append(names, "t:"+t)
		}
	}
	return names
}
