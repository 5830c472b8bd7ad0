package config

import (
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kernelwire/kernelwire/internal/tag"
)

// listNameRe is the syntax of a mailing-list name as archives spell it
// (netdev, linux-arm-kernel, kvm-riscv, bpf, linux-f2fs-devel).
var listNameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._+-]*$`)

// subsystemRe is the syntax of a subject prefix (mm, drm/amdgpu, net/mlx5,
// dt-bindings, MAINTAINERS), written in lower case in the table.
var subsystemRe = regexp.MustCompile(`^[a-z0-9_][a-z0-9_.+-]*(/[a-z0-9_][a-z0-9_.+-]*)*$`)

// TagSpec is what tag.Compile needs from the file.
func (c *Config) TagSpec() tag.Spec {
	return tag.Spec{Topics: c.Topics, People: c.People, Lists: c.Lists, Subsystems: c.Subsystems}
}

// lists reads the list table: a mapping of list name to a list of topic
// slugs (possibly empty: a kernel list with no subject of its own).
func (p *parser) lists(n *yaml.Node, topics []tag.TopicSpec) []tag.List {
	var out []tag.List
	p.table(n, "lists", listNameRe, "lower-case letters, digits and . _ + -", topics, func(name string, slugs []string) {
		out = append(out, tag.List{Name: name, Topics: slugs})
	})
	return out
}

// subsystems reads the subsystem table: a mapping of subject prefix to a
// list of topic slugs.
func (p *parser) subsystems(n *yaml.Node, topics []tag.TopicSpec) []tag.Subsystem {
	var out []tag.Subsystem
	p.table(n, "subsystems", subsystemRe, "lower-case words joined by /", topics, func(name string, slugs []string) {
		out = append(out, tag.Subsystem{Prefix: name, Topics: slugs})
	})
	return out
}

// table walks a mapping of name to topic slugs, reporting names of the
// wrong syntax, duplicates (also among several names on one line), and
// slugs that name no topic, each at its line.
func (p *parser) table(n *yaml.Node, what string, nameRe *regexp.Regexp, syntax string, topics []tag.TopicSpec, add func(string, []string)) {
	m := resolve(n)
	if m.Kind == yaml.ScalarNode && m.Tag == "!!null" {
		return
	}
	if m.Kind != yaml.MappingNode {
		p.errorf(m, "%s must be a mapping of name to topics, got %s", what, kindName(m))
		return
	}
	known := map[string]bool{}
	var slugs []string
	for _, t := range topics {
		known[t.Slug] = true
		slugs = append(slugs, t.Slug)
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], resolve(m.Content[i+1])
		name := k.Value
		if line, dup := seen[name]; dup {
			p.errorf(k, "%s: %q is already listed at line %d", what, name, line)
			continue
		}
		seen[name] = k.Line
		if !nameRe.MatchString(name) {
			p.errorf(k, "%s: %q: a name is %s", what, name, syntax)
			continue
		}
		entry := fmt.Sprintf("%s %q", what, name)
		var ts []string
		for _, tn := range p.list(v, entry) {
			slug := tn.Value
			switch {
			case tn.Kind != yaml.ScalarNode:
				p.errorf(tn, "%s: a topic is a slug, got %s", entry, kindName(tn))
			case !known[slug]:
				p.errorf(tn, "%s: unknown topic %q%s (topics: %s)", entry, slug, didYouMean(slug, slugs), strings.Join(slugs, ", "))
			default:
				ts = append(ts, slug)
			}
		}
		add(name, ts)
	}
}
