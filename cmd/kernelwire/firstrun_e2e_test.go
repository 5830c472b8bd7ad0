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

// writeConfig writes the shipped topics, people and defaults (max_age
// unchanged unless widen) with sources, one "name url" per line, optionally
// followed by more of the source's keys ("name url on_topic: true").
func writeConfig(t *testing.T, widen bool, sources ...string) string {
	t.Helper()
	var b strings.Builder
	if widen {
		b.WriteString(shippedWithoutSources(t))
	} else {
		shipped, err := os.ReadFile("../../feeds.yaml")
		if err != nil {
			t.Fatal(err)
		}
		text := string(shipped)
		text = text[:strings.Index(text, "\nsources:")]
		// The upstream is on loopback, which the shipped defaults refuse.
		text = regexp.MustCompile(`(?m)^(\s*)allow_private_networks:.*$`).ReplaceAllString(text, "${1}allow_private_networks: true")
		b.WriteString(regexp.MustCompile(`(?m)^(\s*)min_host_gap:.*$`).ReplaceAllString(text, "${1}min_host_gap: 0s"))
	}
	b.WriteString("\nsources:\n")
	for _, s := range sources {
		name, rest, _ := strings.Cut(s, " ")
		url, extra, _ := strings.Cut(rest, " ")
		if extra != "" {
			extra = ", " + extra
		}
		fmt.Fprintf(&b, "  - {name: %s, url: %q%s}\n", name, url, extra)
	}
	path := filepath.Join(t.TempDir(), "feeds.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestFirstPollSaysWhyNothingIsNew polls years-old captures with the
// shipped 30-day max_age: every line says how many items were too old, and
// the summary says which setting to change.
func TestFirstPollSaysWhyNothingIsNew(t *testing.T) {
	up := fetchtest.NewServer(t)
	var sources []string
	for _, f := range fixtures[:3] {
		body, err := os.ReadFile(filepath.Join("testdata", f.file))
		if err != nil {
			t.Fatal(err)
		}
		up.Feed("/"+f.name, body, f.contentType)
		sources = append(sources, f.name+" "+up.URL("/"+f.name))
	}
	cfg := writeConfig(t, false, sources...)
	code, out, errOut := runCmd(t, t.Context(), "poll", "--once", "--config", cfg, "--data", t.TempDir(), "--log-level", "error")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, f := range fixtures[:3] {
		if line := lineFor(t, out, f.name); !regexp.MustCompile(`new 0 .*\(\d+ too old \(max_age\)\)`).MatchString(line) {
			t.Errorf("%s: %q does not say how many items were too old", f.name, line)
		}
	}
	if !strings.Contains(out, "No item was new: ") || !strings.Contains(out, "older than max_age (30d), which "+cfg+" sets") {
		t.Errorf("the summary does not explain the empty poll:\n%s", out)
	}
}

// TestPollSaysWhatWasNotTaken: on the shipped defaults, poll --once's line
// and the log's line for each source say how many items were too old for
// max_age, over the per-poll cap, undated or refused.
func TestPollSaysWhatWasNotTaken(t *testing.T) {
	up := fetchtest.NewServer(t)
	old, err := os.ReadFile(filepath.Join("testdata", "lwn-headlines-rss_2023-07-07.rdf"))
	if err != nil {
		t.Fatal(err)
	}
	up.Feed("/old", old, "application/rdf+xml")
	now := time.Now().UTC()
	rss := func(head string, items ...string) []byte {
		return []byte(`<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>` + head +
			`<link>https://x.example/</link><description>d</description>` + strings.Join(items, "") + `</channel></rss>`)
	}
	entry := func(n int, ago time.Duration) string {
		date := ""
		if ago > 0 {
			date = "<pubDate>" + now.Add(-ago).Format(time.RFC1123Z) + "</pubDate>"
		}
		return fmt.Sprintf("<item><title>Linux 6.%d released</title><link>https://x.example/%d</link>%s</item>", n, n, date)
	}
	up.Feed("/capped", rss("<title>Capped</title>", entry(1, time.Hour), entry(2, 2*time.Hour), entry(3, 3*time.Hour), entry(4, 4*time.Hour), entry(5, 5*time.Hour)), "application/rss+xml")
	up.Feed("/undated", rss("<title>Undated</title>", entry(11, time.Hour), entry(12, 0), entry(13, 0)), "application/rss+xml")
	up.Feed("/refused", rss(`<title>kernelwire: all news</title><generator>kernelwire v1.0</generator><atom:link rel="self" href="https://news.example.org/feeds/all.rss"/>`,
		entry(21, time.Hour), entry(22, 2*time.Hour)), "application/rss+xml")
	cfg := writeConfig(t, false, "old "+up.URL("/old"), "capped "+up.URL("/capped")+" max_items_per_poll: 2",
		"undated "+up.URL("/undated"), "refused "+up.URL("/refused"))
	code, out, errOut := runCmd(t, t.Context(), "poll", "--once", "--config", cfg, "--data", t.TempDir(), "--log-level", "info")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	tests := []struct {
		source string
		line   string // in poll --once's line
		log    string // in the log's line
	}{
		{"old", `new 0 .*\((\d+) too old \(max_age\)\)`, `too_old=(\d+) `},
		{"capped", `new 2 .*\((3) over-cap \(max_items_per_poll\)\)`, `over_cap=(3)`},
		{"undated", `new 3 .*\((2) undated \(placed behind the dated\)\)`, `undated=(2) `},
		{"refused", `error .*\((2) refused\).*refused: a kernelwire feed`, `refused=(2) `},
	}
	for _, tc := range tests {
		line := lineFor(t, out, tc.source)
		m := regexp.MustCompile(tc.line).FindStringSubmatch(line)
		if m == nil || m[1] == "0" {
			t.Errorf("%s: poll --once says %q, want %s", tc.source, line, tc.line)
			continue
		}
		var logLine string
		for l := range strings.SplitSeq(errOut, "\n") {
			if strings.Contains(l, " source="+tc.source+" ") {
				logLine = l
			}
		}
		if lm := regexp.MustCompile(tc.log).FindStringSubmatch(logLine); lm == nil || lm[1] != m[1] {
			t.Errorf("%s: the log says %q, want %s with poll --once's %s", tc.source, logLine, tc.log, m[1])
		}
	}
}

// TestOwnFeedsRefused serves an instance, then points another's sources at
// its feeds in every format: each poll is refused, saying why, and nothing
// is stored.
func TestOwnFeedsRefused(t *testing.T) {
	up := fetchtest.NewServer(t)
	flags := []string{"--config", testConfig(t, up), "--log-level", "error", "--data", t.TempDir()}
	if code, out, errOut := runCmd(t, t.Context(), append([]string{"poll", "--once"}, flags...)...); code != 0 {
		t.Fatalf("poll exit %d\n%s\n%s", code, out, errOut)
	}
	base := startServe(t, append([]string{"serve", "--no-poll"}, flags...))
	var sources []string
	for _, ext := range []string{"atom", "rss", "json"} {
		sources = append(sources, "loop-"+ext+" "+base+"/feeds/all."+ext)
	}
	data := t.TempDir()
	code, out, errOut := runCmd(t, t.Context(), "poll", "--once", "--config", writeConfig(t, true, sources...), "--data", data, "--log-level", "error")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, ext := range []string{"atom", "rss", "json"} {
		line := lineFor(t, out, "loop-"+ext)
		if !strings.Contains(line, " error ") || !strings.Contains(line, "refused: a kernelwire feed") || !regexp.MustCompile(`\(\d+ refused\)`).MatchString(line) {
			t.Errorf("loop-%s: %q, want a refusal", ext, line)
		}
	}
	if !strings.Contains(out, "3 sources, 3 failed: 0 new") {
		t.Errorf("summary:\n%s", out)
	}
}

// undatedFeed has two dated items and, between them, two without a date.
const undatedFeed = `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Undated news</title><link>https://undated.example/</link><description>d</description>
<item><title>Dated newest: Linux 6.17 released</title><link>https://undated.example/1</link><pubDate>Mon, 29 Jun 2026 10:00:00 +0000</pubDate></item>
<item><title>Undated first: kernel backlog item</title><link>https://undated.example/2</link></item>
<item><title>Dated older: Linux 6.16 released</title><link>https://undated.example/3</link><pubDate>Fri, 26 Jun 2026 10:00:00 +0000</pubDate></item>
<item><title>Undated second: another kernel backlog item</title><link>https://undated.example/4</link><pubDate>sometime last week</pubDate></item>
</channel></rss>`

// backlogFeed has no item dates, only the feed's own (lastBuildDate).
const backlogFeed = `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Backlog</title><link>https://backlog.example/</link><description>d</description>
<lastBuildDate>Sat, 27 Jun 2026 10:00:00 +0000</lastBuildDate>
<item><title>Backlog one: Linux 6.15 retrospective</title><link>https://backlog.example/1</link></item>
<item><title>Backlog two: Linux 6.14 retrospective</title><link>https://backlog.example/2</link></item>
</channel></rss>`

// TestUndatedBehindDated: a first poll's undated items (no date, or one
// that cannot be read) are listed after the source's dated ones, in feed
// order, or behind the feed's own date when it dates no item; never on
// top as "now". The feeds and the page mark them undated.
func TestUndatedBehindDated(t *testing.T) {
	up := fetchtest.NewServer(t)
	up.Feed("/undated", []byte(undatedFeed), "application/rss+xml")
	up.Feed("/backlog", []byte(backlogFeed), "application/rss+xml")
	flags := []string{"--config", writeConfig(t, true, "undated "+up.URL("/undated"), "backlog "+up.URL("/backlog")), "--log-level", "error", "--data", t.TempDir()}
	code, out, errOut := runCmd(t, t.Context(), append([]string{"poll", "--once"}, flags...)...)
	if code != 0 {
		t.Fatalf("poll exit %d\n%s\n%s", code, out, errOut)
	}
	if line := lineFor(t, out, "undated"); !strings.Contains(line, "new 4") || !strings.Contains(line, "2 undated (placed behind the dated)") {
		t.Errorf("poll line %q, want 4 new of which 2 undated", line)
	}
	if line := lineFor(t, out, "backlog"); !strings.Contains(line, "new 2") || !strings.Contains(line, "2 undated (placed behind the dated)") {
		t.Errorf("poll line %q, want 2 new, both undated", line)
	}
	base := startServe(t, append([]string{"serve", "--no-poll"}, flags...))
	var feed struct {
		Items []struct {
			Title string `json:"title"`
			Ext   struct {
				Undated bool `json:"undated"`
			} `json:"_kernelwire"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(get(t, base+"/feeds/everything.json")), &feed); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range feed.Items {
		name := strings.SplitN(it.Title, ":", 2)[0]
		if want := strings.HasPrefix(name, "Undated") || strings.HasPrefix(name, "Backlog"); it.Ext.Undated != want {
			t.Errorf("%q: _kernelwire.undated %v", it.Title, it.Ext.Undated)
		}
		got = append(got, name)
	}
	if want := []string{"Dated newest", "Backlog one", "Backlog two", "Dated older", "Undated first", "Undated second"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("order %q, want %q", got, want)
	}
	page := get(t, base+"/everything")
	if n := strings.Count(page, `">undated</time>`); n != 4 {
		t.Errorf("the page marks %d stories undated, want 4", n)
	}
}
