package boltstore

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
)

const (
	defaultLimit = 50
	// allIndex is the index of every item: the pseudo-topic store.AllTopic.
	allIndex = "t:" + store.AllTopic
)

// buckets are the buckets one transaction works on.
type buckets struct {
	items, seen, idx *bolt.Bucket
	story            storyBuckets
}

func bucketsOf(tx *bolt.Tx) buckets {
	return buckets{
		items: tx.Bucket([]byte(bucketItems)),
		seen:  tx.Bucket([]byte(bucketSeen)),
		idx:   tx.Bucket([]byte(bucketIdx)),
		story: storyBucketsOf(tx),
	}
}

// SaveItems stores a poll's items for src in one bbolt transaction: either
// the whole batch (items, indexes, seen marks, retention, version) commits or
// none of it does.
func (s *Store) SaveItems(ctx context.Context, src string, items []item.Item) (store.SaveResult, error) {
	res := store.SaveResult{Outcomes: make([]item.Outcome, len(items))}
	if len(items) == 0 {
		return res, nil
	}
	if s.opts.Stories {
		return s.saveStories(ctx, src, items)
	}
	now := s.now()
	err := s.update(ctx, func(tx *bolt.Tx) error {
		b := bucketsOf(tx)
		changed := false
		for i, it := range items {
			if err := ctx.Err(); err != nil {
				return err
			}
			o, err := s.saveOne(b, src, it, now)
			if err != nil {
				return fmt.Errorf("item %s: %w", it.Key, err)
			}
			res.Outcomes[i] = o
			changed = changed || o == item.New || o == item.Updated
		}
		removed, err := s.retain(b, now)
		if err != nil {
			return err
		}
		if changed || removed > 0 {
			return bumpVersion(tx)
		}
		return nil
	})
	if err != nil {
		return store.SaveResult{}, fmt.Errorf("save items of %s: %w", src, err)
	}
	return res, nil
}

func (s *Store) saveOne(b buckets, src string, it item.Item, now time.Time) (item.Outcome, error) {
	if tooOld(it, now, s.opts.MaxAge) {
		return item.TooOld, nil
	}
	if it.Source == "" {
		it.Source = src
	}
	markHash, marked := s.seenHash(b, it.Key, now)
	if marked && markHash == it.Hash {
		return item.Duplicate, s.mark(b, it.Key, markHash, now)
	}
	old, found, err := getItem(b, it.Key)
	if err != nil {
		return 0, err
	}
	if marked && (!found || old.Source != src) {
		// Pruned (never resurrect) or owned by the first source to carry it.
		// The mark keeps the stored hash so that source's own updates still
		// compare against what it stored.
		return item.Duplicate, s.mark(b, it.Key, markHash, now)
	}
	outcome := item.New
	if found {
		if err := unindex(b, old); err != nil {
			return 0, err
		}
	}
	if marked {
		outcome = item.Updated
		it.Source = old.Source
		it.FirstSeen = old.FirstSeen
		if it.Published.IsZero() {
			it.Published = old.Published
		}
	} else {
		// A mark that expired while the item was still stored makes it new
		// again: it is stored afresh, replacing the old copy.
		if it.FirstSeen.IsZero() {
			it.FirstSeen = now
		}
		// item.Item.Published falls back to first seen.
		if it.Published.IsZero() {
			it.Published = it.FirstSeen
		}
	}
	if err := putItem(b, it); err != nil {
		return 0, err
	}
	return outcome, s.mark(b, it.Key, it.Hash, now)
}

// tooOld reports whether it is older than maxAge at now. A zero Published is
// not judged: on an update it means "keep the stored date", on a new item
// it becomes the first-seen time.
func tooOld(it item.Item, now time.Time, maxAge time.Duration) bool {
	return maxAge > 0 && !it.Published.IsZero() && it.Published.Before(now.Add(-maxAge))
}

// seenHash returns the hash of key's seen mark, if it has one that has not
// expired at now.
func (s *Store) seenHash(b buckets, key string, now time.Time) (string, bool) {
	v := b.seen.Get([]byte(key))
	if len(v) < 8 || markExpired(v, now) {
		return "", false
	}
	return string(v[8:]), true
}

// markExpired reports whether seen-mark value v (at least 8 bytes) has
// expired at now; expiry 0 means never.
func markExpired(v []byte, now time.Time) bool {
	exp := int64(binary.BigEndian.Uint64(v))
	return exp != 0 && exp <= now.UnixNano()
}

