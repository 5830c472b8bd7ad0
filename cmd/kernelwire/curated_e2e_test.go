package main

import (
	"encoding/json"
	"fmt"
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

// TestFrontPageCurated runs the binary over the ten real fixtures, news
// sites and aggregators mixed: the front page and all news list only
// stories with a topic, newest first, while everything also holds the
// aggregators' untagged items.
func TestFrontPageCurated(t *testing.T) {
	up := fetchtest.NewServer(t)
	flags := []string{"--config", testConfig(t, up), "--log-level", "error", "--data", t.TempDir()}
	if code, out, errOut := runCmd(t, t.Context(), append([]string{"poll", "--once"}, flags...)...); code != 0 {
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
	if untagged["hackernews"] == 0 || untagged["slashdot"] == 0 {
		t.Fatalf("the fixtures should hold untagged aggregator items; untagged per source: %v", untagged)
	}
	all := readJSONFeed(t, base+"/feeds/all.json?limit=1000")
	if len(all.Items) == 0 || len(all.Items) >= len(everything.Items) {
		t.Fatalf("all news has %d stories, everything %d: want fewer, but some", len(all.Items), len(everything.Items))
	}
	t.Logf("everything: %d stories (untagged per source %v); all news: %d", len(everything.Items), untagged, len(all.Items))
	for i, it := range all.Items {
		if len(it.Ext.Topics) == 0 {
			t.Errorf("all news lists %q (%s) without a topic", it.Title, it.Ext.Source)
		}
		if i > 0 && it.Published.After(all.Items[i-1].Published) {
			t.Errorf("all news not newest first at %d: %s after %s", i, it.Published, all.Items[i-1].Published)
		}
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
// LWN lists again a week later without the mark updates its story; it is
// not a second story.
func TestLWNRepublishedFree(t *testing.T) {
	up := fetchtest.NewServer(t)
	f := up.Feed("/lwn", []byte(fmt.Sprintf(lwnPaid, "[$] A pair of workqueue improvements", "Thu, 25 Jun 2026 14:52:01 +0000")), "application/rss+xml")
	flags := []string{"--config", writeConfig(t, true, "lwn "+up.URL("/lwn")), "--log-level", "error", "--data", t.TempDir()}
	if code, out, errOut := runCmd(t, t.Context(), append([]string{"poll", "--once"}, flags...)...); code != 0 || !strings.Contains(lineFor(t, out, "lwn"), "new 1") {
		t.Fatalf("first poll exit %d\n%s\n%s", code, out, errOut)
	}
	f.Update([]byte(fmt.Sprintf(lwnPaid, "A pair of workqueue improvements", "Thu, 02 Jul 2026 14:52:01 +0000")))
	code, out, errOut := runCmd(t, t.Context(), append([]string{"poll", "--once"}, flags...)...)
	if code != 0 || !strings.Contains(lineFor(t, out, "lwn"), "new 0 updated 1") {
		t.Fatalf("second poll exit %d, want the story updated:\n%s\n%s", code, out, errOut)
	}
	base, _ := serveBinary(t, append([]string{"--no-poll"}, flags...)...)
	everything := readJSONFeed(t, base+"/feeds/everything.json")
	if len(everything.Items) != 1 || everything.Items[0].Title != "A pair of workqueue improvements" {
		t.Fatalf("stories %+v, want the one story under its free title", everything.Items)
	}
	if page := get(t, base+"/everything"); strings.Contains(page, "subscribers only") {
		t.Error("the free article is still marked subscribers only")
	}
}
