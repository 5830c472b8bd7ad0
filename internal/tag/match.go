package tag

import (
	"strings"

	"github.com/kernelwire/kernelwire/internal/extract"
	"github.com/kernelwire/kernelwire/internal/item"
)

// itemMatch is one item being matched against the rules: its fields as
// plain and normalised text, which phrases occur in which fields, and what
// regexps and extractors found, each computed when a rule first asks. It
// lives for one Tag or Explain call and is pooled by the Tagger.
type itemMatch struct {
	t      *Tagger
	raw    [len(allFields)]string
	norm   [len(allFields)]string
	normed fieldMask // fields whose norm is computed
	// html is the summary and content as given (capped); raw holds them
	// as text once plain marks them converted (see text).
	html  [2]string
	plain fieldMask
	// mail holds fields as extract.MailText, for the extractors that read
	// mail lines; mailDone marks those converted.
	mail     [len(allFields)]string
	mailDone fieldMask
	// ascii marks the fields found to be ASCII among those asciiDone
	// marks as checked.
	ascii, asciiDone fieldMask
	phrases          []fieldMask // phrase id -> fields it occurs in
	hits             []int32     // ids of the phrases that occur, in any field
	hitBits          []uint64    // the same as a bit set
	scratch          []int32     // pattern numbers one field's scan found
	// Per-field results of regexps (by regexp id) and extractors (by
	// their index in extract.All); done marks the fields evaluated.
	reDone, reHit []fieldMask
	// litSets holds per field the literals found in it (see mayMatch):
	// first the sets of the raw fields (litFold marks those computed),
	// then those of the normalised fields (litNorm).
	litSets          []uint64
	litFold, litNorm fieldMask
	exDone, exHit    []fieldMask
	exVals           [][len(allFields)][]string
	// words is the buffer Tag collects each rule's words in (see
	// evalGroupInto).
	words []string
	// pending are the scanned fields whose phrases are not found yet.
	pending fieldMask
	// The item's mailing list in the list table, once list has looked.
	listDone            bool
	listName, listWhere string
}

func (t *Tagger) newMatch() *itemMatch {
	return &itemMatch{t: t,
		phrases: make([]fieldMask, len(t.phrases)), hitBits: make([]uint64, len(t.phrases)/64+1),
		reDone: make([]fieldMask, len(t.res)), reHit: make([]fieldMask, len(t.res)),
		litSets: make([]uint64, 2*len(allFields)*t.lits.words),
		exDone:  make([]fieldMask, len(t.extractors)), exHit: make([]fieldMask, len(t.extractors)),
		exVals: make([][len(allFields)][]string, len(t.extractors))}
}

// match prepares it for matching: the fields some phrase rule reads are
// scanned for phrases now, everything else waits until a rule asks.
func (t *Tagger) match(it *item.Item, source string) *itemMatch {
	m, _ := t.matches.Get().(*itemMatch)
	if m == nil {
		m = t.newMatch()
	}
	if source == "" {
		source = it.Source
	}
	host, path := splitLink(it.Link)
	m.raw = [...]string{it.Title, "", "", strings.Join(it.Categories, "\n"), it.Author, source, host, path, it.Link}
	m.html = [2]string{capText(it.Summary), capText(it.Content)}
	// Only fields some phrase rule reads are scanned, and the summary
	// and the content (long, and HTML to convert first) only when a rule
	// first asks for a phrase in them (see need): most items are decided
	// on the title alone. Regexps normalise fields on demand (normal);
	// the extractors read m.text, which converts on demand too.
	m.pending = t.scanned & (fieldBit(FieldSummary) | fieldBit(FieldContent))
	for i := range m.raw {
		if bit := fieldMask(1) << i; t.scanned&bit != 0 && m.pending&bit == 0 {
			m.scan(i)
		}
	}
	return m
}

// scan finds the phrases of field i.
func (m *itemMatch) scan(i int) {
	bit := fieldMask(1) << i
	text := m.text(i)
	if !m.isASCII(i) {
		text = m.normal(i)
	}
	m.scratch = m.t.fieldAC[i].scan(text, m.scratch[:0])
	for _, n := range m.scratch {
		id := m.t.fieldIDs[i][n]
		if m.phrases[id] == 0 {
			m.hits = append(m.hits, id)
			m.hitBits[id/64] |= 1 << (id % 64)
		}
		m.phrases[id] |= bit
	}
}

