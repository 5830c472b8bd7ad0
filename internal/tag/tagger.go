package tag

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/kernelwire/kernelwire/internal/extract"
	"github.com/kernelwire/kernelwire/internal/item"
)

// SourceDefaultRule is the Match.Rule of a topic an item got only from its
// source's defaults.
const SourceDefaultRule = "source default"

// CVEFilesRule is the Match.Rule of a topic a kernel CNA announcement got
// from the subsystems its affected files belong to (extract.Subsystems).
const CVEFilesRule = "cve affected files"

type termKind uint8

const (
	kindPhrase termKind = iota
	kindRegexp
	kindExtractor // id is the index in extract.All
	kindPerson
	kindList
	kindKnownSubsystem
	kindGroup
)

type centry struct {
	kind   termKind
	fields fieldMask // non-zero overrides the enclosing fields
	id     int       // phrase, regexp or extractor index
	term   string
	// words is []string{term}, built once: what a matching phrase or
	// regexp reports, shared read-only by every item.
	words []string
	sub   *cgroup
}

type cgroup struct {
	any, all, none []centry
	// anyBits is the set of phrase ids of the any-list, and anyOthers
	// the indexes of its other entries. Most groups do not match most
	// items, and the few phrases an item contains (itemMatch.hits) reject them
	// faster than walking a list of a hundred phrases.
	// anyBits holds words anyLo.. of the bit set (phrase ids are
	// assigned in file order, so a list's ids cluster).
	anyBits   []uint64
	anyLo     int
	anyOthers []int
}

type crule struct {
	name   string
	fields fieldMask
	g      cgroup
}

type ctopic struct {
	slug  string
	rules []crule
}

type personPhrase struct {
	phrase int
	person int
}

// Tagger is the compiled rule set. Its rules are immutable after Compile;
// it is safe for concurrent use.
type Tagger struct {
	topics []ctopic
	meta   []item.Topic
	people []Person
	// fieldAC[i] finds, in field i, the phrases some rule looks for in
	// that field; fieldIDs[i] maps its pattern numbers to phrase ids. A
	// summary is searched for the hundred phrases rules read in
	// summaries, not for every phrase of every title rule.
	fieldAC  [len(allFields)]*automaton
	fieldIDs [len(allFields)][]int32
	// phraseFields[id] are the fields in which phrase id is read.
	phraseFields []fieldMask
	phrases      []string // as written in the rules, for explanations
	res          []*regexp.Regexp
	// reLits[id] is the set of literals (numbers in lits) one of which
	// occurs wherever regexp id matches, or nil (see requiredLiterals).
	reLits [][]uint64
	lits   literals
	// reFields[id] are the fields rules read regexp id in.
	reFields []fieldMask
	persons  []personPhrase
	isPerson []bool    // by phrase id: a person's name or alias
	used     fieldMask // fields any rule reads: the others are never prepared
	// scanned are the fields some phrase or person entry reads: only
	// they go through an automaton; the other used fields are only
	// normalised, when a regexp asks for them.
	scanned fieldMask
	// personFields are the fields extract:person entries read.
	personFields fieldMask
	// extractors is extract.All, indexed by kindExtractor entries;
	// patchX is the patch extractor's index.
	extractors []extract.Extractor
	patchX     int
	tables     tables
	// matches recycles the per-item scratch space: the phrase table alone
	// is a few KiB, and allocating it per item made the GC a visible
	// part of tagging. Pooled per Tagger, so no state is shared between
	// rule sets.
	matches sync.Pool
	// fingerprint identifies the rule set; see Fingerprint.
	fingerprint string
}

