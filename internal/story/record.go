package story

import (
	"encoding/json"
	"fmt"
	"sync"

	"github.com/kernelwire/kernelwire/internal/dedup"
	"github.com/kernelwire/kernelwire/internal/item"
)

// Candidate records. PlanSave reads of a stored item only what clustering
// needs: what SameStory compares (title, link, author, dates, extracted
// facts, story keys), what a story keeps of a member and what an update
// carries over. Decoding whole stored items for that (content included)
// was a quarter of a cold ingest's CPU, so each backend stores a record
// beside the item and reads it, not the item, as a candidate; and
// Records keeps the records a process decoded or wrote, with their
// prepared features, so a candidate judged by one save costs the next
// save nothing.

// Record is what PlanSave reads of stored item it: it without its
// summary, content, categories and match reasons, with its story keys
// (the one thing dedup derives from the text left out).
func Record(it item.Item) item.Item {
	if it.StoryKeys == nil {
		it.StoryKeys = dedup.StoryKeys(it)
	}
	it.Summary, it.Content, it.Categories, it.Matched = "", "", nil, nil
	it.Buckets, it.Related, it.Replies, it.Status = nil, nil, 0, nil
	// As a decoded record has them: no monotonic clock reading.
	it.Published, it.Updated, it.FirstSeen = it.Published.Round(0), it.Updated.Round(0), it.FirstSeen.Round(0)
	return it
}

// record is a Record as EncodeRecord writes it: StoryKeys is never part
// of an item's JSON, so it is written beside it, and always, so that a
// record read back has non-nil story keys (dedup then reads them off
// instead of deriving them from the text the record lacks).
type record struct {
	item.Item
	Keys []string `json:"sk"`
}

// EncodeRecord encodes Record(it).
func EncodeRecord(it item.Item) ([]byte, error) {
	r := Record(it)
	data, err := json.Marshal(record{Item: r, Keys: r.StoryKeys})
	if err != nil {
		return nil, fmt.Errorf("encode record of %s: %w", it.Key, err)
	}
	return data, nil
}

// DecodeRecord decodes an EncodeRecord record.
func DecodeRecord(data []byte) (item.Item, error) {
	var r record
	if err := json.Unmarshal(data, &r); err != nil {
		return item.Item{}, fmt.Errorf("decode record: %w", err)
	}
	r.Item.StoryKeys = r.Keys
	if r.Item.StoryKeys == nil {
		r.Item.StoryKeys = []string{}
	}
	return r.Item, nil
}

// Records keeps decoded candidate records by key, each with the encoded
// bytes it was made from: a record is reused only while the store holds
// the same bytes, so the cache can never disagree with the store (a write
// that was rolled back, or another process's write, only costs a decode).
// It holds at most maxRecords; beyond that half are forgotten. The zero
// value is ready to use, and safe for concurrent use.
type Records struct {
	mu sync.Mutex
	m  map[string]*cachedRecord
}

// maxRecords bounds Records: a record with its features is about a
// kilobyte, and candidates are the items of the last story window.
const maxRecords = 1 << 15

type cachedRecord struct {
	raw string
	it  item.Item
	// features are prepared when the record is first judged.
	features func() *dedup.Features
}

func newCachedRecord(raw string, it item.Item) *cachedRecord {
	return &cachedRecord{raw: raw, it: it, features: sync.OnceValue(func() *dedup.Features { return dedup.Prepare(it) })}
}

// Stored returns the candidate that record raw of key encodes, in story
// id, with its prepared features.
func (c *Records) Stored(key string, raw []byte, id string) (Stored, error) {
	return storedOf(c, key, raw, id)
}

// StoredString is Stored for a record held as a string.
func (c *Records) StoredString(key, raw, id string) (Stored, error) {
	return storedOf(c, key, raw, id)
}

func storedOf[T string | []byte](c *Records, key string, raw T, id string) (Stored, error) {
	c.mu.Lock()
	e := c.m[key]
	c.mu.Unlock()
	if e == nil || e.raw != string(raw) {
		it, err := DecodeRecord([]byte(raw))
		if err != nil {
			return Stored{}, fmt.Errorf("item %s: %w", key, err)
		}
		e = newCachedRecord(string(raw), it)
		c.put(key, e)
	}
	return Stored{Item: e.it, Story: id, Features: e.features()}, nil
}

// Wrote notes that the store now holds record raw for it (the item as
// written, whole): the next save that finds it a candidate decodes
// nothing.
func (c *Records) Wrote(it item.Item, raw []byte) {
	c.put(it.Key, newCachedRecord(string(raw), Record(it)))
}

func (c *Records) put(key string, e *cachedRecord) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]*cachedRecord{}
	}
	c.m[key] = e
	if len(c.m) > maxRecords {
		for k := range c.m {
			if len(c.m) <= maxRecords/2 {
				break
			}
			delete(c.m, k)
		}
	}
}
