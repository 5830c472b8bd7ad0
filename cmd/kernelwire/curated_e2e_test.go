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

// jsonFeedItems is what these tests read of a JSON Feed of ours.
type jsonFeedItems struct {
	Items []struct {
		Title     string    `json:"title"`
		URL       string    `json:"url"`
		Published time.Time `json:"date_published"`
		Ext       struct {
			Source string   `json:"source"`
			Topics []string `json:"topics"`
		} `json:"_kernelwire"`
	} `json:"items"`
}

func readJSONFeed(t *testing.T, url string) jsonFeedItems {
	t.Helper()
	var f jsonFeedItems
	if err := json.Unmarshal([]byte(get(t, url)), &f); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	return f
}

var (
	articleTitle = regexp.MustCompile(`<h3 id="item-\d+">(?:<a href="[^"]*">)?(.*?)(?:</a>)?(?: <span class="badge"[^>]*>subscribers only</span>)?</h3>`)
	articleTime  = regexp.MustCompile(`<time datetime="([^"]+)"`)
)

// onTopicLists are lore lists marked wholly on-topic (on_topic: true) in
// TestFrontPageCurated's instance, next to the ten fixtures.
var onTopicLists = []struct{ name, file string }{
	{"linux-btrfs", "lore-btrfs_series-v1-replies_2026-01-13.atom"},
	{"cve-announce", "lore-cve-announce_CVE-2024-26581.atom"},
}

const maintainerBlog = `<?xml version="1.0"?>
<rss version="2.0"><channel><title>A maintainer's notes</title><link>https://maintainer.example/</link><description>d</description>
<item><title>Notes from the road, week 27</title><link>https://maintainer.example/2026/07/01/road</link><pubDate>Wed, 01 Jul 2026 09:00:00 +0000</pubDate>
<description>Three airports, two conferences and a lot of coffee.</description></item>
<item><title>On saying no, politely</title><link>https://maintainer.example/2026/06/20/no</link><pubDate>Sat, 20 Jun 2026 09:00:00 +0000</pubDate>
<description>Some thoughts on turning down work.</description></item>
</channel></rss>`

// TestFrontPageCurated runs the binary, on both backends, over a mixed
// instance from real fixtures: kernel.org, LWN, Phoronix, the Rust blogs,
// two lore lists and a blog marked on_topic, and Hacker News, Slashdot and
// Reddit. The
// front page and all news list only curated stories (a topic, or an
// on-topic source), newest first, while everything also holds the
// aggregators' untagged items.
func TestFrontPageCurated(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		up := fetchtest.NewServer(t)
		var sources []string
		for _, f := range fixtures {
			body, err := os.ReadFile(filepath.Join("testdata", f.file))
			if err != nil {
				t.Fatal(err)
			}
			up.Feed("/"+f.name, body, f.contentType)
			sources = append(sources, f.name+" "+up.URL("/"+f.name))
		}
		onTopic := map[string]bool{}
		for _, l := range onTopicLists {
			body, err := os.ReadFile(filepath.Join("testdata", l.file))
			if err != nil {
				t.Fatal(err)
			}
			up.Feed("/"+l.name, body, "application/atom+xml")
			sources = append(sources, l.name+" "+up.URL("/"+l.name)+" on_topic: true")
			onTopic[l.name] = true
		}
		// A maintainer's blog, made up, marked on_topic: its posts name no
		// topic's words, and are curated all the same.
		up.Feed("/maintainer-blog", []byte(maintainerBlog), "application/rss+xml")
		sources = append(sources, "maintainer-blog "+up.URL("/maintainer-blog")+" on_topic: true")
		onTopic["maintainer-blog"] = true
		flags := append([]string{"--config", writeConfig(t, true, sources...), "--log-level", "error"}, storeFlags(t, backend)...)
		if code, out, errOut := runCmd(t, t.Context(), append([]string{"poll", "--once"}, flags...)...); code != 0 || !strings.Contains(out, "13 sources, 0 failed") {
			t.Fatalf("poll exit %d\n%s\n%s", code, out, errOut)
		}
		base, _ := serveBinary(t, append([]string{"--no-poll"}, flags...)...)

		everything := readJSONFeed(t, base+"/feeds/everything.json?limit=1000")
		untagged := map[string]int{}
		for _, it := range everything.Items {
			if len(it.Ext.Topics) == 0 {
				untagged[it.Ext.Source]++
			}
		}
		if untagged["hackernews"] == 0 || untagged["slashdot"] == 0 || untagged["maintainer-blog"] != 2 {
			t.Fatalf("the fixtures should hold untagged aggregator items; untagged per source: %v", untagged)
		}
		all := readJSONFeed(t, base+"/feeds/all.json?limit=1000")
		if len(all.Items) == 0 || len(all.Items) >= len(everything.Items) {
			t.Fatalf("all news has %d stories, everything %d: want fewer, but some", len(all.Items), len(everything.Items))
		}
		perSource := map[string]int{}
		for i, it := range all.Items {
			perSource[it.Ext.Source]++
			if len(it.Ext.Topics) == 0 && !onTopic[it.Ext.Source] {
				t.Errorf("all news lists %q (%s) without a topic", it.Title, it.Ext.Source)
			}
			if i > 0 && it.Published.After(all.Items[i-1].Published) {
				t.Errorf("all news not newest first at %d: %s after %s", i, it.Published, all.Items[i-1].Published)
			}
		}
		t.Logf("everything: %d stories (untagged per source %v); all news: %d (per source %v)", len(everything.Items), untagged, len(all.Items), perSource)
		for name := range onTopic {
			if n := len(readJSONFeed(t, base+"/feeds/everything.json?limit=1000&source="+name).Items); n == 0 || perSource[name] != n {
				t.Errorf("%s is on_topic: all news lists %d of its %d stories", name, perSource[name], n)
			}
		}
		if perSource["hackernews"] == 0 {
			t.Error("no Hacker News story on a topic reached all news (the Linux ones should)")
		}

		page := get(t, base+"/")
		titles := articleTitle.FindAllStringSubmatch(page, -1)
		times := articleTime.FindAllStringSubmatch(page, -1)
		want := min(30, len(all.Items))
		if len(titles) != want || len(times) != want {
			t.Fatalf("front page shows %d titles and %d times, want %d", len(titles), len(times), want)
		}
		var prev time.Time
		for i := range want {
			wantTitle := strings.TrimSpace(strings.TrimPrefix(all.Items[i].Title, "[$]"))
			if got := htmlUnescape(titles[i][1]); got != wantTitle {
				t.Errorf("front page story %d is %q, want all news' %q", i, got, wantTitle)
			}
			at, err := time.Parse(time.RFC3339, times[i][1])
			if err != nil {
				t.Fatal(err)
			}
			if i > 0 && at.After(prev) {
				t.Errorf("front page not newest first at %d", i)
			}
			prev = at
		}
		if !strings.Contains(page, "The river lists stories filed under at least one topic") {
			t.Error("the front page does not say what it lists")
		}
		// Slashdot states its comment counts (slash:comments): the page shows them.
		if sd := get(t, base+"/everything?source=slashdot"); !regexp.MustCompile(`class="source">[^<]*</a> \(\d+ comments\) · <time`).MatchString(sd) {
			t.Errorf("the Slashdot stories do not show their comment counts:\n%.2000s", sd)
		}
	})
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'", "&quot;", `"`).Replace(s)
}

