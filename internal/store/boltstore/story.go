package boltstore

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/story"
)

// Story buckets , created by the first save:
//
//	stories  story id -> JSON story.Story
//	storyof  item key -> story id, for members of stories of more than one
//	lookuplog  the story keys and buckets items were recorded under (see
//	           lookup.go)
//
// bbolt has one writer at a time, so the snapshot PlanSave reads and the
// plan it writes share one Update transaction: no conflict is possible.
const (
	bucketStories = "stories"
	bucketStoryOf = "storyof"
)

// storyBuckets are the story buckets of one transaction; nil when a read
// transaction runs before any save created them.
type storyBuckets struct {
	stories, storyOf, lookupLog *bolt.Bucket
}

func storyBucketsOf(tx *bolt.Tx) storyBuckets {
	return storyBuckets{
		stories:   tx.Bucket([]byte(bucketStories)),
		storyOf:   tx.Bucket([]byte(bucketStoryOf)),
		lookupLog: tx.Bucket([]byte(bucketLookupLog)),
	}
}

func createStoryBuckets(tx *bolt.Tx) (storyBuckets, error) {
	for _, name := range []string{bucketStories, bucketStoryOf, bucketLookupLog} {
		if _, err := tx.CreateBucketIfNotExists([]byte(name)); err != nil {
			return storyBuckets{}, fmt.Errorf("bucket %s: %w", name, err)
		}
	}
	return storyBucketsOf(tx), nil
}

// reader serves PlanSave from the transaction.
type reader struct {
	s   *Store
	b   buckets
	sb  storyBuckets
	now time.Time
	// hits is what Lookup returned last, its memory reused by the next
	// (the planner reads each lookup before making the next).
	hits []story.Hit
}

func (r *reader) Mark(key string) (string, bool) { return r.s.seenHash(r.b, key, r.now) }

// Item returns the item's candidate record, decoded once per process
// (Store.records); an item stored by an older version has none and is
// read whole.
func (r *reader) Item(key string) (story.Stored, bool, error) {
	data := r.b.items.Get([]byte(key))
	if data == nil {
		return story.Stored{}, false, nil
	}
	id := string(r.sb.storyOf.Get([]byte(key)))
	rec, _, err := splitItem(data)
	if err != nil {
		return story.Stored{}, false, fmt.Errorf("decode item %s: %w", key, err)
	}
	if rec != nil {
		si, err := r.s.records.Stored(key, rec, id)
		return si, err == nil, err
	}
	it, found, err := getItem(r.b, key)
	if err != nil || !found {
		return story.Stored{}, false, err
	}
	return story.Stored{Item: it, Story: id}, true, nil
}

func (r *reader) Story(id string) (story.Story, bool, error) { return getStory(r.sb, id) }

func (r *reader) Lookup(key string) ([]story.Hit, error) {
	r.hits = r.s.lookups.appendLookup(r.hits[:0], key, r.now)
	return r.hits, nil
}

func getStory(sb storyBuckets, id string) (story.Story, bool, error) {
	if sb.stories == nil {
		return story.Story{}, false, nil
	}
	data := sb.stories.Get([]byte(id))
	if data == nil {
		return story.Story{}, false, nil
	}
	var st story.Story
	if err := json.Unmarshal(data, &st); err != nil {
		return story.Story{}, false, fmt.Errorf("decode story %s: %w", id, err)
	}
	return st, true, nil
}

// writer applies a plan in the transaction. Summaries are not stored:
// Items computes them from the story record in its read transaction.
type writer struct {
	s   *Store
	b   buckets
	sb  storyBuckets
	now time.Time
	exp int64 // lookup expiry, unix ms
	// touched names the indexes entries were added to, for retention.
	touched []string
	// pre are the batch's items encoded ahead (preEncode), by key.
	pre map[string]*encoded
	// stored is PutItem's copy of the item it compares with its
	// encoding: compared by pointer, neither is copied to the heap.
	stored item.Item
}

