package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/fetch/fetchtest"
)

// TestStoryIDInReader is issue 11's reader check: newsboat subscribes to
// the curated Atom feed while only an aggregator carries "Linux 6.23
// Released"; then kernel.org's release record and LWN's report of the
// same release arrive (kernel.org with the highest priority). newsboat
// must still hold one entry, now showing LWN's report (a report beats a
// bare release record), under the id it first saw, with content naming
// the other reports; Python's feedparser, reading the Atom and RSS feeds
// after each poll, sees the same: one entry, one id, the coverage in the
// content it exposes. Run on the binary, on both backends.
func TestStoryIDInReader(t *testing.T) {
	newsboat, err := exec.LookPath("newsboat")
	if err != nil {
		if testing.Short() {
			t.Skip("newsboat not installed; -short leaves the reader check out")
		}
		t.Fatalf("newsboat is needed (apt-get install newsboat sqlite3, or -short): %v", err)
	}
	eachBackend(t, func(t *testing.T, backend string) {
		released := time.Now().UTC().Add(-2 * time.Hour).Truncate(time.Second)
		up := fetchtest.NewServer(t)
		up.Feed("/hn", rssOf("Hacker News", fmt.Sprintf(
			`<item><title>Linux 6.23 Released</title><link>https://news.ycombinator.com/item?id=46100000</link><guid>https://news.ycombinator.com/item?id=46100000</guid><pubDate>%s</pubDate><description>Comments</description></item>`,
			released.Add(30*time.Minute).Format(time.RFC1123Z))), "application/rss+xml")
		up.Feed("/kernel-org", rssOf("kernel.org", fmt.Sprintf(
			`<item><title>6.23: mainline</title><link>http://www.kernel.org/</link><guid isPermaLink="false">kernel.org,mainline,6.23,%s</guid><pubDate>%s</pubDate><description>&lt;table&gt;&lt;tr&gt;&lt;th&gt;Version:&lt;/th&gt;&lt;td&gt;6.23&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</description></item>`,
			released.Format("2006-01-02"), released.Format(time.RFC1123Z))), "application/rss+xml")
		up.Feed("/lwn", rssOf("LWN.net", fmt.Sprintf(
			`<item><title>Linux 6.23 released</title><link>https://lwn.net/Articles/1040000/</link><pubDate>%s</pubDate><description>Linus has released the 6.23 kernel.</description></item>`,
			released.Add(time.Hour).Format(time.RFC1123Z))), "application/rss+xml")
		addr := freeAddr(t)
		store := storeFlags(t, backend)
		home := t.TempDir()
		var newsboatContent string
		// reader polls the named sources, serves the store and reads
		// /feeds/all.atom in newsboat (keeping its cache between calls, as
		// a subscriber's does) and all.atom and all.rss in feedparser.
		reader := func(sources ...string) (unread, titles string, fp map[string][]fpEntry) {
			t.Helper()
			cfg := writeStoryConfig(t, up, sources...)
			flags := append([]string{"--config", cfg, "--log-level", "error"}, store...)
			if code, out, errOut := runProcess(t, append([]string{"poll", "--once"}, flags...)...); code != 0 {
				t.Fatalf("poll exit %d\n%s\n%s", code, out, errOut)
			}
			b := startBinary(t, append([]string{"serve", "--no-poll", "--addr", addr}, flags...)...)
			// The same address every time (the reader's subscription):
			// only this process's answer counts.
			waitFor(t, "serve on "+addr, func() bool {
				if !listensOn(b.cmd.Process.Pid, addr) {
					return false
				}
				resp, err := http.Get("http://" + addr + "/healthz")
				if err == nil {
					resp.Body.Close()
				}
				return err == nil && resp.StatusCode == http.StatusOK
			})
			defer stopBinary(t, b)
			urls := filepath.Join(home, "urls")
			if err := os.WriteFile(urls, []byte("http://"+addr+"/feeds/all.atom\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			cache := filepath.Join(home, "cache.db")
			cmd := exec.CommandContext(t.Context(), newsboat, "-u", urls, "-c", cache, "-C", "/dev/null", "-x", "reload", "print-unread")
			cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME=", "XDG_DATA_HOME=")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("newsboat: %v\n%s", err, out)
			}
			rows, err := exec.CommandContext(t.Context(), "sqlite3", cache, "select guid || ' | ' || title from rss_item order by id").CombinedOutput()
			if err != nil {
				t.Fatalf("sqlite3: %v\n%s", err, rows)
			}
			content, err := exec.CommandContext(t.Context(), "sqlite3", cache, "select content from rss_item order by id").CombinedOutput()
			if err != nil {
				t.Fatalf("sqlite3: %v\n%s", err, content)
			}
			newsboatContent = string(content)
			fp = map[string][]fpEntry{}
			for _, f := range []string{"all.atom", "all.rss"} {
				fp[f] = feedparserEntries(t, "http://"+addr+"/feeds/"+f)
			}
			return strings.TrimSpace(string(out)), strings.TrimSpace(string(rows)), fp
		}
		unread, first, fpFirst := reader("hn")
		if unread != "1 unread articles" || strings.Count(first, "\n") != 0 {
			t.Fatalf("after the aggregator alone newsboat has %q:\n%s", unread, first)
		}
		_, later, fpLater := reader("hn", "kernel-org", "lwn")
		if strings.Count(later, "\n") != 0 {
			t.Fatalf("newsboat holds more than one entry for one story:\n%s\n(first it held %s)", later, first)
		}
		firstID, _, _ := strings.Cut(first, " | ")
		laterID, title, _ := strings.Cut(later, " | ")
		if firstID != laterID {
			t.Errorf("the story's id changed from %s to %s", firstID, laterID)
		}
		if title != "Linux 6.23 released" {
			t.Errorf("newsboat shows %q, want LWN's report", title)
		}
		// The content newsboat shows names the other reports.
		for _, want := range []string{"Hacker News", "kernel.org"} {
			if !strings.Contains(newsboatContent, want) {
				t.Errorf("newsboat's content of the story does not name %s:\n%s", want, newsboatContent)
			}
		}
		for _, f := range []string{"all.atom", "all.rss"} {
			a, b := fpFirst[f], fpLater[f]
			if len(a) != 1 || len(b) != 1 {
				t.Fatalf("feedparser reads %d then %d entries in %s, want 1 and 1: %+v then %+v", len(a), len(b), f, a, b)
			}
			if a[0].ID != b[0].ID {
				t.Errorf("feedparser: the story's id in %s changed from %s to %s", f, a[0].ID, b[0].ID)
			}
			if b[0].Title != "Linux 6.23 released" {
				t.Errorf("feedparser: %s shows %q, want LWN's report", f, b[0].Title)
			}
			for _, want := range []string{"Hacker News", "kernel.org"} {
				if !strings.Contains(b[0].Content, want) {
					t.Errorf("feedparser: the content of %s's entry does not name %s:\n%s", f, want, b[0].Content)
				}
			}
		}
	})
}

// fpEntry is an entry as Python's feedparser reads it.
type fpEntry struct {
	ID, Title, Content string
}

// feedparserEntries reads url with Python's feedparser (Debian's
// python3-feedparser) and fails the test when the document is not
// well-formed to it (bozo).
func feedparserEntries(t *testing.T, url string) []fpEntry {
	t.Helper()
	const script = `
import json, sys, feedparser
d = feedparser.parse(sys.argv[1])
if d.bozo:
    sys.exit("bozo: %r" % d.bozo_exception)
out = []
for e in d.entries:
    content = " ".join(c.value for c in e.get("content", [])) or e.get("summary", "")
    out.append({"ID": e.get("id", ""), "Title": e.get("title", ""), "Content": content})
json.dump(out, sys.stdout)
`
	out, err := exec.CommandContext(t.Context(), feedparserPython(t), "-c", script, url).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("feedparser on %s: %v\n%s", url, err, stderr)
	}
	var es []fpEntry
	if err := json.Unmarshal(out, &es); err != nil {
		t.Fatalf("feedparser output: %v\n%s", err, out)
	}
	return es
}

