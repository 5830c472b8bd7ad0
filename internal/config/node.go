package config

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// parser collects problems while walking the yaml.Node tree; nothing stops
// at the first one.
type parser struct {
	file  string
	errs  []error
	warns []*Error
}

type keyValue struct {
	key, val *yaml.Node
}

// errorf records a problem at n's line. format may use %w.
func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	p.errs = append(p.errs, &Error{File: p.file, Line: n.Line, Err: fmt.Errorf(format, args...)})
}

// warnf records something that works but surprises, at n's line.
func (p *parser) warnf(n *yaml.Node, format string, args ...any) {
	p.warns = append(p.warns, &Error{File: p.file, Line: n.Line, Err: fmt.Errorf(format, args...)})
}

// boolean reads a YAML boolean (true/false), refusing strings and numbers.
func (p *parser) boolean(n *yaml.Node, what string) (bool, bool) {
	var v bool
	if err := n.Decode(&v); err != nil || n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		p.errorf(n, "%s must be true or false, got %q", what, n.Value)
		return false, false
	}
	return v, true
}

// resolve follows YAML aliases (*anchor) to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "empty"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

// mapping returns the entries of mapping n by key, reporting a non-mapping,
// duplicate keys and keys not in allowed (with a suggestion when one is
// close). An empty value ("defaults:") is an empty mapping.
func (p *parser) mapping(n *yaml.Node, what string, allowed ...string) map[string]*keyValue {
	out := map[string]*keyValue{}
	n = resolve(n)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return out
	}
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%s must be a mapping, got %s", what, kindName(n))
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if prev, dup := out[k.Value]; dup {
			p.errorf(k, "%s: duplicate key %q (first at line %d)", what, k.Value, prev.key.Line)
			continue
		}
		if allowed != nil && !slices.Contains(allowed, k.Value) {
			p.errorf(k, "%s: unknown key %q%s", what, k.Value, didYouMean(k.Value, allowed))
			continue
		}
		out[k.Value] = &keyValue{key: k, val: v}
	}
	return out
}

// scalar returns n's text, reporting lists and mappings.
func (p *parser) scalar(n *yaml.Node, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		p.errorf(n, "%s must be a single value, got %s", what, kindName(n))
		return "", false
	}
	return n.Value, true
}

// str is scalar for a required text value: empty is a problem too.
func (p *parser) str(n *yaml.Node, what string) (string, bool) {
	s, ok := p.scalar(n, what)
	if ok && strings.TrimSpace(s) == "" || ok && n.Tag == "!!null" {
		p.errorf(n, "%s must not be empty", what)
		return "", false
	}
	return s, ok
}

func (p *parser) integer(n *yaml.Node, what string) (int, bool) {
	var v int
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&v) != nil {
		p.errorf(n, "%s must be a whole number, got %s", what, kindName(n))
		return 0, false
	}
	return v, true
}

// list returns the items of sequence n ("key:" alone is an empty list).
func (p *parser) list(n *yaml.Node, what string) []*yaml.Node {
	n = resolve(n)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "%s must be a list, got %s", what, kindName(n))
		return nil
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		out[i] = resolve(c)
	}
	return out
}

// strings returns a list of non-empty text values.
func (p *parser) strings(n *yaml.Node, what string) []string {
	var out []string
	for _, c := range p.list(n, what) {
		if s, ok := p.str(c, what+" entry"); ok {
			out = append(out, s)
		}
	}
	return out
}

// didYouMean suggests the closest of candidates to got, if it is close
// enough to be a typo.
func didYouMean(got string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if d := editDistance(got, c); d < bestD && d < len(c) {
			best, bestD = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// editDistance is the Levenshtein distance, for short keys and slugs.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
