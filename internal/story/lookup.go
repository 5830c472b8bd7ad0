package story

import (
	"fmt"
	"hash/maphash"
	"slices"
	"strconv"
	"strings"
)

// LookupIndex is a process's in-memory copy of the story lookup index:
// story key or bucket -> the items recorded under it, each with an expiry.
// A save probes ~26 fields per item; as map probes they cost
// microseconds, where reading and rewriting them in the store made a save
// cost several times what storing the items does. Each backend persists the
// entries in its own compact form (bbolt one record per item, Redis a
// stream of one entry per save) and rebuilds this index from it.
//
// Expiries are unix milliseconds on the store's clock. LookupIndex does no
// locking: its owner serialises access.
type LookupIndex struct {
	// first holds each field's first entry and more the rest: most
	// fields (buckets above all) hold one item, which then costs no
	// slice of its own. Fields are keyed by a 64-bit hash (fieldHash), so
	// the index keeps none of their text: two fields colliding would only
	// make an extra candidate, which SameStory still has to accept.
	first map[uint64]lookupEntry
	more  map[uint64][]lookupEntry
	n     int
	// Entries name their item by a number, keys[id] (ids maps it back):
	// entries then hold no pointers, so the collector, which scanned the
	// whole index at every cycle, skips it. Sweep drops the keys no entry
	// names any more.
	keys []string
	ids  map[string]uint32
}

// fieldSeed seeds fieldHash; the index lives in one process's memory, so
// a seed per process is fine.
var fieldSeed = maphash.MakeSeed()

func fieldHash(field string) uint64 { return maphash.String(fieldSeed, field) }

// initialFields is the index's initial capacity: a few hundred items' worth.
const initialFields = 1 << 13

type lookupEntry struct {
	item uint32 // keys[item]
	at   int64  // the item's story time, unix seconds (0: unknown)
	exp  int64
}

// id returns item's number, giving it one if it has none.
func (x *LookupIndex) id(item string) uint32 {
	if id, ok := x.ids[item]; ok {
		return id
	}
	if x.ids == nil {
		x.ids = map[string]uint32{}
	}
	id := uint32(len(x.keys))
	x.keys = append(x.keys, item)
	x.ids[item] = id
	return id
}

// Hit is an item recorded under a field, with its story time when it was
// recorded (unix seconds, 0 when unknown: recorded by an older version).
type Hit struct {
	Key string
	At  int64
}

// MaxLive bounds what Live returns of one field: the MaxLive items
// recorded last. A field shared by more items in one lookup TTL is a word
// pair that half the week's headlines share (or a feed of formulaic
// titles); its older entries are no evidence the newer ones lack, and
// returning them all made ingest quadratic in such items. A field keeps
// at most twice that many entries: the older ones are forgotten.
const MaxLive = 128

// rescan is how many of a field's last entries Add looks through for the
// item it records: one recorded again is a source's own item polled
// again, recorded among the last. Missed further back, it is recorded
// twice, which costs an entry (the older expires first), never a wrong
// candidate.
const rescan = 32

// Add records item, of story time at (unix seconds), under field until
// exp; recording it again moves its expiry and time.
func (x *LookupIndex) Add(field, item string, at, exp int64) {
	x.add(field, x.id(item), at, exp)
}

func (x *LookupIndex) add(field string, item uint32, at, exp int64) {
	if x.first == nil {
		// A week of items is tens of thousands of entries: start big
		// rather than grow through every size on the way.
		x.first = make(map[uint64]lookupEntry, initialFields)
		x.more = map[uint64][]lookupEntry{}
	}
	f := fieldHash(field)
	e, ok := x.first[f]
	if !ok {
		x.first[f] = lookupEntry{item, at, exp}
		x.n++
		return
	}
	if e.item == item {
		if exp >= e.exp {
			x.first[f] = lookupEntry{item, at, exp}
		}
		return
	}
	es := x.more[f]
	for i := len(es) - 1; i >= max(len(es)-rescan, 0); i-- {
		if es[i].item == item {
			if exp >= es[i].exp {
				es[i].exp, es[i].at = exp, at
			}
			return
		}
	}
	es = append(es, lookupEntry{item, at, exp})
	x.n++
	if len(es) >= 2*MaxLive {
		// Keep first and more at MaxLive+1 entries, the last recorded.
		cut := len(es) - MaxLive
		x.first[f] = es[cut-1]
		es = slices.Clone(es[cut:])
		x.n -= cut
	}
	x.more[f] = es
}

// AddAll records every lookup of a save until exp.
func (x *LookupIndex) AddAll(ls []Lookup, exp int64) {
	for _, l := range ls {
		id, at := x.id(l.Item), l.At.Unix()
		for _, keys := range [2][]string{l.Keys, l.Buckets} {
			for _, k := range keys {
				x.add(k, id, at, exp)
			}
		}
	}
}

