package boltstore

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kernelwire/kernelwire/internal/store"
)

// The story lookup index (which items were recorded under which story key
// or bucket) lives in memory and is persisted as one record per item:
//
//	lookups  item key -> its entries, each an 8-byte big-endian expiry
//	         (unix ns), a 2-byte length and the story key or bucket
//
// A clustered save records each new item under ~26 keys (24 buckets and
// its story keys). As bbolt keys, those were 26 puts per item and a
// cursor seek per probe: clustering doubled ingest. One put per item and
// map probes cost a fraction of that, and bbolt holds its file lock, so
// no other process can write the index behind this one's back.
const bucketLookups = "lookups"

// bucketLookupV1 is the former layout ("<key>\x00<item>" -> expiry); Open
// drops it on the first clustered save, so its entries stop matching as
// if they had expired.
const bucketLookupV1 = "lookup"

// lookupIndex is the in-memory index (store.LookupIndex, expiries in unix
// ms). mu is held across a whole clustered save (read, plan, write,
// commit, then the index update), so no save plans from an index that
// misses a committed save's entries. bbolt runs one writer at a time
// anyway, so the lock costs no concurrency.
type lookupIndex struct {
	mu     sync.Mutex
	loaded bool
	x      store.LookupIndex
}

// load reads the index from tx once per Store.
func (x *lookupIndex) load(tx *bolt.Tx, sb storyBuckets) error {
	if x.loaded {
		return nil
	}
	if tx.Bucket([]byte(bucketLookupV1)) != nil {
		if err := tx.DeleteBucket([]byte(bucketLookupV1)); err != nil {
			return fmt.Errorf("drop bucket %s: %w", bucketLookupV1, err)
		}
	}
	x.x = store.LookupIndex{}
	err := sb.lookups.ForEach(func(k, v []byte) error {
		item := string(k)
		return eachLookup(v, func(field string, exp int64) {
			x.x.Add(field, item, exp/int64(time.Millisecond))
		})
	})
	if err != nil {
		return fmt.Errorf("load lookups: %w", err)
	}
	x.loaded = true
	return nil
}

// lookup returns the items recorded under field that are live at now,
// sorted by key (as the former cursor scan returned them).
func (x *lookupIndex) lookup(field string, now time.Time) []string {
	return x.x.Live(field, now.UnixMilli())
}

// add records committed lookups (expiry exp in unix ns) in memory.
func (x *lookupIndex) add(ls []store.Lookup, exp int64) {
	x.x.AddAll(ls, exp/int64(time.Millisecond))
}

// sweep drops entries expired at now from memory.
func (x *lookupIndex) sweep(now time.Time) { x.x.Sweep(now.UnixMilli()) }

// recordLookups persists the plan's lookups, one record per item: its live
// entries that the plan does not renew, then the renewed ones.
func recordLookups(sb storyBuckets, ls []store.Lookup, exp int64, now time.Time) error {
	byItem := map[string][]string{}
	var order []string
	for _, l := range ls {
		if _, ok := byItem[l.Item]; !ok {
			order = append(order, l.Item)
		}
		byItem[l.Item] = append(byItem[l.Item], l.Key)
	}
	for _, k := range order {
		fields := byItem[k]
		var rec []byte
		err := eachLookup(sb.lookups.Get([]byte(k)), func(field string, e int64) {
			if e > now.UnixNano() && !slices.Contains(fields, field) {
				rec = appendLookup(rec, field, e)
			}
		})
		if err != nil {
			return fmt.Errorf("lookups of %s: %w", k, err)
		}
		for _, f := range fields {
			if len(f) > math.MaxUint16 {
				return fmt.Errorf("record lookups of %s: key of %d bytes", k, len(f))
			}
			rec = appendLookup(rec, f, exp)
		}
		if err := sb.lookups.Put([]byte(k), rec); err != nil {
			return fmt.Errorf("record lookups of %s: %w", k, err)
		}
	}
	return nil
}

// sweepLookups deletes the entries expired at now, and records left empty.
func sweepLookups(sb storyBuckets, now time.Time) error {
	if sb.lookups == nil {
		return nil
	}
	type rewrite struct{ k, v []byte }
	var changed []rewrite
	err := sb.lookups.ForEach(func(k, v []byte) error {
		var rec []byte
		err := eachLookup(v, func(field string, e int64) {
			if e > now.UnixNano() {
				rec = appendLookup(rec, field, e)
			}
		})
		if err != nil || len(rec) != len(v) {
			changed = append(changed, rewrite{append([]byte(nil), k...), rec})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sweep lookups: %w", err)
	}
	for _, c := range changed {
		if len(c.v) == 0 {
			err = sb.lookups.Delete(c.k)
		} else {
			err = sb.lookups.Put(c.k, c.v)
		}
		if err != nil {
			return fmt.Errorf("sweep lookups of %s: %w", c.k, err)
		}
	}
	return nil
}

func appendLookup(rec []byte, field string, exp int64) []byte {
	rec = binary.BigEndian.AppendUint64(rec, uint64(exp))
	rec = binary.BigEndian.AppendUint16(rec, uint16(len(field)))
	return append(rec, field...)
}

// eachLookup calls fn with each entry of a record.
func eachLookup(rec []byte, fn func(field string, exp int64)) error {
	for len(rec) > 0 {
		if len(rec) < 10 {
			return fmt.Errorf("truncated lookup record")
		}
		exp := int64(binary.BigEndian.Uint64(rec))
		n := int(binary.BigEndian.Uint16(rec[8:]))
		if len(rec) < 10+n {
			return fmt.Errorf("truncated lookup record")
		}
		fn(string(rec[10:10+n]), exp)
		rec = rec[10+n:]
	}
	return nil
}
