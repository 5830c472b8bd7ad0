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
	"github.com/kernelwire/kernelwire/internal/story"
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

// SaveItems stores a poll's items for src in one bbolt transaction:
// story.PlanSave decides from what the transaction reads, the plan is
// applied in it, retention follows, and either all of it (items, indexes,
// seen marks, stories, lookups, version) commits or none of it does.
func (s *Store) SaveItems(ctx context.Context, src string, items []item.Item) (store.SaveResult, error) {
	if len(items) == 0 {
		return store.SaveResult{}, nil
	}
	var res store.SaveResult
	now := s.now()
	exp := now.Add(story.LookupTTL(s.opts.StoryWindow)).UnixMilli()
	// The plan's lookups go into the memory index while bbolt commits
	// (lookups.adding: whoever reads the index next waits for them). Should
	// the commit fail, entries naming items that were not stored only make
	// candidates that a later save finds absent. The function may run
	// again (commit.go): it sets res and added afresh.
	var added chan struct{}
	pre := preEncode(src, items, now)
	err := s.update(ctx, func(tx *bolt.Tx) error {
		s.lookups.mu.Lock()
		defer s.lookups.mu.Unlock()
		s.lookups.settle()
		added, res = nil, store.SaveResult{}
		sb, err := createStoryBuckets(tx)
		if err != nil {
			return err
		}
		if err := s.lookups.load(tx, sb); err != nil {
			return err
		}
		b := bucketsOf(tx)
		b.story = sb
		r := &reader{s: s, b: b, sb: sb, now: now}
		plan, err := story.PlanSave(r, story.Rules{MaxAge: s.opts.MaxAge, Priority: s.opts.Priority}, src, items, now)
		if err != nil {
			return err
		}
		w := &writer{s: s, b: b, sb: sb, now: now, exp: exp, pre: pre}
		if err := plan.Apply(w); err != nil {
			return err
		}
		added = s.lookups.addAll(plan.Lookups, exp)
		removed, err := s.retain(b, now, w.touched)
		if err != nil {
			return err
		}
		res = store.SaveResult{Outcomes: plan.Outcomes, Joined: plan.Joined}
		if plan.Changed || removed > 0 {
			return bumpVersion(tx)
		}
		return nil
	})
	if added != nil {
		<-added
	}
	if err != nil {
		return store.SaveResult{}, fmt.Errorf("save items of %s: %w", src, err)
	}
	return res, nil
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
	_, whole, err := splitItem(data)
	if err != nil {
		return item.Item{}, false, fmt.Errorf("decode item %s: %w", key, err)
	}
	var it item.Item
	if err := json.Unmarshal(whole, &it); err != nil {
		return item.Item{}, false, fmt.Errorf("decode item %s: %w", key, err)
	}
	return it, true, nil
}

// recordMark starts an item value that holds a candidate record (see the
// package comment); a value of an older version is the item's JSON alone,
// which starts with '{'.
const recordMark = 0x01

// encodeItem is the value of it in the items bucket, and the candidate
// record in it.
func encodeItem(it item.Item) (value, record []byte, err error) {
	record, err = story.EncodeRecord(it)
	if err != nil {
		return nil, nil, err
	}
	whole, err := json.Marshal(it)
	if err != nil {
		return nil, nil, fmt.Errorf("encode item %s: %w", it.Key, err)
	}
	value = make([]byte, 0, 1+binary.MaxVarintLen64+len(record)+len(whole))
	value = append(value, recordMark)
	value = binary.AppendUvarint(value, uint64(len(record)))
	value = append(value, record...)
	value = append(value, whole...)
	return value, value[len(value)-len(whole)-len(record) : len(value)-len(whole)], nil
}

// encoded is an item's value in the items bucket, and the candidate record
// in it, made ahead of a save.
type encoded struct {
	it            item.Item
	value, record []byte
}

// preEncode encodes the items of a save of src at now as the save stores
// them when they are new (story.Fresh), before the save's transaction:
// encoding is most of what storing an item costs, and transactions run
// one at a time while encoding can run beside them. The writer uses an
// encoding only for an item stored exactly as encoded; an item that
// cannot be encoded is left to the writer, whose error names it.
func preEncode(src string, items []item.Item, now time.Time) map[string]*encoded {
	pre := make(map[string]*encoded, len(items))
	for _, it := range items {
		f := story.Fresh(it, src, now)
		if value, record, err := encodeItem(f); err == nil {
			pre[f.Key] = &encoded{f, value, record}
		}
	}
	return pre
}

// splitItem returns the candidate record (nil in a value of an older
// version) and the item's JSON of an items bucket value.
func splitItem(value []byte) (record, whole []byte, err error) {
	if len(value) == 0 || value[0] != recordMark {
		return nil, value, nil
	}
	n, w := binary.Uvarint(value[1:])
	if w <= 0 || n > uint64(len(value)-1-w) {
		return nil, nil, fmt.Errorf("bad record length")
	}
	at := 1 + w
	return value[at : at+int(n)], value[at+int(n):], nil
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

// Items returns the items of q's index, newest first. The indexes hold
// story representatives, returned with their story's summary.
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