// Live returns the items recorded under field that are live at now (unix
// ms), at most the MaxLive recorded last, in no particular order (Judged
// orders what is judged).
func (x *LookupIndex) Live(field string, now int64) []Hit {
	return x.AppendLive(nil, field, now)
}

// AppendLive is Live appending to dst: a save looks up ~26 fields per
// item, and a slice of its own for each, grown hit by hit, was 4% of the
// bytes a cold poll allocated.
func (x *LookupIndex) AppendLive(dst []Hit, field string, now int64) []Hit {
	f := fieldHash(field)
	e, ok := x.first[f]
	if !ok {
		return dst
	}
	es := x.more[f]
	n := 0
	for i := len(es) - 1; i >= 0 && n < MaxLive; i-- {
		if es[i].exp > now {
			dst = append(dst, Hit{x.keys[es[i].item], es[i].at})
			n++
		}
	}
	if e.exp > now && n < MaxLive {
		dst = append(dst, Hit{x.keys[e.item], e.at})
	}
	return dst
}

// Sweep drops the entries expired at now (unix ms).
func (x *LookupIndex) Sweep(now int64) {
	for f, e := range x.first {
		before := 1 + len(x.more[f])
		es := slices.DeleteFunc(x.more[f], func(e lookupEntry) bool { return e.exp <= now })
		if e.exp <= now && len(es) > 0 {
			x.first[f], es = es[0], es[1:]
		} else if e.exp <= now {
			delete(x.first, f)
		}
		after := len(es)
		if _, ok := x.first[f]; ok {
			after++
		}
		x.n -= before - after
		if len(es) == 0 {
			delete(x.more, f)
		} else {
			x.more[f] = es
		}
	}
	x.renumber()
}

// renumber drops the keys no entry names, numbering the rest afresh.
func (x *LookupIndex) renumber() {
	keys, ids := []string(nil), map[string]uint32{}
	to := func(old uint32) uint32 {
		k := x.keys[old]
		id, ok := ids[k]
		if !ok {
			id = uint32(len(keys))
			keys = append(keys, k)
			ids[k] = id
		}
		return id
	}
	for f, e := range x.first {
		e.item = to(e.item)
		x.first[f] = e
	}
	for _, es := range x.more {
		for i := range es {
			es[i].item = to(es[i].item)
		}
	}
	x.keys, x.ids = keys, ids
}

// Len is the number of entries held, live or not yet swept.
func (x *LookupIndex) Len() int { return x.n }

// EncodeLookups is how backends persist a save's lookups (a Redis stream
// entry, a bbolt log record): the expiry (unix
// ms, base 36) on the first line, then each item's key and, after a tab,
// its story time (unix seconds, base 36) on a line of its own, followed
// by its fields, each on a line starting with a tab. Fields
// and keys are URLs, digests and bucket names; one holding a tab or a
// newline (never made by dedup) is left out rather than corrupting the
// entry.
func EncodeLookups(ls []Lookup, exp int64) string {
	if len(ls) == 0 {
		return ""
	}
	n := 16
	for _, l := range ls {
		n += len(l.Item) + 10
		for _, keys := range [2][]string{l.Keys, l.Buckets} {
			for _, k := range keys {
				n += len(k) + 2
			}
		}
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(strconv.FormatInt(exp, 36))
	b.WriteByte('\n')
	for _, l := range ls {
		if !lineSafe(l.Item) {
			continue
		}
		b.WriteString(l.Item)
		b.WriteByte('\t')
		b.WriteString(strconv.FormatInt(l.At.Unix(), 36))
		b.WriteByte('\n')
		for _, keys := range [2][]string{l.Keys, l.Buckets} {
			for _, k := range keys {
				if lineSafe(k) {
					b.WriteByte('\t')
					b.WriteString(k)
					b.WriteByte('\n')
				}
			}
		}
	}
	return b.String()
}

// lineSafe reports whether s can be a line of a lookup blob.
func lineSafe(s string) bool {
	return strings.IndexByte(s, '\n') < 0 && strings.IndexByte(s, '\t') < 0
}

// DecodeLookups calls add with each entry of an EncodeLookups blob. An
// item line without a time (written by an older version) gives 0.
func DecodeLookups(blob string, add func(field, item string, at, exp int64)) error {
	head, rest, ok := strings.Cut(blob, "\n")
	if !ok {
		return fmt.Errorf("no expiry line")
	}
	exp, err := strconv.ParseInt(head, 36, 64)
	if err != nil {
		return fmt.Errorf("expiry %q: %w", head, err)
	}
	key, at := "", int64(0)
	for line := range strings.Lines(rest) {
		line = strings.TrimSuffix(line, "\n")
		if f, ok := strings.CutPrefix(line, "\t"); ok {
			if key == "" {
				return fmt.Errorf("field %q before any item", f)
			}
			add(f, key, at, exp)
			continue
		}
		k, t, _ := strings.Cut(line, "\t")
		at, _ = strconv.ParseInt(t, 36, 64)
		// A copy: the entries would otherwise keep the whole blob alive.
		key = strings.Clone(k)
	}
	return nil
}
