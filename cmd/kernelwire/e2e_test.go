package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"

	"github.com/kernelwire/kernelwire/internal/fetch/fetchtest"
	"github.com/kernelwire/kernelwire/internal/store/redistest"
)

// fixtures are ten real feeds, one source each (testdata/README.md).
var fixtures = []struct{ name, file, contentType string }{
	{"kernel-org", "kdist_2020-05-03_feed-rs-fixture_1item.xml", "application/rss+xml"},
	{"lwn", "lwn-headlines-rss_2023-07-07.rdf", "application/rdf+xml"},
	{"lwn-rss2", "lwn-republished-by-zhangyoufu_2026-07-02_rss2.xml", "application/rss+xml"},
	{"phoronix", "phoronix-rss_2025-08-02_rss2.xml", "application/rss+xml; charset=utf-8"},
	{"rust-blog", "rust-blog-feed_2023-07-18_atom.xml", "application/atom+xml"},
	{"inside-rust", "inside-rust-feed_2023-07-18_atom.xml", "application/atom+xml"},
	{"rust-releases", "rust-lang-rust-github-releases_2024-03-28_rss2.xml", "application/rss+xml"},
	{"hackernews", "hn-frontpage-scraped_2025-12-01T0546_atom.xml", "application/atom+xml"},
	{"slashdot", "slashdot-main-rss1.0_2018-01-06T2359.rdf", "text/xml"},
	{"reddit-rust", "reddit-r-rust_2020-05-18_atom_1item.xml", "application/atom+xml"},
}

// testConfig writes a config with the shipped topics and people, and the
// fixture upstream as its sources. The fixtures are years old, so the age
// window is widened; the host gap is lifted because every fixture shares one
// host.
func testConfig(t testing.TB, up *fetchtest.Server) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(shippedWithoutSources(t))
	b.WriteString("\nsources:\n")
	for _, f := range fixtures {
		body, err := os.ReadFile(filepath.Join("testdata", f.file))
		if err != nil {
			t.Fatal(err)
		}
		up.Feed("/"+f.name, body, f.contentType)
		fmt.Fprintf(&b, "  - {name: %s, url: %q}\n", f.name, up.URL("/"+f.name))
	}
	path := filepath.Join(t.TempDir(), "feeds.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// shippedWithoutSources is the shipped feeds.yaml (topics, people, defaults)
// without its sources. The fixtures are years old, so the age window is
// widened; the host gap is lifted because every fixture shares one host;
// private networks are allowed because that host is 127.0.0.1 (the shipped
// default refuses it: TestPrivateByDefault).
func shippedWithoutSources(t testing.TB) string {
	t.Helper()
	shipped, err := os.ReadFile("../../feeds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(shipped)
	text = text[:strings.Index(text, "\nsources:")]
	text = regexp.MustCompile(`(?m)^(\s*)max_age:.*$`).ReplaceAllString(text, "${1}max_age: 20000d")
	text = regexp.MustCompile(`(?m)^(\s*)seen_ttl:.*$`).ReplaceAllString(text, "${1}seen_ttl: 30000d")
	text = regexp.MustCompile(`(?m)^(\s*)allow_private_networks:.*$`).ReplaceAllString(text, "${1}allow_private_networks: true")
	return regexp.MustCompile(`(?m)^(\s*)min_host_gap:.*$`).ReplaceAllString(text, "${1}min_host_gap: 0s")
}

func runCmd(t *testing.T, ctx context.Context, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(ctx, args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// storeFlags are the flags of one backend: the embedded store in a temporary
// folder, or the test Redis under a prefix of the test's own.
func storeFlags(t *testing.T, backend string) []string {
	t.Helper()
	if backend == "bolt" {
		return []string{"--data", t.TempDir()}
	}
	url := redistest.URL(t)
	prefix := redistest.Prefix(t, "e2e")
	return []string{"--redis", url, "--redis-prefix", prefix}
}

// eachBackend runs fn as a subtest on bbolt and on Redis.
func eachBackend(t *testing.T, fn func(t *testing.T, backend string)) {
	for _, backend := range []string{"bolt", "redis"} {
		t.Run(backend, func(t *testing.T) { fn(t, backend) })
	}
}

func TestEndToEnd(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		up := fetchtest.NewServer(t)
		cfg := testConfig(t, up)
		flags := append([]string{"--config", cfg, "--log-level", "error"}, storeFlags(t, backend)...)
		ctx := t.Context()

		// First poll: every source answers, items are stored.
		code, out, errOut := runCmd(t, ctx, append([]string{"poll", "--once"}, flags...)...)
		if code != 0 {
			t.Fatalf("first poll exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		firstNew := 0
		for _, f := range fixtures {
			line := lineFor(t, out, f.name)
			if !strings.Contains(line, " ok ") || !strings.Contains(line, " 200 ") {
				t.Errorf("first poll of %s: %q", f.name, line)
			}
			var n int
			if _, err := fmt.Sscanf(field(line, "new"), "%d", &n); err != nil || n == 0 {
				t.Errorf("first poll of %s stored no new items: %q", f.name, line)
			}
			firstNew += n
		}
		if !strings.Contains(out, "10 sources, 0 failed") {
			t.Errorf("summary missing: %s", out)
		}

		// Second poll: every upstream answers 304 and nothing is new.
		code, out, errOut = runCmd(t, ctx, append([]string{"poll", "--once"}, flags...)...)
		if code != 0 {
			t.Fatalf("second poll exit %d\n%s\n%s", code, out, errOut)
		}
		for _, f := range fixtures {
			line := lineFor(t, out, f.name)
			if !strings.Contains(line, "not-modified") || !strings.Contains(line, " 304 ") {
				t.Errorf("second poll of %s: %q, want a 304", f.name, line)
			}
			if got := up.Count("/" + f.name); got != 2 {
				t.Errorf("%s fetched %d times, want 2", f.name, got)
			}
		}
		if !strings.Contains(out, " 0 new, 0 updated, 0 duplicate") {
			t.Errorf("second poll summary: %s", out)
		}

		// Serve what was stored and read it back as a reader would.
		base := startServe(t, append([]string{"serve", "--no-poll"}, flags...))
		checkFeeds(t, base, firstNew)
	})
}

// startServe runs `serve` on a free port until the test ends, then checks it
// exits 0 within the shutdown budget.
func startServe(t *testing.T, args []string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var errOut bytes.Buffer
	go func() { done <- run(ctx, append(args, "--addr", addr), io.Discard, &errOut) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("serve exited %d: %s", code, errOut.String())
			}
		case <-time.After(10 * time.Second):
			t.Error("serve did not exit within 10s of cancellation")
		}
	})
	base := "http://" + addr
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			return base
		}
	}
	t.Fatalf("serve did not come up: %s", errOut.String())
	return ""
}

