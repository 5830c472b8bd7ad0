package main

import (
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
// bare release record), under the id it first saw. Run on the binary, on
// both backends.
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
		reader := func(sources ...string) (unread, titles string) {
			t.Helper()
			cfg := writeStoryConfig(t, up, sources...)
			flags := append([]string{"--config", cfg, "--log-level", "error"}, store...)
			if code, out, errOut := runProcess(t, append([]string{"poll", "--once"}, flags...)...); code != 0 {
				t.Fatalf("poll exit %d\n%s\n%s", code, out, errOut)
			}
			b := startBinary(t, append([]string{"serve", "--no-poll", "--addr", addr}, flags...)...)
			waitFor(t, "serve on "+addr, func() bool {
				resp, err := http.Get("http://" + addr + "/healthz")
				if err == nil {
					resp.Body.Close()
				}
				return err == nil
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
			return strings.TrimSpace(string(out)), strings.TrimSpace(string(rows))
		}
		unread, first := reader("hn")
		if unread != "1 unread articles" || strings.Count(first, "\n") != 0 {
			t.Fatalf("after the aggregator alone newsboat has %q:\n%s", unread, first)
		}
		_, later := reader("hn", "kernel-org", "lwn")
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
	})
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
