package web

import (
	"bytes"
	"image/png"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/kernelwire/kernelwire/internal/dedup"
	"github.com/kernelwire/kernelwire/internal/item"
)

// TestPageInChromium loads the page in headless Chromium (Debian's chromium
// package), checks the DOM the browser built, and saves screenshots under
// $KERNELWIRE_ARTIFACTS (else a temporary folder; the path is logged).
// Without Chromium it fails (CI installs it) unless -short.
func TestPageInChromium(t *testing.T) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		if testing.Short() {
			t.Skip("chromium not installed; -short leaves the browser test out")
		}
		t.Fatalf("chromium is needed for the browser test (apt-get install chromium, or -short): %v", err)
	}
	s, _ := newFixtureServer(t, fixtureConfig())
	ts := httptest.NewServer(s)
	defer ts.Close()
	artifacts := os.Getenv("KERNELWIRE_ARTIFACTS")
	if artifacts == "" {
		artifacts = t.TempDir()
	} else if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		path       string
		items      int
		alternates []string // hrefs, relative to the server
		heading    string   // the main h2
	}{
		{"front", "/", 15, []string{"/feeds/all.atom", "/feeds/all.rss", "/feeds/all.json"}, "Latest news"},
		{"topic-search", "/topics/subsystems?q=linux+6.17", 3,
			[]string{"/feeds/subsystems.atom?q=linux+6.17", "/feeds/subsystems.rss?q=linux+6.17", "/feeds/subsystems.json?q=linux+6.17"},
			"Search: linux 6.17"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			url := ts.URL + tc.path
			out, err := chromium(t, bin, "--dump-dom", url)
			if err != nil {
				t.Fatalf("chromium --dump-dom: %v\n%s", err, out)
			}
			doc, err := html.Parse(bytes.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			checkDOM(t, doc, ts.URL, tc.items, tc.alternates, tc.heading)
		})
	}
	// A mixed-source instance (a news site, an aggregator's off-topic
	// items, a wholly on-topic source): the page Chromium builds lists
	// only the curated stories, newest first, and says the rule.
	t.Run("mixed-front", func(t *testing.T) {
		mixed := newMixedServer(t)
		// Hacker News carries LWN's release story too: the story view
		// shows it as coverage with its comment count.
		day := fixtureNow.Add(-24 * time.Hour)
		hn := []item.Item{{Title: "Linux 6.17 Released", Link: "https://news.ycombinator.com/item?id=45000000", Comments: 142,
			Source: "hackernews", Published: day.Add(3*time.Hour + 30*time.Minute), FirstSeen: day.Add(3*time.Hour + 30*time.Minute)}}
		dedup.Assign(hn, "hackernews")
		if _, err := mixed.cfg.Store.SaveItems(t.Context(), "hackernews", hn); err != nil {
			t.Fatal(err)
		}
		ms := httptest.NewServer(mixed)
		defer ms.Close()
		out, err := chromium(t, bin, "--dump-dom", ms.URL+"/")
		if err != nil {
			t.Fatalf("chromium --dump-dom: %v\n%s", err, out)
		}
		doc, err := html.Parse(bytes.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		var titles []string
		for n := range doc.Descendants() {
			if n.Type == html.ElementNode && n.Data == "h3" && strings.HasPrefix(attr(n, "id"), "item-") {
				titles = append(titles, text(n))
			}
		}
		if want := []string{"Stable kernel maintenance notes", "Linux 6.17 released"}; !slices.Equal(titles, want) {
			t.Errorf("the front page lists %q, want the curated stories %q, newest first", titles, want)
		}
		var coverage []string
		for n := range doc.Descendants() {
			if n.Type == html.ElementNode && n.Data == "p" && attr(n, "class") == "coverage" {
				coverage = append(coverage, text(n))
			}
		}
		if want := []string{"More: hackernews (142 comments)"}; !slices.Equal(coverage, want) {
			t.Errorf("the story view's coverage reads %q, want %q", coverage, want)
		}
		if !strings.Contains(text(doc), "The river lists stories filed under at least one topic") {
			t.Error("the front page does not say which stories it lists")
		}
		path := filepath.Join(artifacts, "page-mixed.png")
		if out, err := chromium(t, bin, "--screenshot="+path, "--hide-scrollbars", "--window-size=1280,900", ms.URL+"/"); err != nil {
			t.Fatalf("chromium --screenshot: %v\n%s", err, out)
		}
		t.Logf("screenshot %s", path)
	})
	t.Run("layout", func(t *testing.T) {
		b := startBrowser(t, bin)
		for _, p := range []string{"/", "/feeds"} {
			checkLayout(t, b, ts.URL+p, 1280, 900)
			checkLayout(t, b, ts.URL+p, 390, 800)
		}
	})
	shots := []struct {
		name string
		args []string
		dark bool
	}{
		{"page-desktop.png", []string{"--window-size=1280,2000"}, false},
		{"page-phone.png", []string{"--window-size=390,1400"}, false},
		{"page-dark.png", []string{"--window-size=1280,1200", "--force-dark-mode", "--blink-settings=preferredColorScheme=0"}, true},
	}
	for _, sh := range shots {
		t.Run(sh.name, func(t *testing.T) {
			path := filepath.Join(artifacts, sh.name)
			args := append([]string{"--screenshot=" + path, "--hide-scrollbars"}, sh.args...)
			if out, err := chromium(t, bin, append(args, ts.URL+"/")...); err != nil {
				t.Fatalf("chromium --screenshot: %v\n%s", err, out)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			img, err := png.Decode(f)
			if err != nil {
				t.Fatalf("screenshot is not a PNG: %v", err)
			}
			// The page background, just inside the top-left corner.
			r, g, b, _ := img.At(2, 2).RGBA()
			lum := (299*r + 587*g + 114*b) / 1000 >> 8
			if dark := lum < 128; dark != sh.dark {
				t.Errorf("background luminance %d: dark=%v, want %v", lum, dark, sh.dark)
			}
			t.Logf("screenshot %s (%dx%d)", path, img.Bounds().Dx(), img.Bounds().Dy())
		})
	}
}

func chromium(t *testing.T, bin string, args ...string) ([]byte, error) {
	t.Helper()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(t.Context(), bin, append(base, args...)...)
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stderr.Bytes(), err
	}
	return stdout.Bytes(), nil
}

