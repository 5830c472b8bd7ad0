// Package config owns feeds.yaml: it reads the file into a Config of named
// values (defaults, sources, topic rules, people) and reports every problem
// at once, each with its line ("feeds.yaml:12: ..."), so a user fixes the
// file in one pass. Parse is pure (bytes in, Config out); Load only adds
// the read.
//
// It validates and converts; it does not compile the rules (package tag
// does, from the specs here), fetch anything, or hold global state. Only
// cmd/kernelwire imports it.
package config

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/tag"
)

// Config is the parsed feeds.yaml.
type Config struct {
	Defaults Defaults
	Sources  []item.Source
	Topics   []tag.TopicSpec
	People   []tag.Person
	// Lists and Subsystems are the mailing-list and subject-prefix
	// tables (see tag.List and tag.Subsystem).
	Lists      []tag.List
	Subsystems []tag.Subsystem
	// Feeds are named query feeds (feeds.go); WebSub is the hub to ping.
	Feeds  []NamedFeed
	WebSub WebSub
	// Warnings are settings that work but not as written (an interval
	// below MinInterval, a retired key), each at its line. They do not
	// stop kernelwire: check prints them, the other commands log them.
	Warnings []*Error
}

// MinInterval is the shortest interval a source is polled at: feed hosts ask
// crawlers not to come back every minute, and a few minutes is as fresh as
// news feeds get. A shorter interval in feeds.yaml is raised to it, with a
// warning; cmd/kernelwire hands it to the poller as its floor.
const MinInterval = 5 * time.Minute

// Defaults are the settings shared by all sources.
type Defaults struct {
	// Interval is the poll interval of a source that sets none.
	Interval time.Duration
	// MaxAge: items older than this are not taken at ingest.
	MaxAge time.Duration
	// SeenTTL is how long a dedup mark lives; it must exceed MaxAge.
	SeenTTL time.Duration
	// MaxItems is the retention of each index (per topic, per source).
	MaxItems int
	// MaxItemsPerPoll caps the items one poll of a source takes, newest
	// first; the rest are counted and reported, not ingested. It bounds
	// the memory and time one huge feed (a mailing-list archive of 50,000
	// entries) costs, so it cannot hold the other sources back.
	MaxItemsPerPoll int
	Fetch           FetchDefaults
}

// FetchDefaults configure the HTTP client.
type FetchDefaults struct {
	Timeout      time.Duration
	MaxBodyBytes int64
	// UserAgent is sent on every request; empty means the fetcher's own.
	UserAgent string
	// AllowPrivateNetworks lets sources reach loopback, private and
	// link-local addresses, which are refused by default: a feeds.yaml
	// source (or an imported OPML file) must not make the service probe
	// 127.0.0.1, the LAN or a cloud metadata address for whoever wrote it.
	// Sources can opt in one by one (item.Source.AllowPrivateNetworks).
	AllowPrivateNetworks bool
	// MinHostGap is the least time between two requests to one host.
	MinHostGap time.Duration
}

// BuiltinDefaults are the values used for the keys of defaults that
// feeds.yaml leaves out.
func BuiltinDefaults() Defaults {
	return Defaults{
		Interval: 15 * time.Minute,
		MaxAge:   30 * 24 * time.Hour,
		SeenTTL:  90 * 24 * time.Hour,
		MaxItems: 5000,
		// A busy lore list carries a few hundred mails a day; polled
		// every 15 minutes, 300 is far above what one poll should see.
		MaxItemsPerPoll: 300,
		Fetch: FetchDefaults{
			Timeout:      30 * time.Second,
			MaxBodyBytes: 10 << 20,
			MinHostGap:   2 * time.Second,
		},
	}
}

// Error is one problem in the file, at a line.
type Error struct {
	File string
	Line int
	Err  error
}

func (e *Error) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }
func (e *Error) Unwrap() error { return e.Err }