func (w *writer) PutItem(si story.Stored) error {
	var data, rec []byte
	w.stored = si.Item
	if e := w.pre[si.Item.Key]; e != nil && reflect.DeepEqual(&e.it, &w.stored) {
		data, rec = e.value, e.record
	} else {
		var err error
		if data, rec, err = encodeItem(si.Item); err != nil {
			return err
		}
	}
	if err := w.b.items.Put([]byte(si.Item.Key), data); err != nil {
		return fmt.Errorf("put item %s: %w", si.Item.Key, err)
	}
	w.s.records.Wrote(si.Item, rec)
	return link(w.sb, si.Item.Key, si.Story)
}

func (w *writer) PutMark(key, hash string) error { return w.s.mark(w.b, key, hash, w.now) }

func (w *writer) Link(key, id string) error {
	if w.b.items.Get([]byte(key)) == nil {
		return nil
	}
	return link(w.sb, key, id)
}

func (w *writer) RemoveEntry(e story.IndexEntry) error {
	return dropIndexEntry(w.b, indexName(e), indexKey(e.Published, e.Key))
}

func (w *writer) AddEntry(e story.IndexEntry) error {
	if e.Kind != story.IndexAll && !slices.Contains(w.touched, indexName(e)) {
		w.touched = append(w.touched, indexName(e))
	}
	ib, err := w.b.idx.CreateBucketIfNotExists([]byte(indexName(e)))
	if err == nil {
		err = ib.Put(indexKey(e.Published, e.Key), nil)
	}
	if err != nil {
		return fmt.Errorf("index %s: %w", indexName(e), err)
	}
	return nil
}

func (w *writer) PutStory(st story.Story) error {
	data, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encode story %s: %w", st.ID, err)
	}
	if err := w.sb.stories.Put([]byte(st.ID), data); err != nil {
		return fmt.Errorf("put story %s: %w", st.ID, err)
	}
	return nil
}

func (w *writer) DeleteStory(id string) error {
	if err := w.sb.stories.Delete([]byte(id)); err != nil {
		return fmt.Errorf("delete story %s: %w", id, err)
	}
	return nil
}

func (w *writer) ClearSummary(string) error              { return nil }
func (w *writer) SetSummary(string, story.Summary) error { return nil }

func (w *writer) RecordLookups(ls []story.Lookup) error { return recordLookups(w.sb, ls, w.exp) }

// link records key's story ("" for a story of its own).
func link(sb storyBuckets, key, story string) error {
	var err error
	if story == "" {
		err = sb.storyOf.Delete([]byte(key))
	} else {
		err = sb.storyOf.Put([]byte(key), []byte(story))
	}
	if err != nil {
		return fmt.Errorf("link %s to story %q: %w", key, story, err)
	}
	return nil
}

func indexName(e story.IndexEntry) string {
	switch e.Kind {
	case story.IndexSource:
		return "s:" + e.Name
	case story.IndexTopic:
		return "t:" + e.Name
	}
	return allIndex
}

// dropIndexEntry deletes k from index name, dropping the index once empty
// (as unindex does).
func dropIndexEntry(b buckets, name string, k []byte) error {
	ib := b.idx.Bucket([]byte(name))
	if ib == nil {
		return nil
	}
	if err := ib.Delete(k); err != nil {
		return fmt.Errorf("unindex %s: %w", name, err)
	}
	if first, _ := ib.Cursor().First(); first == nil {
		if err := b.idx.DeleteBucket([]byte(name)); err != nil {
			return fmt.Errorf("drop index %s: %w", name, err)
		}
	}
	return nil
}

// summarize overlays the story summary on a representative read by Items.
func summarize(sb storyBuckets, it *item.Item) error {
	if sb.storyOf == nil {
		return nil
	}
	id := sb.storyOf.Get([]byte(it.Key))
	if id == nil {
		return nil
	}
	st, found, err := getStory(sb, string(id))
	if err != nil || !found || st.Rep != it.Key {
		return err
	}
	st.Summarize().Apply(it)
	return nil
}
