package config

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/tag"
)

// NamedFeed is a saved query of feeds.yaml's feeds: section, published at
// /feeds/<Name>.<ext>. An item is in it when it has any of Topics (if
// given), none of Not, comes from Source (if given) and contains Q in its
// title or summary (if given, case-insensitive).
type NamedFeed struct {
	Name        string
	Title       string
	Description string
	Topics      []string
	Not         []string
	Source      string
	Q           string
}

// WebSub is the publisher side of WebSub (https://www.w3.org/TR/websub/):
// every feed advertises Hub, and the server pings it when feeds gain items.
type WebSub struct {
	Hub string
}

// feedsAndWebSub parses the feeds: and websub: top-level keys. It runs
// after topics and sources, whose names the feeds refer to.
func (p *parser) feedsAndWebSub(top map[string]*keyValue, cfg *Config) {
	if kv := top["feeds"]; kv != nil {
		cfg.Feeds = p.namedFeeds(kv.val, cfg.Topics, cfg.Sources)
	}
	if kv := top["websub"]; kv != nil {
		m := p.mapping(kv.val, "websub", "hub")
		if hv := m["hub"]; hv != nil {
			if raw, ok := p.str(hv.val, "websub.hub"); ok {
				if _, err := checkURL(raw); err != nil {
					p.errorf(hv.val, "websub.hub: %w", err)
				} else {
					cfg.WebSub.Hub = raw
				}
			}
		} else {
			p.errorf(kv.key, "websub: missing hub (the URL of the WebSub hub to ping)")
		}
	}
}

func (p *parser) namedFeeds(n *yaml.Node, topics []tag.TopicSpec, sources []item.Source) []NamedFeed {
	m := resolve(n)
	if m.Kind == yaml.ScalarNode && m.Tag == "!!null" {
		return nil
	}
	if m.Kind != yaml.MappingNode {
		p.errorf(m, "feeds must be a mapping of feed name to query, got %s", kindName(m))
		return nil
	}
	slugs := make([]string, 0, len(topics))
	for _, t := range topics {
		slugs = append(slugs, t.Slug)
	}
	names := make([]string, 0, len(sources))
	for _, s := range sources {
		names = append(names, s.Name)
	}
	var out []NamedFeed
	seen := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], resolve(m.Content[i+1])
		if !p.checkSlug(k, "feed", k.Value) {
			continue
		}
		if line, dup := seen[k.Value]; dup {
			p.errorf(k, "feeds: duplicate feed %q (first at line %d)", k.Value, line)
			continue
		}
		seen[k.Value] = k.Line
		if slices.Contains(slugs, k.Value) {
			// Both would be /feeds/<name>.atom.
			p.errorf(k, "feed %q has the name of a topic: both would be /feeds/%s.atom; rename the feed", k.Value, k.Value)
			continue
		}
		if f, ok := p.namedFeed(k, v, slugs, names); ok {
			out = append(out, f)
		}
	}
	return out
}

func (p *parser) namedFeed(k, v *yaml.Node, slugs, sources []string) (NamedFeed, bool) {
	f := NamedFeed{Name: k.Value}
	what := fmt.Sprintf("feed %q", f.Name)
	before := len(p.errs)
	m := p.mapping(v, what, "title", "description", "topics", "not", "source", "q")
	if kv := m["title"]; kv != nil {
		f.Title, _ = p.str(kv.val, what+" title")
	}
	if kv := m["description"]; kv != nil {
		f.Description, _ = p.scalar(kv.val, what+" description")
	}
	topicList := func(key string) []string {
		kv := m[key]
		if kv == nil {
			return nil
		}
		var out []string
		for _, tn := range p.list(kv.val, what+" "+key) {
			slug, ok := p.str(tn, what+" "+key+" entry")
			if !ok {
				continue
			}
			if !slices.Contains(slugs, slug) {
				p.errorf(tn, "%s %s: unknown topic %q%s", what, key, slug, didYouMean(slug, slugs))
				continue
			}
			out = append(out, slug)
		}
		return out
	}
	f.Topics = topicList("topics")
	f.Not = topicList("not")
	if kv := m["source"]; kv != nil {
		if s, ok := p.str(kv.val, what+" source"); ok {
			if !slices.Contains(sources, s) {
				p.errorf(kv.val, "%s: unknown source %q%s", what, s, didYouMean(s, sources))
			} else {
				f.Source = s
			}
		}
	}
	if kv := m["q"]; kv != nil {
		if s, ok := p.str(kv.val, what+" q"); ok {
			f.Q = strings.TrimSpace(s)
		}
	}
	if len(p.errs) > before {
		return NamedFeed{}, false
	}
	if len(f.Topics) == 0 && len(f.Not) == 0 && f.Source == "" && f.Q == "" {
		p.errorf(k, "%s selects every item (set topics, not, source or q); /feeds/all.atom already does", what)
		return NamedFeed{}, false
	}
	if f.Title == "" {
		f.Title = f.Name
	}
	return f, true
}
