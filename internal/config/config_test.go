package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/tag"
)

// base is a minimal valid config; bad cases are written out in full so the
// line numbers in wants can be read off the case.
const base = `topics:
  rust:
    title: Rust
    rules:
      - name: r
        any: [rust]
sources:
  - name: blog
    url: https://blog.rust-lang.org/feed.xml
    topics: [rust]
`

func TestParseValid(t *testing.T) {
	cfg, err := Parse([]byte(base), "feeds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Defaults != BuiltinDefaults() {
		t.Errorf("defaults = %+v, want %+v", cfg.Defaults, BuiltinDefaults())
	}
	if len(cfg.Sources) != 1 || cfg.Sources[0].Name != "blog" || cfg.Sources[0].Topics[0] != "rust" || cfg.Sources[0].OnTopic {
		t.Errorf("sources = %+v", cfg.Sources)
	}
	onTopic, err := Parse([]byte(strings.Replace(base, "topics: [rust]", "topics: [rust]\n    on_topic: true", 1)), "feeds.yaml")
	if err != nil || !onTopic.Sources[0].OnTopic {
		t.Errorf("on_topic: true: %v, %+v", err, onTopic)
	}
	if len(cfg.Topics) != 1 || cfg.Topics[0].Rules[0].Any[0].Term != "rust" {
		t.Errorf("topics = %+v", cfg.Topics)
	}
}

func TestSourceTitle(t *testing.T) {
	cfg, err := Parse([]byte(strings.Replace(base, "    topics: [rust]\n", "    topics: [rust]\n    title: \"  Rust Blog \"\n", 1)), "feeds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Sources[0].Title; got != "Rust Blog" {
		t.Errorf("title = %q, want %q", got, "Rust Blog")
	}
	_, err = Parse([]byte(strings.Replace(base, "    topics: [rust]\n", "    topics: [rust]\n    title: \"\"\n", 1)), "feeds.yaml")
	if err == nil || !strings.Contains(err.Error(), "feeds.yaml:11:") {
		t.Errorf("empty title: got %v, want an error at line 11", err)
	}
}