// syntaxError keeps go-yaml's error for errors.Is/As while printing its
// message without the "yaml: line N:" that Error already says.
type syntaxError struct {
	msg string
	err error
}

func (e *syntaxError) Error() string { return e.msg }
func (e *syntaxError) Unwrap() error { return e.err }

// Load reads and parses the file at path; errors name the path as given.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	return Parse(data, path)
}

// yamlLineRe pulls the line out of go-yaml's syntax errors ("yaml: line 3:
// mapping values are not allowed in this context").
var yamlLineRe = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Parse parses feeds.yaml content. filename only labels errors. All
// problems are returned together (errors.Join of *Error), in file order of
// the sections.
func Parse(data []byte, filename string) (*Config, error) {
	p := &parser{file: filename}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line := 1
		msg := err.Error()
		if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
			if n, err := strconv.Atoi(m[1]); err == nil {
				line, msg = n, m[2]
			}
		}
		return nil, &Error{File: filename, Line: line, Err: &syntaxError{msg: "invalid YAML: " + msg, err: err}}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, &Error{File: filename, Line: 1, Err: errors.New("empty config: need at least topics and sources")}
	}
	root := resolve(doc.Content[0])
	top := p.mapping(root, "top level", "defaults", "people", "topics", "lists", "subsystems", "sources", "feeds", "websub")
	cfg := &Config{Defaults: BuiltinDefaults()}
	if n := top["defaults"]; n != nil {
		p.defaults(n.val, &cfg.Defaults)
	}
	if n := top["people"]; n != nil {
		cfg.People = p.people(n.val)
	}
	if n := top["topics"]; n != nil {
		cfg.Topics = p.topics(n.val)
	} else if root.Kind == yaml.MappingNode {
		p.errorf(root, "missing topics: define at least one topic")
	}
	if n := top["lists"]; n != nil {
		cfg.Lists = p.lists(n.val, cfg.Topics)
	}
	if n := top["subsystems"]; n != nil {
		cfg.Subsystems = p.subsystems(n.val, cfg.Topics)
	}
	if n := top["sources"]; n != nil {
		cfg.Sources = p.sources(n.val, cfg.Topics)
	} else if root.Kind == yaml.MappingNode {
		p.errorf(root, "missing sources: define at least one source")
	}
	p.feedsAndWebSub(top, cfg)
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	cfg.Warnings = p.warns
	return cfg, nil
}

func (p *parser) defaults(n *yaml.Node, d *Defaults) {
	m := p.mapping(n, "defaults", "interval", "max_age", "seen_ttl", "max_items", "max_items_per_poll", "fetch")
	p.positiveDuration(m["interval"], "defaults.interval", &d.Interval)
	p.intervalFloor(m["interval"], "defaults.interval", d.Interval)
	p.positiveDuration(m["max_age"], "defaults.max_age", &d.MaxAge)
	p.positiveDuration(m["seen_ttl"], "defaults.seen_ttl", &d.SeenTTL)
	p.positiveInt(m["max_items"], "defaults.max_items", &d.MaxItems)
	p.positiveInt(m["max_items_per_poll"], "defaults.max_items_per_poll", &d.MaxItemsPerPoll)
	if d.SeenTTL <= d.MaxAge {
		at := n
		if kv := m["seen_ttl"]; kv != nil {
			at = kv.val
		} else if kv := m["max_age"]; kv != nil {
			at = kv.val
		}
		p.errorf(at, "defaults.seen_ttl (%s) must be longer than defaults.max_age (%s): "+
			"once an item's seen mark expires while the item is still young enough to be taken, "+
			"the next poll takes it again as new and readers see it twice",
			formatDuration(d.SeenTTL), formatDuration(d.MaxAge))
	}
	if kv := m["fetch"]; kv != nil {
		p.fetch(kv.val, &d.Fetch)
	}
}

