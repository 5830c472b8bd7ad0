package config

import (
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kernelwire/kernelwire/internal/tag"
)

// slugRe is the syntax of topic and source names: they appear in URLs
// (/feeds/<slug>.atom) and store keys, so lower-case letters, digits and
// inner hyphens only.
var slugRe = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// reservedSlugs name feeds kernelwire publishes itself.
var reservedSlugs = map[string]string{
	"all":        "the curated feed",
	"everything": "the feed of every item, curated or not",
}

func (p *parser) checkSlug(n *yaml.Node, what, slug string) bool {
	if !slugRe.MatchString(slug) {
		p.errorf(n, "%s %q: must be lower-case letters, digits and single inner hyphens (e.g. rust-for-linux)", what, slug)
		return false
	}
	if why, ok := reservedSlugs[slug]; ok {
		p.errorf(n, "%s %q is reserved: it names %s", what, slug, why)
		return false
	}
	return true
}

func (p *parser) people(n *yaml.Node) []tag.Person {
	var out []tag.Person
	seen := map[string]int{} // normalised name or alias -> line
	for i, pn := range p.list(n, "people") {
		what := fmt.Sprintf("people[%d]", i)
		m := p.mapping(pn, what, "name", "aliases", "roles")
		var person tag.Person
		kv := m["name"]
		if kv == nil {
			p.errorf(pn, "%s: missing name", what)
			continue
		}
		name, ok := p.str(kv.val, what+".name")
		if !ok {
			continue
		}
		person.Name = name
		what = fmt.Sprintf("person %q", name)
		names := []*yaml.Node{kv.val}
		if kv := m["aliases"]; kv != nil {
			person.Aliases = p.strings(kv.val, what+" aliases")
			names = append(names, kv.val.Content...)
		}
		if kv := m["roles"]; kv != nil {
			person.Roles = p.strings(kv.val, what+" roles")
		}
		for _, nn := range names {
			key := strings.ToLower(strings.TrimSpace(nn.Value))
			if key == "" {
				continue
			}
			if line, dup := seen[key]; dup {
				p.errorf(nn, "%s: name %q is already used at line %d", what, nn.Value, line)
			}
			seen[key] = nn.Line
		}
		out = append(out, person)
	}
	return out
}

func (p *parser) topics(n *yaml.Node) []tag.TopicSpec {
	m := resolve(n)
	if m.Kind != yaml.MappingNode {
		p.errorf(m, "topics must be a mapping of slug to topic, got %s", kindName(m))
		return nil
	}
	if len(m.Content) == 0 {
		p.errorf(m, "topics is empty: define at least one topic")
	}
	var out []tag.TopicSpec
	seen := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], resolve(m.Content[i+1])
		if line, dup := seen[k.Value]; dup {
			p.errorf(k, "duplicate topic %q (first at line %d)", k.Value, line)
			continue
		}
		seen[k.Value] = k.Line
		if !p.checkSlug(k, "topic", k.Value) {
			continue
		}
		out = append(out, p.topic(k, v))
	}
	return out
}

func (p *parser) topic(k, v *yaml.Node) tag.TopicSpec {
	ts := tag.TopicSpec{Slug: k.Value}
	what := fmt.Sprintf("topic %q", ts.Slug)
	m := p.mapping(v, what, "title", "description", "rules")
	if kv := m["title"]; kv != nil {
		ts.Title, _ = p.str(kv.val, what+" title")
	} else {
		p.errorf(k, "%s: missing title", what)
	}
	if kv := m["description"]; kv != nil {
		ts.Description, _ = p.scalar(kv.val, what+" description")
	}
	kv := m["rules"]
	if kv == nil {
		p.errorf(k, "%s: missing rules: a topic without rules only gets items from source defaults", what)
		return ts
	}
	rules := p.list(kv.val, what+" rules")
	if len(rules) == 0 && kv.val.Kind != yaml.MappingNode {
		p.errorf(kv.val, "%s: rules is empty: a topic without rules only gets items from source defaults", what)
	}
	names := map[string]int{}
	for i, rn := range rules {
		r, ok := p.rule(rn, fmt.Sprintf("%s rule %d", what, i+1))
		if !ok {
			continue
		}
		if line, dup := names[r.Name]; dup {
			p.errorf(rn, "%s: duplicate rule name %q (first at line %d)", what, r.Name, line)
		}
		names[r.Name] = rn.Line
		ts.Rules = append(ts.Rules, r)
	}
	return ts
}