// Compile checks and compiles the topic rules and tables once. Errors name
// the topic, the rule and the entry, or the table entry.
func Compile(spec Spec) (*Tagger, error) {
	topics, people := spec.Topics, spec.People
	t := &Tagger{people: people, extractors: extract.All(), fingerprint: fingerprint(spec)}
	t.patchX, _ = extract.Lookup("patch")
	t.tables.subsystemX, _ = extract.Lookup("subsystem")
	phraseID := map[string]int{}
	var patterns []string
	addPhrase := func(p string) int {
		n := normalize(p)
		if id, ok := phraseID[n]; ok {
			return id
		}
		phraseID[n] = len(patterns)
		patterns = append(patterns, n)
		t.phrases = append(t.phrases, p)
		return len(patterns) - 1
	}
	for pi, p := range people {
		for _, name := range append([]string{p.Name}, p.Aliases...) {
			if normalize(name) == "" {
				return nil, fmt.Errorf("person %d (%q): empty name or alias", pi, p.Name)
			}
			t.persons = append(t.persons, personPhrase{phrase: addPhrase(name), person: pi})
		}
	}
	seen := map[string]bool{}
	for _, ts := range topics {
		if ts.Slug == "" || seen[ts.Slug] {
			return nil, fmt.Errorf("topic %q: empty or duplicate slug", ts.Slug)
		}
		seen[ts.Slug] = true
		if len(ts.Rules) == 0 {
			return nil, fmt.Errorf("topic %q: no rules", ts.Slug)
		}
		ct := ctopic{slug: ts.Slug}
		for _, rs := range ts.Rules {
			r := crule{name: rs.Name}
			fields := rs.Fields
			if len(fields) == 0 {
				fields = DefaultFields
			}
			for _, f := range fields {
				bit := fieldBit(f)
				if bit == 0 {
					return nil, fmt.Errorf("topic %q rule %q: unknown field %q", ts.Slug, rs.Name, f)
				}
				r.fields |= bit
			}
			t.used |= r.fields
			g, err := t.compileGroup(rs.Group, addPhrase)
			if err != nil {
				return nil, fmt.Errorf("topic %q rule %q: %w", ts.Slug, rs.Name, err)
			}
			r.g = *g
			t.markScanned(&r.g, r.fields)
			ct.rules = append(ct.rules, r)
		}
		t.topics = append(t.topics, ct)
		t.meta = append(t.meta, item.Topic{Slug: ts.Slug, Title: ts.Title, Description: ts.Description})
	}
	if err := t.compileTables(spec); err != nil {
		return nil, err
	}
	t.reFields = append(t.reFields, make([]fieldMask, len(t.res)-len(t.reFields))...)
	t.lits.build(t.reLits, t.reFields)
	// People are looked for wherever a rule reads extract:person.
	t.isPerson = make([]bool, len(t.phrases))
	for _, pp := range t.persons {
		t.markPhrase(pp.phrase, t.personFields)
		t.isPerson[pp.phrase] = true
	}
	for i := range allFields {
		var pats []string
		for id, p := range patterns {
			if id < len(t.phraseFields) && t.phraseFields[id]&(1<<i) != 0 {
				pats = append(pats, p)
				t.fieldIDs[i] = append(t.fieldIDs[i], int32(id))
			}
		}
		if len(pats) > 0 {
			ac, err := newAutomaton(pats)
			if err != nil {
				return nil, fmt.Errorf("field %s: %w", allFields[i], err)
			}
			t.fieldAC[i] = ac
			t.scanned |= 1 << i
		}
	}
	return t, nil
}

func (t *Tagger) compileGroup(g Group, addPhrase func(string) int) (*cgroup, error) {
	if len(g.Any) == 0 && len(g.All) == 0 {
		// A group of only "none" would match nearly every item.
		return nil, fmt.Errorf("group needs an any or all entry")
	}
	var cg cgroup
	for _, part := range []struct {
		name string
		in   []Entry
		out  *[]centry
	}{{"any", g.Any, &cg.any}, {"all", g.All, &cg.all}, {"none", g.None, &cg.none}} {
		for i, e := range part.in {
			ce, err := t.compileEntry(e, addPhrase)
			if err != nil {
				return nil, fmt.Errorf("%s[%d]: %w", part.name, i, err)
			}
			*part.out = append(*part.out, ce)
		}
	}
	for k, ce := range cg.any {
		if ce.kind != kindPhrase {
			cg.anyOthers = append(cg.anyOthers, k)
			continue
		}
		for len(cg.anyBits) <= ce.id/64 {
			cg.anyBits = append(cg.anyBits, 0)
		}
		cg.anyBits[ce.id/64] |= 1 << (ce.id % 64)
	}
	for cg.anyLo < len(cg.anyBits) && cg.anyBits[cg.anyLo] == 0 {
		cg.anyLo++
	}
	cg.anyBits = cg.anyBits[cg.anyLo:]
	return &cg, nil
}

