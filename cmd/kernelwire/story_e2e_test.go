package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed/atom"

	"github.com/kernelwire/kernelwire/internal/fetch/fetchtest"
)

// hnLinkingLWN is a Hacker News front page in the shape of the real scraped
// fixture (hn-frontpage-scraped_...): the first entry links straight to an
// article of the LWN fixture, as HN does, and the second is a real HN
// entry that no other source carries.
const hnLinkingLWN = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
    <id>https://news.ycombinator.com/</id>
    <title>Hacker News - Front Page</title>
    <updated>2023-07-07T12:00:00.000Z</updated>
    <entry>
        <title type="html"><![CDATA[Going Rogue (Digital Antiquarian)]]></title>
        <id>https://lwn.net/Articles/937631/</id>
        <link href="https://lwn.net/Articles/937631/"/>
        <updated>2023-07-07T11:46:29.023Z</updated>
        <content type="html"><![CDATA[Going Rogue (Digital Antiquarian)]]></content>
    </entry>
    <entry>
        <title type="html"><![CDATA[A Love Letter to FreeBSD]]></title>
        <id>https://www.tara.sh/posts/2025/2025-11-25_freebsd_letter/</id>
        <link href="https://www.tara.sh/posts/2025/2025-11-25_freebsd_letter/"/>
        <updated>2023-07-07T11:46:29.024Z</updated>
        <content type="html"><![CDATA[A Love Letter to FreeBSD]]></content>
    </entry>
</feed>
`

// storySources carry the same events: the Rust blog and the GitHub release
// of Rust 1.71.0 (real fixtures), LWN's headlines and the HN page above.
var storySources = []struct {
	name, file, contentType string
	priority                int
}{
	{"lwn", "lwn-headlines-rss_2023-07-07.rdf", "application/rdf+xml", 90},
	{"rust-blog", "rust-blog-feed_2023-07-18_atom.xml", "application/atom+xml", 80},
	{"rust-releases", "rust-lang-rust-github-releases_2024-03-28_rss2.xml", "application/rss+xml", 50},
	{"hackernews", "", "application/atom+xml", 10},
}

// storyConfig serves storySources on up and writes a config polling those
// named (all when none are).
func storyConfig(t *testing.T, up *fetchtest.Server, names ...string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(shippedWithoutSources(t))
	b.WriteString("\nsources:\n")
	for _, s := range storySources {
		body := []byte(hnLinkingLWN)
		if s.file != "" {
			var err error
			if body, err = os.ReadFile(filepath.Join("testdata", s.file)); err != nil {
				t.Fatal(err)
			}
		}
		up.Feed("/"+s.name, body, s.contentType)
		if len(names) > 0 && !slices.Contains(names, s.name) {
			continue
		}
		fmt.Fprintf(&b, "  - {name: %s, url: %q, priority: %d}\n", s.name, up.URL("/"+s.name), s.priority)
	}
	path := filepath.Join(t.TempDir(), "feeds.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestStoryEndToEnd polls sources that carry the same events and reads
// /feeds/everything back: each event is one entry, with the other sources'
// reports attached.
func TestStoryEndToEnd(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		up := fetchtest.NewServer(t)
		flags := append([]string{"--config", storyConfig(t, up), "--log-level", "error"}, storeFlags(t, backend)...)
		code, out, errOut := runCmd(t, t.Context(), append([]string{"poll", "--once"}, flags...)...)
		if code != 0 {
			t.Fatalf("poll exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		base := startServe(t, append([]string{"serve", "--no-poll"}, flags...))
		// Everything: the HN-and-LWN story has no topic, so the curated
		// river leaves it out.
		checkStoryAtom(t, get(t, base+"/feeds/everything.atom?limit=1000"))
		checkStoryJSON(t, get(t, base+"/feeds/everything.json?limit=1000"))
	})
}

// TestStoryAggregatorFirst polls Hacker News alone first, then every
// source: concurrent polls may finish in either order, and the result must
// not depend on it. LWN's own copy of the article HN linked takes the
// entry over (one id), with HN as its coverage.
func TestStoryAggregatorFirst(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		up := fetchtest.NewServer(t)
		store := storeFlags(t, backend)
		var flags []string
		for _, names := range [][]string{{"hackernews"}, nil} {
			flags = append([]string{"--config", storyConfig(t, up, names...), "--log-level", "error"}, store...)
			if code, out, errOut := runCmd(t, t.Context(), append([]string{"poll", "--once"}, flags...)...); code != 0 {
				t.Fatalf("poll exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
			}
		}
		base := startServe(t, append([]string{"serve", "--no-poll"}, flags...))
		checkStoryAtom(t, get(t, base+"/feeds/everything.atom?limit=1000"))
	})
}

// storyWant is what each event must look like in the feed: its one entry
// (the highest-priority source's) and the related links it carries.
var storyWant = []struct {
	link, absent string
	related      map[string]string // href -> title
}{
	{
		link:    "https://blog.rust-lang.org/2023/07/13/Rust-1.71.0.html",
		absent:  "https://github.com/rust-lang/rust/releases/tag/1.71.0",
		related: map[string]string{"https://github.com/rust-lang/rust/releases/tag/1.71.0": "Rust releases: 1.71.0"},
	},
	{
		link:    "https://lwn.net/Articles/937631/",
		related: map[string]string{"https://lwn.net/Articles/937631/": "Hacker News - Front Page: Going Rogue (Digital Antiquarian)"},
	},
}

func checkStoryAtom(t *testing.T, body string) {
	t.Helper()
	feed, err := (&atom.Parser{}).Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse all.atom: %v", err)
	}
	byLink := map[string]int{}
	related := map[string]map[string]string{}
	for _, e := range feed.Entries {
		var alt string
		rel := map[string]string{}
		for _, l := range e.Links {
			switch l.Rel {
			case "alternate", "":
				alt = l.Href
			case "related":
				rel[l.Href] = l.Title
			}
		}
		byLink[alt]++
		related[alt] = rel
	}
	for _, w := range storyWant {
		if n := byLink[w.link]; n != 1 {
			t.Errorf("all.atom lists %s %d times, want once", w.link, n)
		}
		if w.absent != "" && byLink[w.absent] != 0 {
			t.Errorf("all.atom lists %s as an entry of its own, want it as coverage", w.absent)
		}
		for href, title := range w.related {
			if got := related[w.link][href]; got != title {
				t.Errorf("entry %s: related %s has title %q, want %q (related: %v)", w.link, href, got, title, related[w.link])
			}
		}
	}
}

func checkStoryJSON(t *testing.T, body string) {
	t.Helper()
	var doc struct {
		Items []struct {
			URL        string `json:"url"`
			Kernelwire struct {
				Related []struct {
					URL           string `json:"url"`
					Source        string `json:"source"`
					Title         string `json:"title"`
					DatePublished string `json:"date_published"`
				} `json:"related"`
			} `json:"_kernelwire"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("decode all.json: %v", err)
	}
	for _, it := range doc.Items {
		if it.URL != storyWant[0].link {
			continue
		}
		for _, r := range it.Kernelwire.Related {
			if r.URL == storyWant[0].absent && r.Source == "rust-releases" && r.Title == "1.71.0" &&
				strings.HasPrefix(r.DatePublished, "2023-07-13T14:04:08") {
				return
			}
		}
		t.Fatalf("all.json: %s lacks the GitHub release in _kernelwire.related: %+v", it.URL, it.Kernelwire.Related)
	}
	t.Fatalf("all.json has no item %s", storyWant[0].link)
}