func (p *parser) fetch(n *yaml.Node, f *FetchDefaults) {
	m := p.mapping(n, "defaults.fetch", "timeout", "max_body", "user_agent", "allow_private_networks",
		"deny_private_networks", "min_host_gap")
	p.positiveDuration(m["timeout"], "defaults.fetch.timeout", &f.Timeout)
	if kv := m["max_body"]; kv != nil {
		if s, ok := p.scalar(kv.val, "defaults.fetch.max_body"); ok {
			if v, err := parseSize(s); err != nil {
				p.errorf(kv.val, "defaults.fetch.max_body: %w", err)
			} else {
				f.MaxBodyBytes = v
			}
		}
	}
	if kv := m["user_agent"]; kv != nil {
		f.UserAgent, _ = p.scalar(kv.val, "defaults.fetch.user_agent")
	}
	if kv := m["allow_private_networks"]; kv != nil {
		f.AllowPrivateNetworks, _ = p.boolean(kv.val, "defaults.fetch.allow_private_networks")
	}
	if kv := m["deny_private_networks"]; kv != nil {
		p.retiredDeny(kv, f.AllowPrivateNetworks)
	}
	if kv := m["min_host_gap"]; kv != nil {
		if s, ok := p.scalar(kv.val, "defaults.fetch.min_host_gap"); ok {
			if v, err := parseDuration(s); err != nil {
				p.errorf(kv.val, "defaults.fetch.min_host_gap: %w", err)
			} else if v < 0 {
				p.errorf(kv.val, "defaults.fetch.min_host_gap must not be negative, got %s", s)
			} else {
				f.MinHostGap = v
			}
		}
	}
}

// retiredDeny handles deny_private_networks, the key before private
// networks were refused by default. It is accepted with a warning, but its
// "false" no longer opens anything: that was the shipped value, so honouring
// it would leave every old config as exposed as before.
func (p *parser) retiredDeny(kv *keyValue, allow bool) {
	deny, ok := p.boolean(kv.val, "defaults.fetch.deny_private_networks")
	switch {
	case !ok:
	case deny && allow:
		p.errorf(kv.key, "defaults.fetch.deny_private_networks: true contradicts allow_private_networks: true; remove deny_private_networks")
	case deny:
		p.warnf(kv.key, "defaults.fetch.deny_private_networks is retired: private networks are refused by default now; remove the line")
	default:
		p.warnf(kv.key, "defaults.fetch.deny_private_networks: false no longer lets sources reach private networks "+
			"(they are refused by default now); if feeds.yaml is trusted and a source is on your own network, "+
			"set allow_private_networks: true on that source (or in defaults.fetch), and remove this line")
	}
}

// positiveInt sets *dst from a positive whole number at kv, if present.
func (p *parser) positiveInt(kv *keyValue, what string, dst *int) {
	if kv == nil {
		return
	}
	if v, ok := p.integer(kv.val, what); ok {
		if v <= 0 {
			p.errorf(kv.val, "%s must be positive, got %d", what, v)
		} else {
			*dst = v
		}
	}
}

// intervalFloor warns when an interval is below MinInterval: it is raised
// to it, and silently so would leave the operator wondering.
func (p *parser) intervalFloor(kv *keyValue, what string, d time.Duration) {
	if kv != nil && d > 0 && d < MinInterval {
		floor := strings.TrimSuffix(MinInterval.String(), "0s") // "5m"
		p.warnf(kv.val, "%s %s is below the %s minimum: it is polled every %s", what, kv.val.Value, floor, floor)
	}
}

func (p *parser) positiveDuration(kv *keyValue, what string, dst *time.Duration) {
	if kv == nil {
		return
	}
	s, ok := p.scalar(kv.val, what)
	if !ok {
		return
	}
	v, err := parseDuration(s)
	switch {
	case err != nil:
		p.errorf(kv.val, "%s: %w", what, err)
	case v <= 0:
		p.errorf(kv.val, "%s must be positive, got %s", what, s)
	default:
		*dst = v
	}
}
