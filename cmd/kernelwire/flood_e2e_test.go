package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/fetch/fetchtest"
)

// floodFeed is an RSS feed of n items of source name, published one
// minute apart from newest, titled with the source's own words and the
// item's own number (distinct numbers keep them distinct stories).
func floodFeed(name, words string, n int, newest time.Time) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0"?><rss version="2.0"><channel><title>%s</title><link>https://%s.example/</link>`, name, name)
	for i := range n {
		fmt.Fprintf(&b, `<item><title>%s %d</title><link>https://%s.example/notes/%d</link><pubDate>%s</pubDate><description>Note %d.</description></item>`,
			words, i, name, i, newest.Add(-time.Duration(i)*time.Minute).Format(time.RFC1123Z), i)
	}
	b.WriteString(`</channel></rss>`)
	return []byte(b.String())
}

// TestFloodEndToEnd is retention as an operator relies on it: with
// max_items: 100, one source publishing 150 fresh items at once keeps its
// newest 100, and the other sources' items, and the topic feeds they are
// in, stay whole. It runs the binary (poll --once, then serve) on both
// backends; go test -v -run TestFloodEndToEnd prints the items kept per
// source.
func TestFloodEndToEnd(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		now := time.Now().UTC().Truncate(time.Minute)
		up := fetchtest.NewServer(t)
		sources := []struct {
			name, words, topic string
			n                  int
			newest             time.Time
		}{
			{"calm-a", "Alpaca grazing report", "security", 20, now.Add(-48 * time.Hour)},
			{"calm-b", "Meadow flower census", "networking", 30, now.Add(-72 * time.Hour)},
			{"flood", "Harbour crane schedule", "security", 150, now.Add(-time.Minute)},
		}
		var b strings.Builder
		b.WriteString(regexp.MustCompile(`(?m)^(\s*)max_items:.*$`).ReplaceAllString(shippedWithoutSources(t), "${1}max_items: 100"))
		b.WriteString("\nsources:\n")
		for _, s := range sources {
			up.Feed("/"+s.name, floodFeed(s.name, s.words, s.n, s.newest), "application/rss+xml")
			fmt.Fprintf(&b, "  - {name: %s, url: %q, topics: [%s]}\n", s.name, up.URL("/"+s.name), s.topic)
		}
		cfg := filepath.Join(t.TempDir(), "feeds.yaml")
		if err := os.WriteFile(cfg, []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		flags := append([]string{"--config", cfg, "--log-level", "error"}, storeFlags(t, backend)...)
		if code, out, errOut := runProcess(t, append([]string{"poll", "--once"}, flags...)...); code != 0 {
			t.Fatalf("poll exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		base, _ := serveBinary(t, append([]string{"--no-poll"}, flags...)...)
		count := func(query string) int {
			var feed struct {
				Items []struct {
					ID string `json:"id"`
				} `json:"items"`
			}
			if err := json.Unmarshal([]byte(get(t, base+"/feeds/"+query)), &feed); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
			return len(feed.Items)
		}
		kept := map[string]int{}
		for _, s := range sources {
			kept[s.name] = count("all.json?source=" + s.name + "&limit=1000")
		}
		t.Logf("%s: items kept per source after the flood (max_items 100): %v", backend, kept)
		for _, s := range sources {
			if want := min(s.n, 100); kept[s.name] != want {
				t.Errorf("source %s keeps %d items, want %d", s.name, kept[s.name], want)
			}
		}
		if got := count("networking.json?limit=1000"); got != 30 {
			t.Errorf("networking feed lists %d items, want calm-b's 30", got)
		}
		// The security feed lists the flood's newest 100 and all of
		// calm-a's: a topic keeps its newest 100, and calm-a's own index
		// keeps calm-a's.
		if got := count("security.json?limit=1000"); got != 120 {
			t.Errorf("security feed lists %d items, want 120 (the flood's newest 100 and calm-a's 20)", got)
		}
		if got := count("all.json?limit=1000"); got != 150 {
			t.Errorf("all feed lists %d items, want 150", got)
		}
	})
}