// stopBinary stops a binary startBinary started before the test ends,
// leaving its exit for startBinary's cleanup to see.
func stopBinary(t *testing.T, b *binary) {
	t.Helper()
	_ = b.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-b.exited:
		b.exited <- err
	case <-time.After(15 * time.Second):
		t.Fatal("kernelwire serve did not stop within 15s of SIGTERM")
	}
}

func rssOf(title, items string) []byte {
	return []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>` + title + `</title><link>https://example.org/</link>` + items + `</channel></rss>`)
}

// writeStoryConfig writes the shipped config with sources of up: hn
// (priority 1), kernel-org (100), lwn (3), those named.
func writeStoryConfig(t *testing.T, up *fetchtest.Server, names ...string) string {
	t.Helper()
	prio := map[string]int{"hn": 1, "kernel-org": 100, "lwn": 3}
	var b strings.Builder
	b.WriteString(shippedWithoutSources(t))
	b.WriteString("\nsources:\n")
	for _, n := range names {
		fmt.Fprintf(&b, "  - {name: %s, url: %q, priority: %d}\n", n, up.URL("/"+n), prio[n])
	}
	path := filepath.Join(t.TempDir(), "feeds.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// feedparserPython is the first python3 that imports feedparser: the one
// on PATH (which may be a virtualenv's or pyenv's), else Debian's.
func feedparserPython(t *testing.T) string {
	t.Helper()
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		if exec.CommandContext(t.Context(), py, "-c", "import feedparser").Run() == nil {
			return py
		}
	}
	t.Fatal("no python3 with feedparser (apt-get install python3-feedparser)")
	return ""
}