func (p *parser) rule(n *yaml.Node, what string) (tag.RuleSpec, bool) {
	var r tag.RuleSpec
	m := p.mapping(n, what, "name", "fields", "any", "all", "none")
	kv := m["name"]
	if kv == nil {
		p.errorf(n, "%s: missing name (explanations name the rule that fired)", what)
		return r, false
	}
	name, ok := p.str(kv.val, what+" name")
	if !ok {
		return r, false
	}
	r.Name = name
	what = fmt.Sprintf("%s (%q)", what, name)
	if kv := m["fields"]; kv != nil {
		r.Fields = p.fieldList(kv.val, what)
	}
	r.Group = p.groupBody(n, m, what)
	return r, true
}

func (p *parser) fieldList(n *yaml.Node, what string) []tag.Field {
	var out []tag.Field
	for _, fn := range p.list(n, what+" fields") {
		f := tag.Field(fn.Value)
		if fn.Kind != yaml.ScalarNode || !tag.ValidField(f) {
			var names []string
			for _, f := range tag.Fields() {
				names = append(names, string(f))
			}
			p.errorf(fn, "%s: unknown field %q%s (fields: %s)", what, fn.Value,
				didYouMean(fn.Value, names), strings.Join(names, ", "))
			continue
		}
		out = append(out, f)
	}
	return out
}

// groupBody reads the any/all/none lists of a rule or a nested group.
func (p *parser) groupBody(n *yaml.Node, m map[string]*keyValue, what string) tag.Group {
	var g tag.Group
	for _, part := range []struct {
		key string
		dst *[]tag.Entry
	}{{"any", &g.Any}, {"all", &g.All}, {"none", &g.None}} {
		kv := m[part.key]
		if kv == nil {
			continue
		}
		for _, en := range p.list(kv.val, what+" "+part.key) {
			if e, ok := p.entry(en, what+" "+part.key); ok {
				*part.dst = append(*part.dst, e)
			}
		}
	}
	if len(g.Any) == 0 && len(g.All) == 0 && n.Kind == yaml.MappingNode {
		// Only reported when the lists are really empty, not when
		// their entries were already reported as bad.
		if !p.hasEntries(m["any"]) && !p.hasEntries(m["all"]) {
			p.errorf(n, "%s: needs a non-empty any or all list (none alone would match almost everything)", what)
		}
	}
	return g
}

func (p *parser) hasEntries(kv *keyValue) bool {
	return kv != nil && kv.val.Kind == yaml.SequenceNode && len(kv.val.Content) > 0
}

func (p *parser) entry(n *yaml.Node, what string) (tag.Entry, bool) {
	switch n.Kind {
	case yaml.ScalarNode:
		term := n.Value
		if n.Tag == "!!null" {
			term = ""
		}
		if err := tag.CheckTerm(term); err != nil {
			p.errorf(n, "%s: %w", what, err)
			return tag.Entry{}, false
		}
		return tag.Entry{Term: term}, true
	case yaml.MappingNode:
		m := p.mapping(n, what+" group", "fields", "any", "all", "none")
		e := tag.Entry{}
		if kv := m["fields"]; kv != nil {
			e.Fields = p.fieldList(kv.val, what+" group")
		}
		g := p.groupBody(n, m, what+" group")
		e.Group = &g
		return e, true
	}
	p.errorf(n, "%s: an entry is a phrase, \"re:<regexp>\", an extract: term or an {any, all, none} group, got %s", what, kindName(n))
	return tag.Entry{}, false
}