func (t *Tagger) compileEntry(e Entry, addPhrase func(string) int) (centry, error) {
	if e.Group != nil {
		if e.Term != "" {
			return centry{}, fmt.Errorf("entry has both a term and a group")
		}
		sub, err := t.compileGroup(*e.Group, addPhrase)
		if err != nil {
			return centry{}, err
		}
		ce := centry{kind: kindGroup, sub: sub}
		for _, f := range e.Fields {
			bit := fieldBit(f)
			if bit == 0 {
				return centry{}, fmt.Errorf("unknown field %q", f)
			}
			ce.fields |= bit
		}
		t.used |= ce.fields
		return ce, nil
	}
	if len(e.Fields) > 0 {
		return centry{}, fmt.Errorf("fields may only be set on a group entry")
	}
	if err := CheckTerm(e.Term); err != nil {
		return centry{}, err
	}
	ce := centry{term: e.Term, words: []string{e.Term}}
	name, isExtractor := strings.CutPrefix(e.Term, ExtractPrefix)
	switch {
	case e.Term == TermPerson:
		ce.kind = kindPerson
	case e.Term == TermList:
		ce.kind = kindList
	case e.Term == TermKnownSubsystem:
		ce.kind = kindKnownSubsystem
	case isExtractor:
		ce.kind = kindExtractor
		ce.id, _ = extract.Lookup(name) // checked by CheckTerm
	default:
		if src, ok := strings.CutPrefix(e.Term, RegexpPrefix); ok {
			// The same regexp in several rules is compiled and run
			// once per item.
			expr := regexpSource(src)
			ce.kind, ce.id = kindRegexp, slices.IndexFunc(t.res, func(re *regexp.Regexp) bool {
				return re.String() == expr
			})
			if ce.id < 0 {
				ce.id = len(t.res)
				t.res = append(t.res, regexp.MustCompile(expr)) // checked by CheckTerm
				t.reLits = append(t.reLits, t.lits.mask(requiredLiterals(expr)))
			}
		} else {
			ce.kind, ce.id = kindPhrase, addPhrase(e.Term)
		}
	}
	return ce, nil
}

// markScanned adds to t.scanned the fields in which g looks for phrases,
// and records the fields it reads regexps and people in.
func (t *Tagger) markScanned(g *cgroup, fields fieldMask) {
	for _, list := range [][]centry{g.any, g.all, g.none} {
		for i := range list {
			switch e := &list[i]; e.kind {
			case kindPhrase:
				t.markPhrase(e.id, fields)
			case kindPerson:
				t.personFields |= fields
			case kindRegexp:
				for len(t.reFields) <= e.id {
					t.reFields = append(t.reFields, 0)
				}
				t.reFields[e.id] |= fields
			case kindGroup:
				f := fields
				if e.fields != 0 {
					f = e.fields
				}
				t.markScanned(e.sub, f)
			}
		}
	}
}

func (t *Tagger) markPhrase(id int, fields fieldMask) {
	for len(t.phraseFields) <= id {
		t.phraseFields = append(t.phraseFields, 0)
	}
	t.phraseFields[id] |= fields
}

// regexpSource returns the expression to compile for a "re:" term. Regexps
// run on the normalised, lower-cased field, so one without upper-case
// letters needs no (?i): that keeps Go's literal-prefix scan, several times
// faster than case folding. One with upper case (`\S`, "CVE") keeps (?i).
func regexpSource(src string) string {
	if strings.ToLower(src) == src {
		return src
	}
	return "(?i)" + src
}

