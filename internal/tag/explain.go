package tag

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kernelwire/kernelwire/internal/item"
)

// Explanation says why an item is, or nearly is, filed under one topic.
type Explanation struct {
	Topic string
	// Rule is the rule that fired (SourceDefaultRule for a default
	// topic); empty when only near misses are reported.
	Rule  string
	Words []string
	// People are the configured people named in the item, with their
	// roles, when a rule of this topic looks for people.
	People     []string
	NearMisses []NearMiss
}

// NearMiss is a rule whose any-list matched but which did not fire.
type NearMiss struct {
	Rule string
	// Words are what matched in the rule's any-list.
	Words []string
	// Failed names each entry that stopped the rule: an all-entry not
	// found, or a none-entry found.
	Failed []string
}

// Explain reports, for each topic the item is filed under or nearly
// filed under, the rule that fired and the near misses of rules before it
// (or of all rules, when none fired). It is for people debugging
// feeds.yaml; Tag does the same matching without the bookkeeping.
func (t *Tagger) Explain(it item.Item, source string, defaults []string) []Explanation {
	m := t.match(&it, source)
	defer t.release(m)
	var out []Explanation
	cve := m.extracted().CVE
	for _, tp := range t.topics {
		ex := Explanation{Topic: tp.slug}
		lookForPeople := false
		for i := range tp.rules {
			r := &tp.rules[i]
			lookForPeople = lookForPeople || usesPeople(&r.g)
			if ok, words := m.evalGroup(&r.g, r.fields); ok {
				ex.Rule, ex.Words = r.name, dedup(words)
				break
			}
			if nm, ok := m.nearMiss(r); ok {
				ex.NearMisses = append(ex.NearMisses, nm)
			}
		}
		if ex.Rule == "" {
			if slices.Contains(t.cveTopics(cve), tp.slug) {
				ex.Rule, ex.Words = CVEFilesRule, cve.Files
			}
		}
		if ex.Rule == "" {
			for _, e := range m.fromTables() {
				if t.topics[e.topic].slug == tp.slug {
					ex.Rule, ex.Words = e.rule, e.words
					break
				}
			}
		}
		if ex.Rule == "" {
			for _, slug := range defaults {
				if slug == tp.slug {
					ex.Rule = SourceDefaultRule
				}
			}
		}
		if lookForPeople {
			ex.People = m.people()
		}
		if ex.Rule != "" || len(ex.NearMisses) > 0 {
			out = append(out, ex)
		}
	}
	return out
}

func usesPeople(g *cgroup) bool {
	for _, list := range [][]centry{g.any, g.all, g.none} {
		for i := range list {
			if list[i].kind == kindPerson || list[i].kind == kindGroup && usesPeople(list[i].sub) {
				return true
			}
		}
	}
	return false
}

func (m *itemMatch) people() []string {
	var out []string
	for _, pp := range m.t.persons {
		if m.need(m.t.personFields); m.phrases[pp.phrase] == 0 {
			continue
		}
		p := m.t.people[pp.person]
		s := p.Name
		if len(p.Roles) > 0 {
			s += " (" + strings.Join(p.Roles, ", ") + ")"
		}
		out = append(out, s)
	}
	return dedup(out)
}

// nearMiss reports r as a near miss when its any-list matched (or, for a
// rule without one, some all-entry did) yet the rule failed.
func (m *itemMatch) nearMiss(r *crule) (NearMiss, bool) {
	nm := NearMiss{Rule: r.name}
	g := &r.g
	for i := range g.any {
		if ok, w := m.evalEntry(&g.any[i], r.fields); ok {
			nm.Words = append(nm.Words, w...)
		}
	}
	someAll := false
	for i := range g.all {
		if ok, w := m.evalEntry(&g.all[i], r.fields); ok {
			someAll = true
			if len(g.any) == 0 {
				nm.Words = append(nm.Words, w...)
			}
		} else {
			nm.Failed = append(nm.Failed, "all: "+describe(&g.all[i])+" not found")
		}
	}
	for i := range g.none {
		if ok, w := m.evalEntry(&g.none[i], r.fields); ok {
			nm.Failed = append(nm.Failed, fmt.Sprintf("none: %s found (%s)", describe(&g.none[i]), strings.Join(w, ", ")))
		}
	}
	if len(g.any) > 0 && len(nm.Words) == 0 || len(g.any) == 0 && !someAll {
		return NearMiss{}, false
	}
	nm.Words = dedup(nm.Words)
	return nm, true
}

// describe renders an entry the way feeds.yaml spells it.
func describe(e *centry) string {
	if e.kind != kindGroup {
		return fmt.Sprintf("%q", e.term)
	}
	var parts []string
	if e.fields != 0 {
		var names []string
		for i, f := range allFields {
			if e.fields&(1<<i) != 0 {
				names = append(names, string(f))
			}
		}
		parts = append(parts, "fields: ["+strings.Join(names, ", ")+"]")
	}
	for _, part := range []struct {
		name string
		list []centry
	}{{"any", e.sub.any}, {"all", e.sub.all}, {"none", e.sub.none}} {
		if len(part.list) == 0 {
			continue
		}
		var terms []string
		for i := range part.list {
			terms = append(terms, describe(&part.list[i]))
		}
		parts = append(parts, part.name+": ["+strings.Join(terms, ", ")+"]")
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