// mark (re)sets key's seen mark to hash, expiring SeenTTL after now. A
// non-positive SeenTTL means marks never expire.
func (s *Store) mark(b buckets, key, hash string, now time.Time) error {
	v := make([]byte, 8+len(hash))
	if s.opts.SeenTTL > 0 {
		binary.BigEndian.PutUint64(v, uint64(now.Add(s.opts.SeenTTL).UnixNano()))
	}
	copy(v[8:], hash)
	if err := b.seen.Put([]byte(key), v); err != nil {
		return fmt.Errorf("mark seen: %w", err)
	}
	return nil
}

func getItem(b buckets, key string) (item.Item, bool, error) {
	data := b.items.Get([]byte(key))
	if data == nil {
		return item.Item{}, false, nil
	}
	var it item.Item
	if err := json.Unmarshal(data, &it); err != nil {
		return item.Item{}, false, fmt.Errorf("decode item %s: %w", key, err)
	}
	return it, true, nil
}

// putItem stores it and adds it to its indexes.
func putItem(b buckets, it item.Item) error {
	data, err := json.Marshal(it)
	if err != nil {
		return fmt.Errorf("encode item: %w", err)
	}
	if err := b.items.Put([]byte(it.Key), data); err != nil {
		return fmt.Errorf("put item: %w", err)
	}
	k := indexKey(it.Published, it.Key)
	for _, name := range indexNames(it) {
		ib, err := b.idx.CreateBucketIfNotExists([]byte(name))
		if err != nil {
			return fmt.Errorf("index %s: %w", name, err)
		}
		if err := ib.Put(k, nil); err != nil {
			return fmt.Errorf("index %s: %w", name, err)
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

// indexKey sorts newest first under bbolt's ascending byte order, then by key.
func indexKey(published time.Time, key string) []byte {
	k := make([]byte, 8+len(key))
	binary.BigEndian.PutUint64(k, uint64(math.MaxInt64-publishedNanos(published)))
	copy(k[8:], key)
	return k
}

// publishedNanos clamps to what UnixNano can represent (1970..2262): outside
// it UnixNano is undefined.
func publishedNanos(t time.Time) int64 {
	switch {
	case t.Before(time.Unix(0, 0)):
		return 0
	case t.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// publishedOf decodes the published time an index key sorts by.
func publishedOf(k []byte) int64 {
	return math.MaxInt64 - int64(binary.BigEndian.Uint64(k))
}

// Items returns the items of q's index, newest first. With clustering the
// indexes hold story representatives, returned with their story's summary.
func (s *Store) Items(ctx context.Context, q store.Query) ([]item.Item, error) {
	name := allIndex
	switch {
	case q.Source != "":
		name = "s:" + q.Source
	case q.Topic != "":
		name = "t:" + q.Topic
	}
	limit := q.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	var out []item.Item
	err := s.view(ctx, func(tx *bolt.Tx) error {
		b := bucketsOf(tx)
		ib := b.idx.Bucket([]byte(name))
		if ib == nil {
			return nil
		}
		c := ib.Cursor()
		k, _ := c.First()
		for skip := 0; k != nil && skip < q.Offset; skip++ {
			k, _ = c.Next()
		}
		for ; k != nil && len(out) < limit; k, _ = c.Next() {
			it, found, err := getItem(b, string(k[8:]))
			if err == nil && found {
				err = summarize(b.story, &it)
			}
			if err != nil {
				return err
			}
			if found {
				out = append(out, it)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("items %s: %w", name, err)
	}
	return out, nil
}

// Item returns the item stored under key, or store.ErrNotFound.
func (s *Store) Item(ctx context.Context, key string) (item.Item, error) {
	var (
		it    item.Item
		found bool
	)
	err := s.view(ctx, func(tx *bolt.Tx) error {
		var err error
		it, found, err = getItem(bucketsOf(tx), key)
		return err
	})
	if err != nil {
		return item.Item{}, fmt.Errorf("item %s: %w", key, err)
	}
	if !found {
		return item.Item{}, fmt.Errorf("item %s: %w", key, store.ErrNotFound)
	}
	return it, nil
}

// Count returns the number of items in topic's index.
func (s *Store) Count(ctx context.Context, topic string) (int, error) {
	if topic == "" {
		topic = store.AllTopic
	}
	var n int
	err := s.view(ctx, func(tx *bolt.Tx) error {
		if ib := bucketsOf(tx).idx.Bucket([]byte("t:" + topic)); ib != nil {
			n = ib.Stats().KeyN
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("count %s: %w", topic, err)
	}
	return n, nil
}
