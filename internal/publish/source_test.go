package publish

import (
	"strings"
	"testing"

	"github.com/kernelwire/kernelwire/internal/item"
)

// TestSourceDisplayNames: wherever a person reads a source (Atom and RSS
// <source>, the author fallback, the coverage list) it is the source's
// display name, with its site; the JSON extension keeps the config name
// for machines.
func TestSourceDisplayNames(t *testing.T) {
	f := testFeed()
	f.Items = []item.Item{{
		Key: "https://example.org/a", Source: "hackernews-hn-frontpage-scraped-2025-12-01t0546-atom",
		Link: "https://example.org/a", Title: "A story", Published: t0,
		Related: []item.Related{{URL: "https://lwn.net/Articles/1/", Source: "lwn", Title: "LWN's take"}},
	}}
	f.SourceURLs = map[string]string{"hackernews-hn-frontpage-scraped-2025-12-01t0546-atom": "https://hn.example.org/feed.atom"}
	f.SourceTitles = map[string]string{"hackernews-hn-frontpage-scraped-2025-12-01t0546-atom": "Hacker News", "lwn": "LWN.net"}
	f.SourceSites = map[string]string{"hackernews-hn-frontpage-scraped-2025-12-01t0546-atom": "https://news.ycombinator.com/"}
	tests := []struct {
		format Format
		want   []string
	}{
		{Atom, []string{`<id>https://hn.example.org/feed.atom</id>`, `<title>Hacker News</title>`,
			`<link href="https://news.ycombinator.com/" rel="alternate" type="text/html">`,
			`<name>Hacker News</name>`, `title="LWN.net: LWN&#39;s take"`}},
		{RSS, []string{`<source url="https://hn.example.org/feed.atom">Hacker News</source>`, `LWN.net: LWN`}},
		{JSON, []string{`"source": "hackernews-hn-frontpage-scraped-2025-12-01t0546-atom"`, `"source": "lwn"`}},
	}
	for _, tc := range tests {
		doc, err := Render(f, tc.format)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tc.want {
			if !strings.Contains(string(doc), w) {
				t.Errorf("%s lacks %s:\n%s", tc.format, w, doc)
			}
		}
	}
}
