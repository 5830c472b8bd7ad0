package web

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/dedup"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/store/boltstore"
)

// newMixedServer serves a news site's tagged item, an aggregator's
// untagged ones and a wholly on-topic source's untagged item.
func newMixedServer(t *testing.T) *Server {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "kw.db"), store.Options{SeenTTL: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	day := fixtureNow.Add(-24 * time.Hour)
	save := func(src string, items ...item.Item) {
		for i := range items {
			items[i].Source, items[i].FirstSeen = src, items[i].Published
		}
		dedup.Assign(items, src)
		if _, err := st.SaveItems(t.Context(), src, items); err != nil {
			t.Fatal(err)
		}
	}
	save("lwn", item.Item{Title: "Linux 6.17 released", Link: "https://lwn.net/Articles/1/", Topics: []string{"releases"}, Published: day.Add(3 * time.Hour)})
	save("hackernews",
		item.Item{Title: "A love letter to FreeBSD", Link: "https://example.org/freebsd", Published: day.Add(5 * time.Hour)},
		item.Item{Title: "Show HN: a to-do app", Link: "https://example.org/todo", Published: day.Add(time.Hour)})
	save("kroah", item.Item{Title: "Stable kernel maintenance notes", Link: "http://www.kroah.com/log/1", OnTopic: true, Published: day.Add(4 * time.Hour)})
	cfg := fixtureConfig()
	cfg.Store = st
	cfg.Sources = []item.Source{
		{Name: "lwn", URL: "https://lwn.net/headlines/rss"},
		{Name: "hackernews", URL: "https://news.ycombinator.com/rss"},
		{Name: "kroah", URL: "http://www.kroah.com/log/index.rss", OnTopic: true},
	}
	cfg.NamedFeeds = append(cfg.NamedFeeds, NamedFeed{Name: "kernel-words", Title: "Kernel words", Filter: Filter{Q: "kernel"}})
	return New(cfg)
}

// TestCuratedRiver: all news (feeds and page) lists stories with a topic
// or from an on-topic source, newest first; everything and ?source= list
// the rest too.
func TestCuratedRiver(t *testing.T) {
	s := newMixedServer(t)
	feeds := []struct {
		path string
		want []string
	}{
		{"/feeds/all.json", []string{"Stable kernel maintenance notes", "Linux 6.17 released"}},
		{"/feeds/all.json?q=freebsd", nil},
		{"/feeds/everything.json", []string{"A love letter to FreeBSD", "Stable kernel maintenance notes", "Linux 6.17 released", "Show HN: a to-do app"}},
		{"/feeds/all.json?source=hackernews", []string{"A love letter to FreeBSD", "Show HN: a to-do app"}},
		{"/feeds/everything.json?q=to-do", []string{"Show HN: a to-do app"}},
		{"/feeds/kernel-words.json", []string{"Stable kernel maintenance notes"}},
		{"/feeds/releases.json", []string{"Linux 6.17 released"}},
	}
	for _, tc := range feeds {
		t.Run(tc.path, func(t *testing.T) {
			rec := do(t, s, tc.path)
			var f struct {
				Items []struct {
					Title string `json:"title"`
				} `json:"items"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &f); err != nil {
				t.Fatalf("%d %s: %v", rec.Code, rec.Body, err)
			}
			var got []string
			for _, it := range f.Items {
				got = append(got, it.Title)
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("items %q, want %q", got, tc.want)
			}
		})
	}
	pages := []struct {
		path  string
		items int
		want  []string
	}{
		{"/", 2, []string{
			`<a href="http://kw.example/" aria-current="page">All news</a> <span class="count">(2)</span>`,
			`<a href="http://kw.example/everything">Everything</a> <span class="count">(4)</span>`,
			"The river lists stories filed under at least one topic, and every story from sources marked wholly on-topic, newest first.",
			`<a href="/feeds/everything.atom">everything</a>`,
		}},
		{"/everything", 4, []string{`<h2>Everything</h2>`, `aria-current="page">Everything</a>`, `href="http://kw.example/feeds/everything.atom"`}},
		{"/?source=hackernews", 2, []string{"Showing items: from hackernews."}},
	}
	for _, tc := range pages {
		t.Run(tc.path, func(t *testing.T) {
			body := do(t, s, tc.path).Body.String()
			if got := strings.Count(body, "<article "); got != tc.items {
				t.Errorf("%d stories, want %d", got, tc.items)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %s", w)
				}
			}
		})
	}
}