// checkDOM checks what a reader and assistive technology get: landmarks,
// a heading outline without skipped levels, a skip link, feed discovery,
// the items, topic links, a labelled search box, and link text.
func checkDOM(t *testing.T, doc *html.Node, base string, items int, alternates []string, heading string) {
	t.Helper()
	var (
		levels, h2s, alts, topicLinks []string
		articles, times, scripts      int
		landmarks                     = map[string]int{}
		labels                        = map[string]string{}
		inputs                        []*html.Node
		firstLink                     *html.Node
		mainID                        string
	)
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch n.Data {
		case "html":
			if attr(n, "lang") == "" {
				t.Error("<html> has no lang")
			}
		case "h1", "h2", "h3", "h4":
			levels = append(levels, n.Data)
			if n.Data == "h2" {
				h2s = append(h2s, text(n))
			}
			if text(n) == "" {
				t.Errorf("empty %s", n.Data)
			}
		case "header", "nav", "main", "footer":
			landmarks[n.Data]++
			if n.Data == "main" {
				mainID = attr(n, "id")
			}
		case "link":
			if attr(n, "rel") == "alternate" {
				alts = append(alts, strings.TrimPrefix(attr(n, "href"), base))
			}
		case "a":
			if firstLink == nil {
				firstLink = n
			}
			if text(n) == "" && attr(n, "aria-label") == "" {
				t.Errorf("link to %s has no text", attr(n, "href"))
			}
			if h := strings.TrimPrefix(attr(n, "href"), base); strings.HasPrefix(h, "/topics/") {
				topicLinks = append(topicLinks, h)
			}
		case "article":
			articles++
		case "time":
			times++
			if _, err := time.Parse(time.RFC3339, attr(n, "datetime")); err != nil {
				t.Errorf("<time datetime=%q>: %v", attr(n, "datetime"), err)
			}
		case "script":
			scripts++
		case "label":
			labels[attr(n, "for")] = text(n)
		case "input":
			inputs = append(inputs, n)
		case "form":
			if attr(n, "role") != "search" {
				t.Errorf("form without role=search")
			}
		}
	}
	if levels[0] != "h1" || slices.Index(levels[1:], "h1") >= 0 {
		t.Errorf("headings %v: want one h1, first", levels)
	}
	for i := 1; i < len(levels); i++ {
		if levels[i][1] > levels[i-1][1]+1 {
			t.Errorf("heading level skipped: %s after %s", levels[i], levels[i-1])
		}
	}
	if !slices.Contains(h2s, heading) || !slices.Contains(h2s, "Topics") || !slices.Contains(h2s, "Subscribe") {
		t.Errorf("h2 headings %q, want %q, Topics and Subscribe", h2s, heading)
	}
	for _, l := range []string{"header", "nav", "main", "footer"} {
		if landmarks[l] == 0 {
			t.Errorf("no <%s> landmark", l)
		}
	}
	if landmarks["main"] != 1 || mainID == "" || firstLink == nil || attr(firstLink, "href") != "#"+mainID {
		t.Errorf("the first link must skip to <main id=%q>; it is %v", mainID, firstLink)
	}
	if !slices.Equal(alts, alternates) {
		t.Errorf("alternate links %q, want %q", alts, alternates)
	}
	if articles != items || times != items {
		t.Errorf("%d articles and %d times, want %d", articles, times, items)
	}
	for _, slug := range []string{"rust-for-linux", "releases", "security", "subsystems", "maintainers", "patches"} {
		if !slices.Contains(topicLinks, "/topics/"+slug) {
			t.Errorf("no link to topic %s", slug)
		}
	}
	if scripts != 0 {
		t.Errorf("%d <script> elements: untrusted text reached the DOM as markup", scripts)
	}
	var search *html.Node
	for _, in := range inputs {
		if attr(in, "name") == "q" {
			search = in
		}
	}
	if search == nil || attr(search, "type") != "search" || labels[attr(search, "id")] == "" {
		t.Errorf("search box missing or unlabelled (labels %q)", labels)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func text(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}
