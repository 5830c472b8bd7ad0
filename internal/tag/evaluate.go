package tag

import "math/bits"

// evalEntry reports whether e matches in fields and the words that made it.
func (m *itemMatch) evalEntry(e *centry, fields fieldMask) (bool, []string) {
	switch e.kind {
	case kindPhrase:
		m.need(fields)
		if m.phrases[e.id]&fields != 0 {
			return true, e.words
		}
	case kindRegexp:
		for i := range allFields {
			bit := fieldMask(1) << i
			if fields&bit == 0 || m.reDone[e.id]&bit != 0 {
				continue
			}
			m.reDone[e.id] |= bit
			if m.mayMatch(i, e.id) && m.t.res[e.id].MatchString(m.normal(i)) {
				m.reHit[e.id] |= bit
			}
		}
		if m.reHit[e.id]&fields != 0 {
			return true, e.words
		}
	case kindExtractor:
		if vals := m.found(e.id, fields); len(vals) > 0 {
			return true, vals
		}
	case kindPerson:
		if !m.anyPerson(fields) {
			return false, nil
		}
		var words []string
		for _, pp := range m.t.persons {
			if m.phrases[pp.phrase]&fields != 0 {
				words = append(words, m.t.phrases[pp.phrase])
			}
		}
		return len(words) > 0, words
	case kindList:
		if _, where, ok := m.list(); ok {
			return true, []string{where}
		}
	case kindKnownSubsystem:
		if names := m.knownSubsystems(); len(names) > 0 {
			return true, names
		}
	case kindGroup:
		if e.fields != 0 {
			fields = e.fields
		}
		return m.evalGroup(e.sub, fields)
	}
	return false, nil
}

func (m *itemMatch) evalGroup(g *cgroup, fields fieldMask) (bool, []string) {
	return m.evalGroupInto(g, fields, nil)
}

// evalGroupInto is evalGroup appending the words to buf, which it returns
// (cut back to its length when g does not match): Tag passes the same
// buffer for every rule, as most rules that collect some words still do
// not match, and allocating their words was much of tagging's garbage.
func (m *itemMatch) evalGroupInto(g *cgroup, fields fieldMask, buf []string) (bool, []string) {
	start := len(buf)
	// all, then any, then none: a none-list (often long, often regexps)
	// only matters for a group that would otherwise match, which most
	// groups on most items are not.
	// An any-list of phrases only is rejected first, from the phrases
	// the item has; one with regexps or extractors only after the
	// all-list passed, as those cost more than most all-entries, and so
	// is one that would need a summary scanned (see anyFirst).
	first := m.anyFirst(g, fields)
	if first && !m.anyHit(g, fields) {
		return false, buf
	}
	words := buf
	for i := range g.all {
		ok, w := m.evalEntry(&g.all[i], fields)
		if !ok {
			return false, words[:start]
		}
		words = append(words, w...)
	}
	if len(g.any) > 0 {
		if !first && !m.anyCheap(g, fields) {
			return false, words[:start]
		}
		// The words are those of the fields already scanned when they
		// hold some: a summary is scanned only when the title (and the
		// extractors' findings) do not decide.
		matched := false
		if scanned := fields &^ m.pending; scanned != fields && scanned != 0 {
			for i := range g.any {
				if ok, w := m.evalEntry(&g.any[i], scanned); ok {
					matched = true
					words = append(words, w...)
				}
			}
		}
		for i := 0; !matched && i < len(g.any); i++ {
			if ok, w := m.evalEntry(&g.any[i], fields); ok {
				matched = true
				words = append(words, w...)
				// Every other entry that matches says so too.
				for j := i + 1; j < len(g.any); j++ {
					if ok, w := m.evalEntry(&g.any[j], fields); ok {
						words = append(words, w...)
					}
				}
			}
		}
		if !matched {
			return false, words[:start]
		}
	}
	for i := range g.none {
		if ok, _ := m.evalEntry(&g.none[i], fields); ok {
			return false, words[:start]
		}
	}
	return true, words
}