func TestParseDefaults(t *testing.T) {
	cfg, err := Parse([]byte(`defaults:
  interval: 1d12h
  max_age: 7d
  seen_ttl: 2160h
  max_items: 10
  max_items_per_poll: 20
  fetch: {timeout: 5s, max_body: 512KiB, user_agent: kw/1, allow_private_networks: true, min_host_gap: 0s}
`+base), "feeds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := Defaults{Interval: 36 * time.Hour, MaxAge: 7 * day, SeenTTL: 90 * day, MaxItems: 10, MaxItemsPerPoll: 20,
		Fetch: FetchDefaults{Timeout: 5 * time.Second, MaxBodyBytes: 512 << 10, UserAgent: "kw/1", AllowPrivateNetworks: true}}
	if cfg.Defaults != want {
		t.Errorf("defaults = %+v, want %+v", cfg.Defaults, want)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // every problem, in order, exactly
	}{
		{"unknown top-level key", "topic:\n  x: {}\n" + base,
			[]string{`feeds.yaml:1: top level: unknown key "topic" (did you mean "topics"?)`}},
		{"unknown key in defaults", "defaults:\n  intervall: 5m\n" + base,
			[]string{`feeds.yaml:2: defaults: unknown key "intervall" (did you mean "interval"?)`}},
		{"unknown key in fetch", "defaults:\n  fetch:\n    max_bdy: 1MiB\n" + base,
			[]string{`feeds.yaml:3: defaults.fetch: unknown key "max_bdy" (did you mean "max_body"?)`}},
		{"bad duration", "defaults:\n  interval: 15 minutes\n" + base,
			[]string{`feeds.yaml:2: defaults.interval: bad duration "15 minutes" (want e.g. 90s, 15m, 2h, 30d): time: unknown unit " minutes" in duration "15 minutes"`}},
		{"seen_ttl not above max_age", "defaults:\n  max_age: 30d\n  seen_ttl: 30d\n" + base,
			[]string{`feeds.yaml:3: defaults.seen_ttl (30d) must be longer than defaults.max_age (30d): once an item's seen mark expires while the item is still young enough to be taken, the next poll takes it again as new and readers see it twice`}},
		{"bad size", "defaults:\n  fetch: {max_body: 10MB}\n" + base,
			[]string{`feeds.yaml:2: defaults.fetch.max_body: bad size "10MB": unknown unit "MB" (want B, KiB, MiB or GiB)`}},
		{"max_items not a number", "defaults:\n  max_items: lots\n" + base,
			[]string{`feeds.yaml:2: defaults.max_items must be a whole number, got "lots"`}},
		{"relative url", strings.Replace(base, "https://blog.rust-lang.org/feed.xml", "/feed.xml", 1),
			[]string{`feeds.yaml:9: source "blog": url "/feed.xml" is relative: give the full https://... address`}},
		{"ftp url", strings.Replace(base, "https://blog", "ftp://blog", 1),
			[]string{`feeds.yaml:9: source "blog": url "ftp://blog.rust-lang.org/feed.xml": scheme "ftp" is not http or https`}},
		{"duplicate source name and url", base + "  - name: blog\n    url: HTTPS://Blog.rust-lang.org/feed.xml\n",
			[]string{`feeds.yaml:11: duplicate source name "blog" (first at line 8)`,
				`feeds.yaml:12: source "blog": duplicate url "HTTPS://Blog.rust-lang.org/feed.xml" (first at line 9)`}},
		{"unknown topic in source", strings.Replace(base, "topics: [rust]", "topics: [rsut, all]", 1),
			[]string{`feeds.yaml:10: source "blog": unknown topic "rsut" (did you mean "rust"?)`,
				`feeds.yaml:10: source "blog": unknown topic "all"`}},
		{"bad regexp", strings.Replace(base, "any: [rust]", `any: ["re:rust(", ok]`, 1),
			[]string{"feeds.yaml:6: topic \"rust\" rule 1 (\"r\") any: bad regexp \"rust(\": error parsing regexp: missing closing ): `rust(`"}},
		{"bad slug", strings.Replace(base, "  rust:\n", "  Rust_Lang:\n", 1),
			[]string{`feeds.yaml:2: topic "Rust_Lang": must be lower-case letters, digits and single inner hyphens (e.g. rust-for-linux)`,
				`feeds.yaml:10: source "blog": unknown topic "rust"`}},
		{"reserved slug", strings.Replace(base, "  rust:\n", "  all:\n", 1),
			[]string{`feeds.yaml:2: topic "all" is reserved: it names the curated feed`,
				`feeds.yaml:10: source "blog": unknown topic "rust"`}},
		{"empty rules", "topics:\n  rust:\n    title: Rust\n    rules: []\nsources:\n  - {name: a, url: https://a.example/}\n",
			[]string{`feeds.yaml:4: topic "rust": rules is empty: a topic without rules only gets items from source defaults`}},
		{"rule without any or all", strings.Replace(base, "any: [rust]", "none: [rust]", 1),
			[]string{`feeds.yaml:5: topic "rust" rule 1 ("r"): needs a non-empty any or all list (none alone would match almost everything)`}},
		{"missing required fields", "topics:\n  rust:\n    rules:\n      - any: [x]\nsources:\n  - url: https://a.example/\n  - name: b\n",
			[]string{`feeds.yaml:2: topic "rust": missing title`,
				`feeds.yaml:4: topic "rust" rule 1: missing name (explanations name the rule that fired)`,
				`feeds.yaml:6: sources[0]: missing name`,
				`feeds.yaml:7: source "b": missing url`}},
		{"unknown field and extractor", strings.Replace(base, "any: [rust]", "fields: [titel]\n        any: [extract:version]", 1),
			[]string{`feeds.yaml:6: topic "rust" rule 1 ("r"): unknown field "titel" (did you mean "title"?) (fields: title, summary, content, categories, author, source, host, path, link)`,
				`feeds.yaml:7: topic "rust" rule 1 ("r") any: unknown extractor "extract:version" (want extract:kernel_version, extract:cve, extract:patch, extract:subsystem, extract:trailer, extract:series, extract:review, extract:status, extract:cve_record, extract:release, extract:person, extract:list or extract:known_subsystem)`}},
		{"unknown key in nested group", strings.Replace(base, "any: [rust]", "any: [{anyy: [x]}]", 1),
			[]string{`feeds.yaml:6: topic "rust" rule 1 ("r") any group: unknown key "anyy" (did you mean "any"?)`,
				`feeds.yaml:6: topic "rust" rule 1 ("r") any group: needs a non-empty any or all list (none alone would match almost everything)`}},
		{"duplicate person alias", "people:\n  - {name: Linus Torvalds, aliases: [Torvalds]}\n  - {name: Torvalds}\n" + base,
			[]string{`feeds.yaml:3: person "Torvalds": name "Torvalds" is already used at line 2`}},
		{"invalid yaml", "topics: [\n", []string{`feeds.yaml:1: invalid YAML: did not find expected node content`}},
		{"invalid yaml on a later line", "defaults:\n  interval: 5m\n   max_age: 1d\n", []string{`feeds.yaml:3: invalid YAML: mapping values are not allowed in this context`}},
		{"bad source interval and priority", strings.Replace(base, "topics: [rust]", "topics: [rust]\n    interval: -5m\n    priority: high", 1),
			[]string{`feeds.yaml:11: source "blog" interval must be positive, got -5m`,
				`feeds.yaml:12: source "blog" priority must be a whole number, got "high"`}},
		{"bad on_topic", strings.Replace(base, "topics: [rust]", "topics: [rust]\n    on_topic: yes please", 1),
			[]string{`feeds.yaml:11: source "blog" on_topic must be true or false, got "yes please"`}},
		{"reserved everything", strings.Replace(base, "  rust:\n", "  everything:\n", 1),
			[]string{`feeds.yaml:2: topic "everything" is reserved: it names the feed of every item, curated or not`,
				`feeds.yaml:10: source "blog": unknown topic "rust"`}},
		{"bad list and subsystem tables", base + "lists:\n  netdev: [rsut]\n  Linux_MM: [rust]\n  netdev: []\n  rust-for-linux: rust\nsubsystems:\n  drm/: [rust]\n  mm: [{x: y}]\n",
			[]string{`feeds.yaml:12: lists "netdev": unknown topic "rsut" (did you mean "rust"?) (topics: rust)`,
				`feeds.yaml:13: lists: "Linux_MM": a name is lower-case letters, digits and . _ + -`,
				`feeds.yaml:14: lists: "netdev" is already listed at line 12`,
				`feeds.yaml:15: lists "rust-for-linux" must be a list, got "rust"`,
				`feeds.yaml:17: subsystems: "drm/": a name is lower-case words joined by /`,
				`feeds.yaml:18: subsystems "mm": a topic is a slug, got a mapping`}},
		{"tables not mappings", base + "lists: [netdev]\nsubsystems: mm\n",
			[]string{`feeds.yaml:11: lists must be a mapping of name to topics, got a list`,
				`feeds.yaml:12: subsystems must be a mapping of name to topics, got "mm"`}},
		{"missing sections", "defaults: {}\n",
			[]string{`feeds.yaml:1: missing topics: define at least one topic`, `feeds.yaml:1: missing sources: define at least one source`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml), "feeds.yaml")
			if err == nil {
				t.Fatal("Parse() succeeded, want errors")
			}
			got := strings.Split(err.Error(), "\n")
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("Parse() errors:\n%s\nwant:\n%s", err, strings.Join(tc.want, "\n"))
			}
			var ce *Error
			if !errors.As(err, &ce) || ce.File != "feeds.yaml" {
				t.Errorf("errors.As(*Error) failed on %v", err)
			}
		})
	}
}