// algorithm names the matching and extraction code: bump it when a change
// to this package would tag some item differently under the same rules, so
// that stored items are re-tagged (see Fingerprint).
const algorithm = "kernelwire-tag/6"

// Fingerprint identifies the rule set: the same topics, rules and people
// give the same value in every run and process, and any change to them
// (or to algorithm) gives another. poll.Retag compares it with the one
// stored items were tagged with.
func (t *Tagger) Fingerprint() string { return t.fingerprint }

func fingerprint(spec Spec) string {
	// JSON of the specs is canonical enough: structs marshal in field
	// order and nothing here is a map.
	data, err := json.Marshal(struct {
		Algorithm string
		Spec      Spec
	}{algorithm, spec})
	if err != nil {
		panic(fmt.Sprintf("tag: marshal rules: %v", err)) // plain data cannot fail
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:16])
}

// Topics returns the topics in rule order.
func (t *Tagger) Topics() []item.Topic { return slices.Clone(t.meta) }

// Tag files it under its topics: every topic with a matching rule, those
// the subsystem and list tables give a mail, plus the source's default
// topics. It sets it.Topics (sorted, deduplicated),
// it.Matched and it.Extracted. source names the source being polled (it
// may differ from it.Source when another source carried the item first).
func (t *Tagger) Tag(it *item.Item, source string, defaults []string) {
	m := t.match(it, source)
	defer t.release(m)
	it.Extracted = m.extracted()
	// Most items match no rule: the map is made for the first topic.
	it.Matched = nil
	it.Topics = it.Topics[:0:0]
	for _, tp := range t.topics {
		for i := range tp.rules {
			r := &tp.rules[i]
			ok, words := m.evalGroupInto(&r.g, r.fields, m.words[:0])
			m.words = words
			if ok {
				setMatch(it, tp.slug, item.Match{Rule: r.name, Words: dedup(words)})
				it.Topics = append(it.Topics, tp.slug)
				break
			}
		}
	}
	for _, slug := range t.cveTopics(it.Extracted.CVE) {
		if _, ok := it.Matched[slug]; !ok {
			setMatch(it, slug, item.Match{Rule: CVEFilesRule, Words: it.Extracted.CVE.Files})
			it.Topics = append(it.Topics, slug)
		}
	}
	for _, e := range m.fromTables() {
		slug := t.topics[e.topic].slug
		if _, ok := it.Matched[slug]; !ok {
			setMatch(it, slug, item.Match{Rule: e.rule, Words: e.words})
			it.Topics = append(it.Topics, slug)
		}
	}
	for _, slug := range defaults {
		if _, ok := it.Matched[slug]; !ok {
			setMatch(it, slug, item.Match{Rule: SourceDefaultRule})
			it.Topics = append(it.Topics, slug)
		}
	}
	slices.Sort(it.Topics)
	it.Topics = slices.Compact(it.Topics)
	if len(it.Matched) == 0 {
		it.Matched = nil
	}
}

// setMatch records mt as it's match for topic slug, making the map for the
// first.
func setMatch(it *item.Item, slug string, mt item.Match) {
	if it.Matched == nil {
		it.Matched = make(map[string]item.Match)
	}
	it.Matched[slug] = mt
}

// cveTopics are the configured topics of the subsystems a CVE record's
// files belong to: a CVE in net/netfilter is a networking item too, which
// its title ("CVE-2024-26581: netfilter: ...") does not say in words any
// rule reads.
func (t *Tagger) cveTopics(c *item.CVE) []string {
	if c == nil {
		return nil
	}
	var out []string
	for _, slug := range c.Subsystems {
		if slices.ContainsFunc(t.topics, func(tp ctopic) bool { return tp.slug == slug }) {
			out = append(out, slug)
		}
	}
	return out
}

func dedup(words []string) []string {
	if len(words) == 0 {
		return nil
	}
	out := make([]string, 0, len(words))
	for _, w := range words {
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}
