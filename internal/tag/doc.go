package tag

import (
	"math/bits"
	"slices"
	"strings"

	"github.com/kernelwire/kernelwire/internal/item"
)

// doc is one item prepared for matching: its fields as plain text and
// normalised text, and which phrases occur in which fields. It lives for one
// Tag call.
type doc struct {
	t      *Tagger
	raw    [len(allFields)]string
	norm   [len(allFields)]string
	normed fieldMask // fields whose norm is computed
	// html is the summary and content as given (capped); raw holds them
	// as text once plain marks them converted (see rawField).
	html  [2]string
	plain fieldMask
	// ascii marks the fields found to be ASCII among those asciiDone
	// marks as checked.
	ascii, asciiDone fieldMask
	phrases          []fieldMask // phrase id -> fields it occurs in
	hits             []int32     // ids of the phrases that occur, in any field
	hitBits          []uint64    // the same as a bit set
	scratch          []int32     // pattern numbers one field's scan found
	// Lazily computed per-field results of regexps and extractors;
	// done marks which fields were evaluated.
	reDone, reHit []fieldMask
	exDone, exHit [3]fieldMask
	exVals        [3][len(allFields)][]string
}

func (t *Tagger) prepare(it *item.Item, source string) *doc {
	d, _ := t.docs.Get().(*doc)
	if d == nil {
		d = &doc{t: t, phrases: make([]fieldMask, len(t.phrases)), hitBits: make([]uint64, len(t.phrases)/64+1),
			reDone: make([]fieldMask, len(t.res)), reHit: make([]fieldMask, len(t.res))}
	}
	if source == "" {
		source = it.Source
	}
	host, path := splitLink(it.Link)
	d.raw = [...]string{it.Title, "", "", strings.Join(it.Categories, "\n"), it.Author, source, host, path, it.Link}
	d.html = [2]string{capText(it.Summary), capText(it.Content)}
	// Only fields some phrase rule reads are normalised and scanned
	// here; regexps normalise the others on demand (normField). The
	// extractors read d.raw, which is always filled.
	for i := range d.raw {
		if t.scanned&(1<<i) == 0 {
			continue
		}
		bit := fieldMask(1) << i
		text := d.rawField(i)
		if !d.isASCII(i) {
			text = d.normField(i)
		}
		d.scratch = t.fieldAC[i].scan(text, d.scratch[:0])
		for _, n := range d.scratch {
			id := t.fieldIDs[i][n]
			if d.phrases[id] == 0 {
				d.hits = append(d.hits, id)
				d.hitBits[id/64] |= 1 << (id % 64)
			}
			d.phrases[id] |= bit
		}
	}
	return d
}

// mayMatch reports whether field i contains one of lits, the literals a
// regexp needs (see requiredLiterals). An ASCII field is searched as it
// is, folding case and white space on the fly, so a title whose regexps
// all fail their literals is never copied into normal form.
func (d *doc) mayMatch(i int, lits []string) bool {
	if len(lits) == 0 {
		return true
	}
	if d.normed&(1<<i) != 0 {
		return containsAny(d.norm[i], lits)
	}
	raw := d.rawField(i)
	if !d.isASCII(i) {
		return containsAny(d.normField(i), lits)
	}
	for _, lit := range lits {
		if containsFolded(raw, lit) {
			return true
		}
	}
	return false
}

// isASCII reports whether field i is ASCII, computing it once.
func (d *doc) isASCII(i int) bool {
	bit := fieldMask(1) << i
	if d.asciiDone&bit == 0 {
		d.asciiDone |= bit
		if isASCII(d.rawField(i)) {
			d.ascii |= bit
		}
	}
	return d.ascii&bit != 0
}

// rawField returns field i as plain text: the summary and the content are
// converted from HTML when first asked for (the content usually never is).
func (d *doc) rawField(i int) string {
	if (i == 1 || i == 2) && d.plain&(1<<i) == 0 {
		d.plain |= 1 << i
		d.raw[i] = plainText(d.html[i-1])
	}
	return d.raw[i]
}

