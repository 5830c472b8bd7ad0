package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/fetch/fetchtest"
)

// TestReplicasLookalikesEndToEnd is issue 12's lost-items bug as an operator
// meets it: three `kernelwire poll --once` processes on one Redis, started
// together, each polling the same look-alike lore feeds, whose items all
// join the same four stories, so the replicas' saves contend for the same
// stories. Nothing may be lost or doubled: a replica that finds a source
// leased by another skips it (exit 3), and what they stored together, read
// through a fourth process's /feeds/all.json, is four entries, each story
// holding every source's replies once.
func TestReplicasLookalikesEndToEnd(t *testing.T) {
	const sources, replies = 96, 1
	up := fetchtest.NewServer(t)
	var b strings.Builder
	b.WriteString(shippedWithoutSources(t))
	b.WriteString("\nsources:\n")
	for i := range sources {
		name := fmt.Sprintf("kernel-hardening-w%02d", i)
		up.Feed("/"+name, fetchtest.LookalikeLore(name, replies, time.Now().UTC().Add(-time.Hour).Truncate(time.Minute)), "application/atom+xml")
		fmt.Fprintf(&b, "  - {name: %s, url: %q}\n", name, up.URL("/"+name))
	}
	cfg := filepath.Join(t.TempDir(), "feeds.yaml")
	if err := os.WriteFile(cfg, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	store := storeFlags(t, "redis")
	flags := append([]string{"poll", "--once", "--config", cfg, "--log-level", "error"}, store...)

	var replicas []*binary
	for range 3 {
		replicas = append(replicas, startBinary(t, flags...))
	}
	waitReplicas(t, replicas)

	base, _ := serveBinary(t, append([]string{"--no-poll", "--config", cfg, "--log-level", "error"}, store...)...)
	resp := httpGet(t, base+"/feeds/all.json?limit=100")
	if resp.code != 200 {
		t.Fatalf("all.json: %d %s", resp.code, resp.body)
	}
	var feed struct {
		Items []struct {
			ID         string `json:"id"`
			Title      string `json:"title"`
			Kernelwire struct {
				Related []struct {
					URL string `json:"url"`
				} `json:"related"`
				Replies int `json:"replies"`
			} `json:"_kernelwire"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(resp.body), &feed); err != nil {
		t.Fatalf("all.json: %v", err)
	}
	if len(feed.Items) != len(fetchtest.LookalikeThreads) {
		for _, it := range feed.Items {
			t.Logf("entry %s %q", it.ID, it.Title)
		}
		t.Fatalf("all.json has %d entries, want one per thread: %d", len(feed.Items), len(fetchtest.LookalikeThreads))
	}
	ids := map[string]bool{}
	for _, it := range feed.Items {
		if ids[it.ID] {
			t.Errorf("entry id %s listed twice", it.ID)
		}
		ids[it.ID] = true
		if got := 1 + len(it.Kernelwire.Related) + it.Kernelwire.Replies; got != sources*replies {
			t.Errorf("story %q holds %d items, want %d: every source's replies, once", it.Title, got, sources*replies)
		}
	}
}
