package boltstore

import (
	"encoding/binary"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kernelwire/kernelwire/internal/story"
)

// The story lookup index (which items were recorded under which story key
// or bucket) lives in memory and is persisted as a log of one record per
// save:
//
//	lookuplog  8-byte big-endian expiry (unix ms) + 8-byte sequence ->
//	           the save's lookups (story.EncodeLookups)
//
// A save records each new item under ~26 keys (24 buckets and
// its story keys). As bbolt keys those were 26 puts per item and clustering
// doubled ingest; as one record per item still a third more. One record
// per save is one put, and keys sorted by expiry make the sweep a walk from
// the first record to the first live one. bbolt holds its file lock, so no
// other process can write the log behind this one's back.
const bucketLookupLog = "lookuplog"

// Former layouts, converted or dropped by the first save:
// "lookups" held one record per item (entries of an 8-byte expiry in unix
// ns, a 2-byte length and the field), "lookup" one key per entry.
const (
	bucketLookupsV2 = "lookups"
	bucketLookupV1  = "lookup"
)

// lookupIndex is the in-memory index (story.LookupIndex, expiries in unix
// ms). mu is held by each save's transaction function (read, plan, write)
// and by Prune's sweep; a save's entries are added by a goroutine of its
// own while bbolt commits (adding), and whoever takes mu next waits for
// them (settle) before reading the index, so no save plans from an index
// that misses an earlier save's entries. bbolt runs one writer at a time
// anyway, so the lock costs no concurrency.
type lookupIndex struct {
	mu     sync.Mutex
	loaded bool
	x      story.LookupIndex
	// adding is closed once the last save's entries are in x; nil when
	// none are being added.
	adding chan struct{}
}

// settle waits for the entries being added, if any. mu must be held.
func (x *lookupIndex) settle() {
	if x.adding != nil {
		<-x.adding
		x.adding = nil
	}
}

// addAll adds a save's lookups, expiring at exp, on a goroutine of its
// own, and returns a channel closed once they are in. mu must be held.
func (x *lookupIndex) addAll(ls []story.Lookup, exp int64) chan struct{} {
	x.settle()
	done := make(chan struct{})
	x.adding = done
	go func() {
		defer close(done)
		x.x.AddAll(ls, exp)
	}()
	return done
}

// load reads the index from tx once per Store, converting former layouts.
func (x *lookupIndex) load(tx *bolt.Tx, sb storyBuckets) error {
	if x.loaded {
		return nil
	}
	if tx.Bucket([]byte(bucketLookupV1)) != nil {
		if err := tx.DeleteBucket([]byte(bucketLookupV1)); err != nil {
			return fmt.Errorf("drop bucket %s: %w", bucketLookupV1, err)
		}
	}
	if err := convertLookupsV2(tx, sb); err != nil {
		return err
	}
	x.x = story.LookupIndex{}
	err := sb.lookupLog.ForEach(func(k, v []byte) error {
		// A malformed record is skipped, whatever of it decoded kept: it
		// costs at most the merges its items would have made, where
		// failing would stop every save until it expired.
		_ = story.DecodeLookups(string(v), x.x.Add)
		return nil
	})
	if err != nil {
		return fmt.Errorf("load lookups: %w", err)
	}
	x.loaded = true
	return nil
}

// appendLookup appends the items recorded under field that are live at
// now to dst.
func (x *lookupIndex) appendLookup(dst []story.Hit, field string, now time.Time) []story.Hit {
	return x.x.AppendLive(dst, field, now.UnixMilli())
}

// sweep drops entries expired at now from memory.
func (x *lookupIndex) sweep(now time.Time) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.settle()
	x.x.Sweep(now.UnixMilli())
}

// recordLookups appends the plan's lookups, expiring at exp (unix ms), to
// the log.
func recordLookups(sb storyBuckets, ls []story.Lookup, exp int64) error {
	if len(ls) == 0 {
		return nil
	}
	seq, err := sb.lookupLog.NextSequence()
	if err != nil {
		return fmt.Errorf("record lookups: %w", err)
	}
	if err := sb.lookupLog.Put(logKey(exp, seq), []byte(story.EncodeLookups(ls, exp))); err != nil {
		return fmt.Errorf("record lookups: %w", err)
	}
	return nil
}

func logKey(exp int64, seq uint64) []byte {
	k := binary.BigEndian.AppendUint64(nil, uint64(max(exp, 0)))
	return binary.BigEndian.AppendUint64(k, seq)
}

// sweepLookups deletes the log records expired at now: a prefix of the log.
func sweepLookups(sb storyBuckets, now time.Time) error {
	if sb.lookupLog == nil {
		return nil
	}
	c := sb.lookupLog.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.First() {
		if len(k) == 16 && int64(binary.BigEndian.Uint64(k)) > now.UnixMilli() {
			return nil
		}
		if err := c.Delete(); err != nil {
			return fmt.Errorf("sweep lookups: %w", err)
		}
	}
	return nil
}

// convertLookupsV2 moves the per-item records of the former layout into the
// log, one record per item and expiry, and drops their bucket.
func convertLookupsV2(tx *bolt.Tx, sb storyBuckets) error {
	old := tx.Bucket([]byte(bucketLookupsV2))
	if old == nil {
		return nil
	}
	err := old.ForEach(func(k, v []byte) error {
		byExp := map[int64][]string{}
		for len(v) >= 10 {
			exp := int64(binary.BigEndian.Uint64(v)) / int64(time.Millisecond)
			n := int(binary.BigEndian.Uint16(v[8:]))
			if len(v) < 10+n {
				break
			}
			byExp[exp] = append(byExp[exp], string(v[10:10+n]))
			v = v[10+n:]
		}
		for exp, fields := range byExp {
			if err := recordLookups(sb, []story.Lookup{{Item: string(k), Keys: fields}}, exp); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("convert bucket %s: %w", bucketLookupsV2, err)
	}
	if err := tx.DeleteBucket([]byte(bucketLookupsV2)); err != nil {
		return fmt.Errorf("drop bucket %s: %w", bucketLookupsV2, err)
	}
	return nil
}
