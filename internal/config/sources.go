package config

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/tag"
)

func (p *parser) sources(n *yaml.Node, topics []tag.TopicSpec) []item.Source {
	var slugs []string
	for _, t := range topics {
		slugs = append(slugs, t.Slug)
	}
	nodes := p.list(n, "sources")
	if len(nodes) == 0 && resolve(n).Kind == yaml.SequenceNode {
		p.errorf(n, "sources is empty: define at least one source")
	}
	var out []item.Source
	names, urls := map[string]int{}, map[string]int{}
	for i, sn := range nodes {
		what := fmt.Sprintf("sources[%d]", i)
		m := p.mapping(sn, what, "name", "url", "title", "topics", "interval", "priority", "allow_private_networks", "on_topic", "max_items_per_poll")
		var src item.Source
		if kv := m["name"]; kv == nil {
			p.errorf(sn, "%s: missing name", what)
		} else if name, ok := p.str(kv.val, what+" name"); ok {
			src.Name = name
			what = fmt.Sprintf("source %q", name)
			if line, dup := names[name]; dup {
				p.errorf(kv.val, "duplicate source name %q (first at line %d)", name, line)
			} else if p.checkSlug(kv.val, "source name", name) {
				names[name] = kv.val.Line
			}
		}
		if kv := m["url"]; kv == nil {
			p.errorf(sn, "%s: missing url", what)
		} else if raw, ok := p.str(kv.val, what+" url"); ok {
			if key, err := checkURL(raw); err != nil {
				p.errorf(kv.val, "%s: %w", what, err)
			} else if line, dup := urls[key]; dup {
				p.errorf(kv.val, "%s: duplicate url %q (first at line %d)", what, raw, line)
			} else {
				urls[key] = kv.val.Line
				src.URL = raw
			}
		}
		if kv := m["title"]; kv != nil {
			if title, ok := p.str(kv.val, what+" title"); ok {
				src.Title = strings.TrimSpace(title)
			}
		}
		if kv := m["topics"]; kv != nil {
			for _, tn := range p.list(kv.val, what+" topics") {
				slug, ok := p.str(tn, what+" topic")
				if !ok {
					continue
				}
				if !slices.Contains(slugs, slug) {
					p.errorf(tn, "%s: unknown topic %q%s", what, slug, didYouMean(slug, slugs))
					continue
				}
				src.Topics = append(src.Topics, slug)
			}
		}
		if kv := m["interval"]; kv != nil {
			p.positiveDuration(kv, what+" interval", &src.Interval)
			p.intervalFloor(kv, what+" interval", src.Interval)
		}
		if kv := m["priority"]; kv != nil {
			src.Priority, _ = p.integer(kv.val, what+" priority")
		}
		p.positiveInt(m["max_items_per_poll"], what+" max_items_per_poll", &src.MaxItemsPerPoll)
		if kv := m["allow_private_networks"]; kv != nil {
			src.AllowPrivateNetworks, _ = p.boolean(kv.val, what+" allow_private_networks")
		}
		if kv := m["on_topic"]; kv != nil {
			src.OnTopic, _ = p.boolean(kv.val, what+" on_topic")
		}
		out = append(out, src)
	}
	return out
}

// checkURL accepts absolute http(s) URLs with a host and returns the key
// used to spot duplicates: scheme and host are case-insensitive.
func checkURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("bad url %q: %w", raw, err)
	}
	switch {
	case !u.IsAbs():
		return "", fmt.Errorf("url %q is relative: give the full https://... address", raw)
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("url %q: scheme %q is not http or https", raw, u.Scheme)
	case u.Host == "":
		return "", fmt.Errorf("url %q has no host", raw)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	u.Fragment = ""
	return u.String(), nil
}