const lwnPaid = `<?xml version="1.0"?>
<rss version="2.0"><channel><title>LWN.net</title><link>https://lwn.net</link><description>LWN</description>
<item><title>%s</title><link>https://lwn.net/Articles/935039/</link><guid>https://lwn.net/Articles/935039/</guid>
<description>The workqueue subsystem gains two improvements.</description><pubDate>%s</pubDate></item>
</channel></rss>`

// TestLWNRepublishedFree: an LWN subscriber-only article ("[$] ...") that
// is listed again a week later without the mark, by LWN itself or by a
// republisher of LWN's free articles (the same link), updates its story on
// either backend; it is not a second story, and the page drops the badge.
func TestLWNRepublishedFree(t *testing.T) {
	const title = "A pair of workqueue improvements"
	paid := []byte(fmt.Sprintf(lwnPaid, "[$] "+title, "Thu, 25 Jun 2026 14:52:01 +0000"))
	free := []byte(fmt.Sprintf(lwnPaid, title, "Thu, 02 Jul 2026 14:52:01 +0000"))
	eachBackend(t, func(t *testing.T, backend string) {
		for _, by := range []string{"lwn", "republisher"} {
			t.Run(by, func(t *testing.T) {
				up := fetchtest.NewServer(t)
				f := up.Feed("/lwn", paid, "application/rss+xml")
				sources := []string{"lwn " + up.URL("/lwn")}
				if by == "republisher" {
					// It lists nothing until LWN's article is free.
					other := strings.ReplaceAll(fmt.Sprintf(lwnPaid, "An older free article", "Wed, 17 Jun 2026 10:00:00 +0000"), "935039", "934000")
					up.Feed("/free", []byte(other), "application/rss+xml")
					sources = append(sources, "lwn-free "+up.URL("/free"))
				}
				flags := append([]string{"--config", writeConfig(t, true, sources...), "--log-level", "error"}, storeFlags(t, backend)...)
				if code, out, errOut := runCmd(t, t.Context(), append([]string{"poll", "--once"}, flags...)...); code != 0 || !strings.Contains(lineFor(t, out, "lwn"), "new 1") {
					t.Fatalf("first poll exit %d\n%s\n%s", code, out, errOut)
				}
				t.Run("marked", func(t *testing.T) { // the server stops when it ends: bbolt has one writer
					base, _ := serveBinary(t, append([]string{"--no-poll"}, flags...)...)
					if page := get(t, base+"/everything?source=lwn"); !strings.Contains(page, "subscribers only") {
						t.Error("the subscriber-only article is not marked on the page")
					}
				})
				changed := "lwn"
				if by == "lwn" {
					f.Update(free)
				} else {
					up.Feed("/free", free, "application/rss+xml")
					changed = "lwn-free"
				}
				code, out, errOut := runCmd(t, t.Context(), append([]string{"poll", "--once"}, flags...)...)
				if code != 0 || !strings.Contains(lineFor(t, out, changed), "new 0 updated 1") {
					t.Fatalf("second poll exit %d, want the story updated:\n%s\n%s", code, out, errOut)
				}
				base, _ := serveBinary(t, append([]string{"--no-poll"}, flags...)...)
				var titles []string
				for _, it := range readJSONFeed(t, base+"/feeds/everything.json?source=lwn").Items {
					titles = append(titles, it.Title)
				}
				if len(titles) != 1 || titles[0] != title {
					t.Fatalf("LWN's stories %q, want the one story under its free title", titles)
				}
				if page := get(t, base+"/everything?source=lwn"); strings.Contains(page, "subscribers only") || !strings.Contains(page, ">"+title+"</a></h3>") {
					t.Errorf("the free article is still marked subscribers only, or not shown:\n%.3000s", page)
				}
			})
		}
	})
}
