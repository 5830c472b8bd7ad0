package boltstore

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
	bolt "go.etcd.io/bbolt"
)

// Prune applies MaxAge and MaxItems at now and sweeps expired seen marks
// (bbolt has no TTL of its own). It returns how many items were removed.
func (s *Store) Prune(ctx context.Context, now time.Time) (int, error) {
	var removed int
	err := s.update(ctx, func(tx *bolt.Tx) error {
		b := bucketsOf(tx)
		names, err := everyIndex(b)
		if err != nil {
			return err
		}
		if removed, err = s.retain(b, now, names); err != nil {
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

// retain removes the stories older than MaxAge, and those that no index
// keeps: an index (a source's, a topic's) keeps its newest MaxItems
// stories, and a story stays while one of its indexes keeps it. The all
// index keeps none of its own, so a source that floods the store pushes
// out only its own oldest stories: another source's are still among its
// own newest, and a topic feed loses none of them. touched names the
// indexes to check: those a save added to (only they can have grown past
// MaxItems), or every index. It returns how many items it removed.
func (s *Store) retain(b buckets, now time.Time, touched []string) (int, error) {
	all := b.idx.Bucket([]byte(allIndex))
	if all == nil {
		return 0, nil
	}
	// Keys are collected first: bbolt cursors must not outlive changes to
	// their bucket.
	victims := map[string]bool{} // index keys (published + item key)
	if s.opts.MaxAge > 0 {
		c := all.Cursor()
		cutoff := publishedNanos(now.Add(-s.opts.MaxAge))
		for k, _ := c.Last(); k != nil && publishedOf(k) < cutoff; k, _ = c.Prev() {
			victims[string(k)] = true
		}
	}
	if s.opts.MaxItems > 0 {
		if err := s.overCap(b, touched, victims); err != nil {
			return 0, err
		}
	}
	// Newest first: bbolt splits the nodes a transaction writes only when
	// it commits, so a poll that stored thousands of items holds them in
	// one node, and each Delete moves everything after the key deleted.
	// The victims are the oldest entries; deleting from the last of them
	// back moves only the entries kept, where the other way round a flood
	// evicted made retention quadratic in it.
	removed := 0
	for _, k := range slices.Backward(slices.Sorted(maps.Keys(victims))) {
		n, err := removeItem(b, []byte(k))
		if err != nil {
			return 0, err
		}
		removed += n
	}
	return removed, nil
}

// everyIndex names every source and topic index.
func everyIndex(b buckets) ([]string, error) {
	var names []string
	err := b.idx.ForEach(func(name, v []byte) error {
		if v == nil && string(name) != allIndex {
			names = append(names, string(name))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list indexes: %w", err)
	}
	return names, nil
}

// overCap adds to victims the stories beyond MaxItems in one of the
// indexes named that none of their other indexes keeps.
func (s *Store) overCap(b buckets, names []string, victims map[string]bool) error {
	// cutoffs holds each index's last kept key (nil: it keeps all).
	cutoffs := map[string][]byte{}
	cutoff := func(name string) []byte {
		if k, ok := cutoffs[name]; ok {
			return k
		}
		var last []byte
		if ib := b.idx.Bucket([]byte(name)); ib != nil {
			c := ib.Cursor()
			n := 0
			for k, _ := c.First(); k != nil; k, _ = c.Next() {
				if n++; n == s.opts.MaxItems {
					if next, _ := c.Next(); next != nil {
						last = append([]byte(nil), k...)
					}
					break
				}
			}
		}
		cutoffs[name] = last
		return last
	}
	kept := func(name string, k []byte) bool {
		last := cutoff(name)
		return last == nil || bytes.Compare(k, last) <= 0
	}
	for _, name := range names {
		last := cutoff(name)
		if last == nil {
			continue
		}
		var beyond [][]byte
		c := b.idx.Bucket([]byte(name)).Cursor()
		for k, _ := c.Seek(last); k != nil; k, _ = c.Next() {
			if bytes.Compare(k, last) > 0 {
				beyond = append(beyond, append([]byte(nil), k...))
			}
		}
		for _, k := range beyond {
			if victims[string(k)] {
				continue
			}
			others, err := indexesOf(b, string(k[8:]))
			if err != nil {
				return err
			}
			if !slices.ContainsFunc(others, func(o string) bool { return o != allIndex && o != name && kept(o, k) }) {
				victims[string(k)] = true
			}
		}
	}
	return nil
}

// indexesOf names the indexes that list the story item key represents
// (nil when it is not stored).
func indexesOf(b buckets, key string) ([]string, error) {
	if sb := b.story; sb.storyOf != nil {
		if id := sb.storyOf.Get([]byte(key)); id != nil {
			st, found, err := getStory(sb, string(id))
			if err != nil {
				return nil, err
			}
			if found {
				var names []string
				for _, e := range st.Entries() {
					names = append(names, indexName(e))
				}
				return names, nil
			}
		}
	}
	it, found, err := getItem(b, key)
	if err != nil || !found {
		return nil, err
	}
	return indexNames(it), nil
}

// removeItem deletes the item behind index key k (with its story, when it
// represents one), its index entries and its seen mark: an item that
// comes back upstream after retention dropped it is taken again if it is
// young enough (MaxAge), and dropped again if its indexes still do not
// keep it. An index entry whose item is gone is dropped and not counted.
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
	return 1, deleteItem(b, key)
}

// deleteItem deletes a stored item and its seen mark.
func deleteItem(b buckets, key string) error {
	if err := b.items.Delete([]byte(key)); err != nil {
		return fmt.Errorf("delete item %s: %w", key, err)
	}
	if err := b.seen.Delete([]byte(key)); err != nil {
		return fmt.Errorf("delete seen mark %s: %w", key, err)
	}
	return nil
}

// removeStory deletes the story item it represents: the index entries, the
// members (with their seen marks) and the record. It returns how many
// items it removed, or -1 when it has no story record.
func removeStory(b buckets, sb storyBuckets, it item.Item) (int, error) {
	if sb.storyOf == nil {
		return -1, nil
	}
	// Copied: the loop below changes the bucket the value lives in.
	id := string(sb.storyOf.Get([]byte(it.Key)))
	if id == "" {
		return -1, nil
	}
	st, found, err := getStory(sb, id)
	if err != nil || !found {
		return -1, err
	}
	for _, e := range st.Entries() {
		if err := dropIndexEntry(b, indexName(e), indexKey(e.Published, e.Key)); err != nil {
			return 0, err
		}
	}
	removed := 0
	for _, m := range st.Members {
		if m.Alias {
			continue
		}
		if b.items.Get([]byte(m.Key)) != nil {
			removed++
		}
		if err := deleteItem(b, m.Key); err != nil {
			return 0, err
		}
		if err := sb.storyOf.Delete([]byte(m.Key)); err != nil {
			return 0, fmt.Errorf("unlink item %s: %w", m.Key, err)
		}
	}
	if err := sb.stories.Delete([]byte(id)); err != nil {
		return 0, fmt.Errorf("delete story %s: %w", id, err)
	}
	return removed, nil
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

// indexNames lists the indexes it may be in: all, its source's, its
// topics' and the curated river's (where dropping an absent entry is a
// no-op). A topic literally named like the pseudo-topic is skipped: it is
// the all index already, and unindexing it as a topic would drop the item
// from "all".
func indexNames(it item.Item) []string {
	names := make([]string, 0, 3+len(it.Topics))
	names = append(names, allIndex, "s:"+it.Source, "t:"+store.CuratedTopic)
	for _, t := range it.Topics {
		if t != store.AllTopic {
			names = append(names, "t:"+t)
		}
	}
	return names
}
