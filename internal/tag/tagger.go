package tag

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/kernelwire/kernelwire/internal/item"
)

// SourceDefaultRule is the Match.Rule of a topic an item got only from its
// source's defaults.
const SourceDefaultRule = "source default"

type termKind uint8

const (
	kindPhrase termKind = iota
	kindRegexp
	kindKernelVersion
	kindCVE
	kindPatch
	kindPerson
	kindGroup
)

type centry struct {
	kind   termKind
	fields fieldMask // non-zero overrides the enclosing fields
	id     int       // phrase or regexp index
	term   string
	sub    *cgroup
}

type cgroup struct{ any, all, none []centry }

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

// Tagger is the compiled rule set. It is immutable after Compile and safe
// for concurrent use.
type Tagger struct {
	topics  []ctopic
	meta    []item.Topic
	people  []Person
	ac      *automaton
	phrases []string // as written in the rules, for explanations
	res     []*regexp.Regexp
	persons []personPhrase
	used    fieldMask // fields any rule reads: the others are never prepared
}

// Compile checks and compiles the topic rules once. Errors name the topic,
// the rule and the entry.
func Compile(topics []TopicSpec, people []Person) (*Tagger, error) {
	t := &Tagger{people: people}
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
			ct.rules = append(ct.rules, r)
		}
		t.topics = append(t.topics, ct)
		t.meta = append(t.meta, item.Topic{Slug: ts.Slug, Title: ts.Title, Description: ts.Description})
	}
	t.ac = newAutomaton(patterns)
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
	ce := centry{term: e.Term}
	switch e.Term {
	case TermKernelVersion:
		ce.kind = kindKernelVersion
	case TermCVE:
		ce.kind = kindCVE
	case TermPatch:
		ce.kind = kindPatch
	case TermPerson:
		ce.kind = kindPerson
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
			}
		} else {
			ce.kind, ce.id = kindPhrase, addPhrase(e.Term)
		}
	}
	return ce, nil
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

// Topics returns the topics in rule order.
func (t *Tagger) Topics() []item.Topic { return slices.Clone(t.meta) }

// Tag files it under its topics: every topic with a matching rule, plus
// the source's default topics. It sets it.Topics (sorted, deduplicated),
// it.Matched and it.Extracted. source names the source being polled (it
// may differ from it.Source when another source carried the item first).
func (t *Tagger) Tag(it *item.Item, source string, defaults []string) {
	d := t.prepare(it, source)
	it.Extracted = d.extracted()
	it.Matched = make(map[string]item.Match)
	it.Topics = it.Topics[:0:0]
	for _, tp := range t.topics {
		for i := range tp.rules {
			r := &tp.rules[i]
			if ok, words := d.evalGroup(&r.g, r.fields); ok {
				it.Matched[tp.slug] = item.Match{Rule: r.name, Words: dedup(words)}
				it.Topics = append(it.Topics, tp.slug)
				break
			}
		}
	}
	for _, slug := range defaults {
		if _, ok := it.Matched[slug]; !ok {
			it.Matched[slug] = item.Match{Rule: SourceDefaultRule}
			it.Topics = append(it.Topics, slug)
		}
	}
	slices.Sort(it.Topics)
	it.Topics = slices.Compact(it.Topics)
	if len(it.Matched) == 0 {
		it.Matched = nil
	}
}

func dedup(words []string) []string {
	var out []string
	for _, w := range words {
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// doc is one item prepared for matching: its fields as plain text and
// normalised text, and which phrases occur in which fields. It lives for one
// Tag call.
type doc struct {
	t       *Tagger
	raw     [len(allFields)]string
	norm    [len(allFields)]string
	phrases []fieldMask // phrase id -> fields it occurs in
	// Lazily computed per-field results of regexps and extractors;
	// done marks which fields were evaluated.
	reDone, reHit []fieldMask
	exDone, exHit [3]fieldMask
	exVals        [3][len(allFields)][]string
}

func (t *Tagger) prepare(it *item.Item, source string) *doc {
	d := &doc{t: t, phrases: make([]fieldMask, len(t.phrases)),
		reDone: make([]fieldMask, len(t.res)), reHit: make([]fieldMask, len(t.res))}
	if source == "" {
		source = it.Source
	}
	var host, path string
	if u, err := url.Parse(it.Link); err == nil {
		host, path = u.Hostname(), u.EscapedPath()
	}
	d.raw = [...]string{it.Title, plainText(it.Summary), plainText(it.Content),
		strings.Join(it.Categories, "\n"), it.Author, source, host, path, it.Link}
	// Only fields some rule reads are normalised and scanned; the
	// extractors read d.raw, which is always filled.
	for i := range d.raw {
		if t.used&(1<<i) == 0 {
			continue
		}
		d.norm[i] = normalize(d.raw[i])
		bit := fieldMask(1) << i
		t.ac.scan(d.norm[i], func(id int32) { d.phrases[id] |= bit })
	}
	return d
}

// extracted is what the item stores: versions and CVEs from its text,
// the patch from its title (only a subject line is a patch subject).
func (d *doc) extracted() item.Extracted {
	text := fieldBit(FieldTitle) | fieldBit(FieldSummary)
	var e item.Extracted
	e.KernelVersions = d.extract(0, text)
	e.CVEs = d.extract(1, text|fieldBit(FieldContent))
	e.Patch = ParsePatch(d.raw[0])
	return e
}

// extract runs extractor x (0 versions, 1 CVEs, 2 patch) over the fields in
// mask, caching per field, and returns the values found.
func (d *doc) extract(x int, mask fieldMask) []string {
	var out []string
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
				vals = KernelVersions(d.raw[i])
			case 1:
				vals = CVEs(d.raw[i])
			case 2:
				if p := ParsePatch(d.raw[i]); p != nil {
					vals = []string{p.Kind}
				}
			}
			d.exVals[x][i] = vals
			if len(vals) > 0 {
				d.exHit[x] |= bit
			}
		}
		for _, v := range d.exVals[x][i] {
			if !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
}

// evalEntry reports whether e matches in fields and the words that made it.
func (d *doc) evalEntry(e *centry, fields fieldMask) (bool, []string) {
	switch e.kind {
	case kindPhrase:
		if d.phrases[e.id]&fields != 0 {
			return true, []string{e.term}
		}
	case kindRegexp:
		for i := range allFields {
			bit := fieldMask(1) << i
			if fields&bit == 0 || d.reDone[e.id]&bit != 0 {
				continue
			}
			d.reDone[e.id] |= bit
			if d.t.res[e.id].MatchString(d.norm[i]) {
				d.reHit[e.id] |= bit
			}
		}
		if d.reHit[e.id]&fields != 0 {
			return true, []string{e.term}
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
	var words []string
	for i := range g.none {
		if ok, _ := d.evalEntry(&g.none[i], fields); ok {
			return false, nil
		}
	}
	for i := range g.all {
		ok, w := d.evalEntry(&g.all[i], fields)
		if !ok {
			return false, nil
		}
		words = append(words, w...)
	}
	if len(g.any) == 0 {
		return true, words
	}
	matched := false
	for i := range g.any {
		if ok, w := d.evalEntry(&g.any[i], fields); ok {
			matched = true
			words = append(words, w...)
		}
	}
	return matched, words
}
