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
}

// fieldSeed seeds fieldHash; the index lives in one process's memory, so
// a seed per process is fine.
var fieldSeed = maphash.MakeSeed()

func fieldHash(field string) uint64 { return maphash.String(fieldSeed, field) }

// initialFields is the index's initial capacity: a few hundred items' worth.
const initialFields = 1 << 13

type lookupEntry struct {
	item string
	exp  int64
}

// Add records item under field until exp; recording it again moves its
// expiry.
func (x *LookupIndex) Add(field, item string, exp int64) {
	if x.first == nil {
		// A week of items is tens of thousands of entries: start big
		// rather than grow through every size on the way.
		x.first = make(map[uint64]lookupEntry, initialFields)
		x.more = map[uint64][]lookupEntry{}
	}
	f := fieldHash(field)
	e, ok := x.first[f]
	if !ok {
		x.first[f] = lookupEntry{item, exp}
		x.n++
		return
	}
	if e.item == item {
		if exp > e.exp {
			x.first[f] = lookupEntry{item, exp}
		}
		return
	}
	es := x.more[f]
	for i := range es {
		if es[i].item == item {
			es[i].exp = max(es[i].exp, exp)
			return
		}
	}
	x.more[f] = append(es, lookupEntry{item, exp})
	x.n++
}

// AddAll records every lookup of a save until exp.
func (x *LookupIndex) AddAll(ls []Lookup, exp int64) {
	for _, l := range ls {
		for _, keys := range [2][]string{l.Keys, l.Buckets} {
			for _, k := range keys {
				x.Add(k, l.Item, exp)
			}
		}
	}
}

// Live returns the items recorded under field that are live at now (unix
// ms), sorted by key, so candidates' order does not depend on who recorded
// them first.
func (x *LookupIndex) Live(field string, now int64) []string {
	f := fieldHash(field)
	e, ok := x.first[f]
	if !ok {
		return nil
	}
	var out []string
	if e.exp > now {
		out = append(out, e.item)
	}
	for _, e := range x.more[f] {
		if e.exp > now {
			out = append(out, e.item)
		}
	}
	if len(out) > 1 {
		slices.Sort(out)
	}
	return out
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
}

// Len is the number of entries held, live or not yet swept.
func (x *LookupIndex) Len() int { return x.n }

// EncodeLookups is how backends persist a save's lookups (a Redis stream
// entry, a bbolt log record): the expiry (unix
// ms, base 36) on the first line, then each item's key on a line of its
// own followed by its fields, each on a line starting with a tab. Fields
// and keys are URLs, digests and bucket names; one holding a tab or a
// newline (never made by dedup) is left out rather than corrupting the
// entry.
func EncodeLookups(ls []Lookup, exp int64) string {
	if len(ls) == 0 {
		return ""
	}
	n := 16
	for _, l := range ls {
		n += len(l.Item) + 1
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

// DecodeLookups calls add with each entry of an EncodeLookups blob.
func DecodeLookups(blob string, add func(field, item string, exp int64)) error {
	head, rest, ok := strings.Cut(blob, "\n")
	if !ok {
		return fmt.Errorf("no expiry line")
	}
	exp, err := strconv.ParseInt(head, 36, 64)
	if err != nil {
		return fmt.Errorf("expiry %q: %w", head, err)
	}
	key := ""
	for line := range strings.Lines(rest) {
		line = strings.TrimSuffix(line, "\n")
		if f, ok := strings.CutPrefix(line, "\t"); ok {
			if key == "" {
				return fmt.Errorf("field %q before any item", f)
			}
			add(f, key, exp)
			continue
		}
		// A copy: the entries would otherwise keep the whole blob alive.
		key = strings.Clone(line)
	}
	return nil
}