func TestParseTables(t *testing.T) {
	cfg, err := Parse([]byte(base+"lists:\n  rust-for-linux: [rust]\n  linux-kernel: []\nsubsystems:\n  rust: [rust]\n"), "feeds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	wantLists := []tag.List{{Name: "rust-for-linux", Topics: []string{"rust"}}, {Name: "linux-kernel"}}
	wantSubs := []tag.Subsystem{{Prefix: "rust", Topics: []string{"rust"}}}
	if !reflect.DeepEqual(cfg.Lists, wantLists) || !reflect.DeepEqual(cfg.Subsystems, wantSubs) {
		t.Errorf("lists %+v, subsystems %+v; want %+v, %+v", cfg.Lists, cfg.Subsystems, wantLists, wantSubs)
	}
	if spec := cfg.TagSpec(); len(spec.Lists) != 2 || len(spec.Subsystems) != 1 || len(spec.Topics) != 1 {
		t.Errorf("TagSpec() = %+v", spec)
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{"15m", 15 * time.Minute, false},
		{"30d", 30 * day, false},
		{"1d12h", 36 * time.Hour, false},
		{"0.5d", 12 * time.Hour, false},
		{"d", 0, true},
		{"1dd", 0, true},
		{"5 days", 0, true},
		{"", 0, true},
	}
	for _, tc := range tests {
		got, err := parseDuration(tc.in)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v, bad=%v", tc.in, got, err, tc.want, tc.bad)
		}
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		bad  bool
	}{
		{"10MiB", 10 << 20, false},
		{"512KiB", 512 << 10, false},
		{"1GiB", 1 << 30, false},
		{"4096", 4096, false},
		{"100 B", 100, false},
		{"10MB", 0, true},
		{"-1", 0, true},
		{"0", 0, true},
		{"99999999999999999999", 0, true},
	}
	for _, tc := range tests {
		got, err := parseSize(tc.in)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("parseSize(%q) = %v, %v; want %v, bad=%v", tc.in, got, err, tc.want, tc.bad)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	if _, err := Load("testdata/does-not-exist.yaml"); err == nil || !strings.Contains(err.Error(), "load config") {
		t.Errorf("Load() error = %v", err)
	}
}