func checkFeeds(t *testing.T, base string, stored int) {
	t.Helper()
	want := min(stored, 1000)
	for _, ext := range []string{"rss", "atom", "json"} {
		t.Run(ext, func(t *testing.T) {
			body := get(t, base+"/feeds/everything."+ext+"?limit=1000")
			feed, err := gofeed.NewParser().ParseString(body)
			if err != nil {
				t.Fatalf("gofeed cannot parse our %s: %v", ext, err)
			}
			// Feeds list stories: the few events several of these feeds
			// carry (a Rust release on the blog and on GitHub) are one
			// entry each (story_e2e_test.go checks which), so there are
			// at most as many entries as stored items, and not many fewer.
			if len(feed.Items) > want || len(feed.Items) < want-want/20 {
				t.Errorf("everything.%s has %d items, want from %d to %d (stories of %d items)", ext, len(feed.Items), want-want/20, want, want)
			}
			tagged := 0
			for _, it := range feed.Items {
				if it.Title == "" || it.Link == "" && it.GUID == "" {
					t.Errorf("item without title or identity: %+v", it)
				}
				if len(it.Categories) > 0 {
					tagged++
				}
			}
			if tagged == 0 {
				t.Errorf("no item of everything.%s carries a topic", ext)
			}
			// All news is the curated part: every entry carries a topic
			// (Atom categories reach gofeed as labels, which are also set).
			curated, err := gofeed.NewParser().ParseString(get(t, base+"/feeds/all."+ext+"?limit=1000"))
			if err != nil {
				t.Fatalf("gofeed cannot parse our all.%s: %v", ext, err)
			}
			if len(curated.Items) != tagged {
				t.Errorf("all.%s has %d entries, want the %d of everything with a topic", ext, len(curated.Items), tagged)
			}
			for _, it := range curated.Items {
				if len(it.Categories) == 0 {
					t.Errorf("all.%s lists %q without a topic", ext, it.Title)
				}
			}
		})
	}
	for _, topic := range []string{"rust", "releases"} {
		for _, ext := range []string{"rss", "atom", "json"} {
			feed, err := gofeed.NewParser().ParseString(get(t, base+"/feeds/"+topic+"."+ext))
			if err != nil {
				t.Fatalf("parse %s.%s: %v", topic, ext, err)
			}
			if len(feed.Items) == 0 {
				t.Errorf("%s.%s is empty", topic, ext)
			}
			for _, it := range feed.Items {
				if ext != "atom" && !slices.Contains(it.Categories, topic) {
					t.Errorf("%s.%s item %q lacks its topic: %v", topic, ext, it.Title, it.Categories)
				}
			}
			if ext == "atom" {
				// gofeed's universal items show an Atom category's label;
				// the slug is its term.
				af, err := (&atom.Parser{}).Parse(strings.NewReader(get(t, base+"/feeds/"+topic+".atom")))
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range af.Entries {
					if !slices.ContainsFunc(e.Categories, func(c *atom.Category) bool { return c.Term == topic }) {
						t.Errorf("%s.atom entry %q lacks term %q", topic, e.Title, topic)
					}
				}
			}
		}
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, body)
	}
	return string(body)
}

func lineFor(t *testing.T, out, source string) string {
	t.Helper()
	for line := range strings.SplitSeq(out, "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == source {
			return line + " "
		}
	}
	t.Fatalf("no line for %s in:\n%s", source, out)
	return ""
}

// field returns the word after name in a report line ("new 12" -> "12").
func field(line, name string) string {
	f := strings.Fields(line)
	for i := 0; i+1 < len(f); i++ {
		if f[i] == name {
			return f[i+1]
		}
	}
	return ""
}