// need scans the pending fields among fields, before phrases are read in
// them.
func (m *itemMatch) need(fields fieldMask) {
	if todo := m.pending & fields; todo != 0 {
		m.pending &^= todo
		for i := range allFields {
			if todo&(1<<i) != 0 {
				m.scan(i)
			}
		}
	}
}

// mayMatch reports whether field i contains one of the literals regexp
// id needs (see requiredLiterals). An ASCII field is searched as it is,
// folding case and white space on the fly, so a title whose regexps all
// fail their literals is never copied into normal form; once it has been
// (or when it is not ASCII), the normal form is searched. Each field is
// searched once for the literals of every regexp (see literals).
func (m *itemMatch) mayMatch(i int, id int) bool {
	want := m.t.reLits[id]
	bit := fieldMask(1) << i
	if want == nil || m.t.reFields[id]&bit == 0 {
		return true // no literals, or a field no rule reads it in
	}
	lt := &m.t.lits.byField[i]
	w := m.t.lits.words
	if m.normed&bit != 0 || !m.isASCII(i) {
		set := m.litSets[(len(allFields)+i)*w : (len(allFields)+i+1)*w]
		if m.litNorm&bit == 0 {
			m.litNorm |= bit
			if norm := m.normal(i); m.litFold&bit != 0 && lowerOnly(m.text(i), norm) {
				// The usual title: normal form only lower-cased it,
				// so it holds the literals the raw text does.
				copy(set, m.litSets[i*w:(i+1)*w])
			} else {
				clear(set)
				lt.scan(norm, m.t.lits.lits, set)
			}
		}
		return intersects(want, set)
	}
	set := m.litSets[i*w : (i+1)*w]
	if m.litFold&bit == 0 {
		m.litFold |= bit
		clear(set)
		lt.scan(m.text(i), m.t.lits.lits, set)
	}
	return intersects(want, set)
}

// lowerOnly reports whether norm, normalize(raw) of an ASCII raw, is raw
// lower-cased: raw has no white space but single spaces inside it.
func lowerOnly(raw, norm string) bool {
	if len(raw) != len(norm) {
		return false
	}
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; '\t' <= c && c <= '\r' {
			return false
		}
	}
	return true
}

// isASCII reports whether field i is ASCII, computing it once.
func (m *itemMatch) isASCII(i int) bool {
	bit := fieldMask(1) << i
	if m.asciiDone&bit == 0 {
		m.asciiDone |= bit
		if isASCII(m.text(i)) {
			m.ascii |= bit
		}
	}
	return m.ascii&bit != 0
}

// isHTML reports whether field i is given as HTML (the summary, the
// content), so its html holds the original.
func isHTML(i int) bool { return i == 1 || i == 2 }

// text returns field i as plain text: the summary and the content are
// converted from HTML when first asked for (the content usually never is).
func (m *itemMatch) text(i int) string {
	if isHTML(i) && m.plain&(1<<i) == 0 {
		m.plain |= 1 << i
		m.raw[i] = extract.Text(m.html[i-1])
	}
	return m.raw[i]
}

// normal returns field i normalised, computing it once.
func (m *itemMatch) normal(i int) string {
	if bit := fieldMask(1) << i; m.normed&bit == 0 {
		m.normed |= bit
		m.norm[i] = normalize(m.text(i))
	}
	return m.norm[i]
}

// release clears m and returns it to the pool. Nothing of m may be
// referenced by the tagged item: extractors return fresh slices.
func (t *Tagger) release(m *itemMatch) {
	for _, id := range m.hits {
		m.phrases[id] = 0
	}
	clear(m.hitBits)
	clear(m.reDone)
	clear(m.reHit)
	clear(m.exDone)
	clear(m.exHit)
	clear(m.exVals)
	clear(m.words[:cap(m.words)]) // no text of this item kept alive by the pool
	*m = itemMatch{t: t, phrases: m.phrases, hits: m.hits[:0], hitBits: m.hitBits, scratch: m.scratch[:0], words: m.words[:0],
		reDone: m.reDone, reHit: m.reHit, litSets: m.litSets, exDone: m.exDone, exHit: m.exHit, exVals: m.exVals}
	t.matches.Put(m)
}