// normField returns field i normalised, computing it once.
func (d *doc) normField(i int) string {
	if bit := fieldMask(1) << i; d.normed&bit == 0 {
		d.normed |= bit
		d.norm[i] = normalize(d.rawField(i))
	}
	return d.norm[i]
}

// release clears d and returns it to the pool. Nothing of d may be
// referenced by the tagged item: extract returns fresh slices.
func (t *Tagger) release(d *doc) {
	for _, id := range d.hits {
		d.phrases[id] = 0
	}
	clear(d.hitBits)
	clear(d.reDone)
	clear(d.reHit)
	*d = doc{t: t, phrases: d.phrases, hits: d.hits[:0], hitBits: d.hitBits, scratch: d.scratch[:0], reDone: d.reDone, reHit: d.reHit}
	t.docs.Put(d)
}

// extracted is what the item stores: versions and CVEs from its text,
// the patch from its title (only a subject line is a patch subject).
func (d *doc) extracted() item.Extracted {
	text := fieldBit(FieldTitle) | fieldBit(FieldSummary)
	var e item.Extracted
	e.KernelVersions = d.extract(0, text)
	e.CVEs = d.extract(1, text|fieldBit(FieldContent))
	e.Patch = ParsePatch(d.rawField(0))
	return e
}

// extract runs extractor x (0 versions, 1 CVEs, 2 patch) over the fields in
// mask, caching per field, and returns the values found.
func (d *doc) extract(x int, mask fieldMask) []string {
	d.ensure(x, mask)
	if d.exHit[x]&mask == 0 {
		return nil
	}
	var out []string
	for i := range allFields {
		if mask&(1<<i) == 0 {
			continue
		}
		for _, v := range d.exVals[x][i] {
			if !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
}

// ensure runs extractor x over the fields of mask it has not read yet.
func (d *doc) ensure(x int, mask fieldMask) {
	for i := range allFields {
		bit := fieldMask(1) << i
		if mask&bit == 0 {
			continue
		}
		if d.exDone[x]&bit == 0 {
			d.exDone[x] |= bit
			var vals []string
			switch x {
			case 0:
				vals = KernelVersions(d.rawField(i))
			case 1:
				// Most articles name no CVE: look in the HTML
				// before paying for its conversion to text.
				if i != 1 && i != 2 || containsCVE(d.html[i-1]) {
					vals = CVEs(d.rawField(i))
				}
			case 2:
				if p := ParsePatch(d.rawField(i)); p != nil {
					vals = []string{p.Kind}
				}
			}
			d.exVals[x][i] = vals
			if len(vals) > 0 {
				d.exHit[x] |= bit
			}
		}
	}
}

// evalEntry reports whether e matches in fields and the words that made it.
func (d *doc) evalEntry(e *centry, fields fieldMask) (bool, []string) {
	switch e.kind {
	case kindPhrase:
		if d.phrases[e.id]&fields != 0 {
			return true, e.words
		}
	case kindRegexp:
		for i := range allFields {
			bit := fieldMask(1) << i
			if fields&bit == 0 || d.reDone[e.id]&bit != 0 {
				continue
			}
			d.reDone[e.id] |= bit
			if d.mayMatch(i, d.t.reLits[e.id]) && d.t.res[e.id].MatchString(d.normField(i)) {
				d.reHit[e.id] |= bit
			}
		}
		if d.reHit[e.id]&fields != 0 {
			return true, e.words
		}
	case kindKernelVersion, kindCVE, kindPatch:
		x := int(e.kind - kindKernelVersion)
		if vals := d.extract(x, fields); len(vals) > 0 {
			return true, vals
		}
	case kindPerson:
		var words []string
		for _, pp := range d.t.persons {
			if d.phrases[pp.phrase]&fields != 0 {
				words = append(words, d.t.phrases[pp.phrase])
			}
		}
		return len(words) > 0, words
	case kindGroup:
		if e.fields != 0 {
			fields = e.fields
		}
		return d.evalGroup(e.sub, fields)
	}
	return false, nil
}

func (d *doc) evalGroup(g *cgroup, fields fieldMask) (bool, []string) {
	// all, then any, then none: a none-list (often long, often regexps)
	// only matters for a group that would otherwise match, which most
	// groups on most items are not.
	// An any-list of phrases only is rejected first, from the phrases
	// the item has; one with regexps or extractors only after the
	// all-list passed, as those cost more than most all-entries.
	if len(g.any) > 0 && len(g.anyOthers) == 0 && !d.anyHit(g, fields) {
		return false, nil
	}
	var words []string
	for i := range g.all {
		ok, w := d.evalEntry(&g.all[i], fields)
		if !ok {
			return false, nil
		}
		words = append(words, w...)
	}
	if len(g.any) > 0 {
		if len(g.anyOthers) > 0 && !d.anyHit(g, fields) && !d.anyOther(g, fields) {
			return false, nil
		}
		matched := false
		for i := range g.any {
			if ok, w := d.evalEntry(&g.any[i], fields); ok {
				matched = true
				words = append(words, w...)
			}
		}
		if !matched {
			return false, nil
		}
	}
	for i := range g.none {
		if ok, _ := d.evalEntry(&g.none[i], fields); ok {
			return false, nil
		}
	}
	return true, words
}

// anyOther reports whether one of the non-phrase entries of g's any-list
// matches in fields.
func (d *doc) anyOther(g *cgroup, fields fieldMask) bool {
	for _, k := range g.anyOthers {
		if d.test(&g.any[k], fields) {
			return true
		}
	}
	return false
}

// test is evalEntry without the words, for the checks that reject a group
// early: it allocates nothing.
func (d *doc) test(e *centry, fields fieldMask) bool {
	switch e.kind {
	case kindPhrase:
		return d.phrases[e.id]&fields != 0
	case kindKernelVersion, kindCVE, kindPatch:
		x := int(e.kind - kindKernelVersion)
		d.ensure(x, fields)
		return d.exHit[x]&fields != 0
	case kindGroup:
		if e.fields != 0 {
			fields = e.fields
		}
		return d.testGroup(e.sub, fields)
	}
	ok, _ := d.evalEntry(e, fields)
	return ok
}

// testGroup is evalGroup without the words.
func (d *doc) testGroup(g *cgroup, fields fieldMask) bool {
	if len(g.any) > 0 && len(g.anyOthers) == 0 && !d.anyHit(g, fields) {
		return false
	}
	for i := range g.all {
		if !d.test(&g.all[i], fields) {
			return false
		}
	}
	if len(g.any) > 0 && len(g.anyOthers) > 0 && !d.anyHit(g, fields) && !d.anyOther(g, fields) {
		return false
	}
	for i := range g.none {
		if d.test(&g.none[i], fields) {
			return false
		}
	}
	return true
}

// anyHit reports whether one of the phrases of g's any-list occurs in
// fields: an AND of two bit sets of a few words, then a look at the few
// common bits.
func (d *doc) anyHit(g *cgroup, fields fieldMask) bool {
	for w, want := range g.anyBits {
		common := want & d.hitBits[g.anyLo+w]
		for common != 0 {
			id := (g.anyLo+w)*64 + bits.TrailingZeros64(common)
			if d.phrases[id]&fields != 0 {
				return true
			}
			common &= common - 1
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// splitLink returns the host name (no port or user info) and the path of
// an absolute link, as url.Parse's Hostname and EscapedPath would for the
// canonical links package parse produces, without allocating a URL.
func splitLink(link string) (host, path string) {
	_, rest, ok := strings.Cut(link, "://")
	if !ok {
		return "", ""
	}
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i]
	}
	host, path = rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		host, path = rest[:i], rest[i:]
	}
	if i := strings.LastIndexByte(host, '@'); i >= 0 {
		host = host[i+1:]
	}
	if strings.HasPrefix(host, "[") {
		if i := strings.IndexByte(host, ']'); i >= 0 {
			return host[1:i], path
		}
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	return host, path
}
