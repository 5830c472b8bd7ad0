package config

import (
	"reflect"
	"strings"
	"testing"
)

// withFeeds is base with a second source, then extra: the cases' feeds:
// and websub: keys start at line 13.
func withFeeds(extra string) string {
	return base + "  - name: lwn\n    url: https://lwn.net/headlines/rss\n" + extra
}

func TestParseNamedFeeds(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []NamedFeed
		hub  string
	}{
		{"none", withFeeds(""), nil, ""},
		{"empty", withFeeds("feeds:\n"), nil, ""},
		{"full", withFeeds(`feeds:
  rust-people:
    title: Rust people
    description: Rust, without the blog
    topics: [rust]
    not: [rust]
    source: lwn
    q: " Ojeda "
  lwn-only: {source: lwn}
`), []NamedFeed{
			{Name: "rust-people", Title: "Rust people", Description: "Rust, without the blog", Topics: []string{"rust"},
				Not: []string{"rust"}, Source: "lwn", Q: "Ojeda"},
			{Name: "lwn-only", Title: "lwn-only", Source: "lwn"},
		}, ""},
		{"websub", withFeeds("websub: {hub: https://hub.example/}\n"), nil, "https://hub.example/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse([]byte(tc.yaml), "feeds.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(cfg.Feeds, tc.want) {
				t.Errorf("Feeds = %+v, want %+v", cfg.Feeds, tc.want)
			}
			if cfg.WebSub.Hub != tc.hub {
				t.Errorf("WebSub.Hub = %q, want %q", cfg.WebSub.Hub, tc.hub)
			}
		})
	}
}

func TestParseNamedFeedErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"clash with topic", withFeeds("feeds:\n  rust: {q: x}\n"),
			[]string{`feeds.yaml:14: feed "rust" has the name of a topic: both would be /feeds/rust.atom; rename the feed`}},
		{"reserved all", withFeeds("feeds:\n  all: {q: x}\n"),
			[]string{`feeds.yaml:14: feed "all" is reserved: it names the curated feed`}},
		{"bad slug", withFeeds("feeds:\n  Rust_People: {q: x}\n"),
			[]string{`feeds.yaml:14: feed "Rust_People": must be lower-case letters, digits and single inner hyphens (e.g. rust-for-linux)`}},
		{"duplicate", withFeeds("feeds:\n  a: {q: x}\n  a: {q: y}\n"),
			[]string{`feeds.yaml:15: feeds: duplicate feed "a" (first at line 14)`}},
		{"unknown topic, source and key", withFeeds("feeds:\n  a:\n    topics: [rsut]\n    not: [nope]\n    source: lwm\n    query: x\n"),
			[]string{`feeds.yaml:18: feed "a": unknown key "query"`,
				`feeds.yaml:15: feed "a" topics: unknown topic "rsut" (did you mean "rust"?)`,
				`feeds.yaml:16: feed "a" not: unknown topic "nope"`,
				`feeds.yaml:17: feed "a": unknown source "lwm" (did you mean "lwn"?)`}},
		{"selects everything", withFeeds("feeds:\n  a: {title: A}\n"),
			[]string{`feeds.yaml:14: feed "a" selects every item (set topics, not, source or q); /feeds/all.atom already does`}},
		{"not a mapping", withFeeds("feeds: [a]\n"),
			[]string{`feeds.yaml:13: feeds must be a mapping of feed name to query, got a list`}},
		{"bad hub", withFeeds("websub: {hub: ftp://hub.example/}\n"),
			[]string{`feeds.yaml:13: websub.hub: url "ftp://hub.example/": scheme "ftp" is not http or https`}},
		{"missing hub", withFeeds("websub: {}\n"),
			[]string{`feeds.yaml:13: websub: missing hub (the URL of the WebSub hub to ping)`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml), "feeds.yaml")
			if err == nil {
				t.Fatal("Parse() succeeded, want errors")
			}
			if got := err.Error(); got != strings.Join(tc.want, "\n") {
				t.Errorf("Parse() errors:\n%s\nwant:\n%s", got, strings.Join(tc.want, "\n"))
			}
		})
	}
}