// anyOther reports whether one of the non-phrase entries of g's any-list
// matches in fields.
func (m *itemMatch) anyOther(g *cgroup, fields fieldMask) bool {
	for _, k := range g.anyOthers {
		if m.test(&g.any[k], fields) {
			return true
		}
	}
	return false
}

// test is evalEntry without the words, for the checks that reject a group
// early: it allocates nothing.
func (m *itemMatch) test(e *centry, fields fieldMask) bool {
	switch e.kind {
	case kindPhrase:
		m.need(fields)
		return m.phrases[e.id]&fields != 0
	case kindExtractor:
		m.ensure(e.id, fields)
		return m.exHit[e.id]&fields != 0
	case kindPerson:
		return m.anyPerson(fields)
	case kindGroup:
		if e.fields != 0 {
			fields = e.fields
		}
		return m.testGroup(e.sub, fields)
	}
	ok, _ := m.evalEntry(e, fields)
	return ok
}

// anyFirst reports whether g's any-list is checked before its all-list:
// when it holds phrases only and needs no field still to scan, or already
// matches in the scanned ones. Otherwise the all-list, often a cheap test
// of the title, goes first: a summary is scanned only for items whose
// title passed it.
func (m *itemMatch) anyFirst(g *cgroup, fields fieldMask) bool {
	if len(g.any) == 0 || len(g.anyOthers) > 0 {
		return false
	}
	if fields&m.pending == 0 || len(g.all) == 0 {
		return true
	}
	return m.anyHit(g, fields&^m.pending)
}

// testGroup is evalGroup without the words.
func (m *itemMatch) testGroup(g *cgroup, fields fieldMask) bool {
	first := m.anyFirst(g, fields)
	if first && !m.anyHit(g, fields) {
		return false
	}
	for i := range g.all {
		if !m.test(&g.all[i], fields) {
			return false
		}
	}
	if len(g.any) > 0 && !first && !m.anyCheap(g, fields) {
		return false
	}
	for i := range g.none {
		if m.test(&g.none[i], fields) {
			return false
		}
	}
	return true
}

// anyHit reports whether one of the phrases of g's any-list occurs in
// fields: an AND of two bit sets of a few words, then a look at the few
// common bits.
func (m *itemMatch) anyHit(g *cgroup, fields fieldMask) bool {
	if len(g.anyBits) == 0 {
		return false // no phrase in the any-list: no field need be scanned
	}
	m.need(fields)
	if len(m.hits) < len(g.anyBits) {
		// Few phrases occur (a short title): look each up in the
		// group's set rather than walking the set.
		lo := int32(g.anyLo * 64)
		for _, id := range m.hits {
			if w := (id - lo) / 64; id >= lo && int(w) < len(g.anyBits) &&
				g.anyBits[w]&(1<<(id%64)) != 0 && m.phrases[id]&fields != 0 {
				return true
			}
		}
		return false
	}
	for w, want := range g.anyBits {
		common := want & m.hitBits[g.anyLo+w]
		for common != 0 {
			id := (g.anyLo+w)*64 + bits.TrailingZeros64(common)
			if m.phrases[id]&fields != 0 {
				return true
			}
			common &= common - 1
		}
	}
	return false
}

// anyPerson reports whether a configured person is named in fields, from
// the few phrases the item has rather than the few hundred names and
// aliases: most items name nobody, and extract:person is the first test
// of several maintainers rules.
func (m *itemMatch) anyPerson(fields fieldMask) bool {
	m.need(fields)
	for _, id := range m.hits {
		if m.t.isPerson[id] && m.phrases[id]&fields != 0 {
			return true
		}
	}
	return false
}

// anyCheap reports whether an entry of g's any-list matches in fields,
// trying the phrases of the fields already scanned and the other entries
// (extractors, cached since Tag records their findings) before scanning a
// pending summary or content for phrases.
func (m *itemMatch) anyCheap(g *cgroup, fields fieldMask) bool {
	scanned := fields &^ m.pending
	return m.anyHit(g, scanned) || len(g.anyOthers) > 0 && m.anyOther(g, fields) ||
		scanned != fields && m.anyHit(g, fields)
}
