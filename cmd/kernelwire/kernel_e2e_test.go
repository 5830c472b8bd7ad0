package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/kernelwire/kernelwire/internal/fetch/fetchtest"
)

// seriesPolls are three successive states of lore's linux-btrfs feed
// following one real series: v1 and its replies, v2 and a review, v2
// applied.
var seriesPolls = []string{
	"lore-btrfs_series-v1-replies_2026-01-13.atom",
	"lore-btrfs_series-v2-reviewed_2026-01-13.atom",
	"lore-btrfs_series-v2-applied_2026-01-14.atom",
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// TestKernelLaneEndToEnd polls a lore list three times while a series
// goes from v1 with replies to v2 to applied, plus the CNA's list and
// kernel.org's releases, through the binary on both backends, and reads
// the feeds back as readers do. The series is one entry (v2's cover
// letter) whose id stays and whose updated date moves when it is
// applied, with its reply count and "applied to <tree>" in the content
// and in _kernelwire.status; the CVE announcement carries its fixed
// versions as data and is filed under security (and networking, its
// files' subsystem); the kdist record reads as news.
func TestKernelLaneEndToEnd(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		up := fetchtest.NewServer(t)
		lore := up.Feed("/linux-btrfs", fixture(t, seriesPolls[0]), "application/atom+xml")
		up.Feed("/cve", fixture(t, "lore-cve-announce_CVE-2024-26581.atom"), "application/atom+xml")
		up.Feed("/kernel-org", fixture(t, "kdist_2020-05-03_feed-rs-fixture_1item.xml"), "application/rss+xml")
		var cfg strings.Builder
		cfg.WriteString(shippedWithoutSources(t))
		cfg.WriteString("\nsources:\n")
		for _, name := range []string{"linux-btrfs", "cve", "kernel-org"} {
			fmt.Fprintf(&cfg, "  - {name: %s, url: %q}\n", name, up.URL("/"+name))
		}
		path := filepath.Join(t.TempDir(), "feeds.yaml")
		if err := os.WriteFile(path, []byte(cfg.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		flags := append([]string{"--config", path, "--log-level", "error"}, storeFlags(t, backend)...)
		poll := func() {
			t.Helper()
			if code, out, errOut := runCmd(t, t.Context(), append([]string{"poll", "--once"}, flags...)...); code != 0 {
				t.Fatalf("poll exit %d\n%s\n%s", code, out, errOut)
			}
		}
		const series = "[PATCH v2 0/4] btrfs: stop duplicating VFS code for subvolume/snapshot dentry"
		var ids []string
		var updated []time.Time
		for i, name := range seriesPolls {
			if i > 0 {
				lore.Update(fixture(t, name))
				// Feeds carry whole seconds: the next change must fall
				// in a later second to be seen as later.
				time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
			}
			poll()
			if i == 0 {
				continue
			}
			// Each state read by a fresh server (stopped at the end of
			// the subtest, so the next poll can open the store), as a
			// reader polling it.
			t.Run(fmt.Sprintf("after poll %d", i+1), func(t *testing.T) {
				base := startServe(t, append([]string{"serve", "--no-poll"}, flags...))
				entry := onlySeries(t, get(t, base+"/feeds/series.atom"))
				if entry.Title != series {
					t.Fatalf("poll %d: the series shows as %q, want v2's cover letter", i+1, entry.Title)
				}
				ids = append(ids, entry.GUID)
				updated = append(updated, *entry.UpdatedParsed)
			})
		}
		if len(ids) != 2 {
			t.FailNow()
		}
		if ids[0] != ids[1] {
			t.Errorf("the series' id changed when it was applied: %s -> %s", ids[0], ids[1])
		}
		if !updated[1].After(updated[0]) {
			t.Errorf("updated did not move when the series was applied: %v -> %v", updated[0], updated[1])
		}

		base := startServe(t, append([]string{"serve", "--no-poll"}, flags...))
		for _, ext := range []string{"atom", "rss", "json"} {
			entry := onlySeries(t, get(t, base+"/feeds/patches."+ext))
			shown := entry.Content
			if ext == "rss" {
				shown += entry.Description
			}
			for _, want := range []string{"Status: applied to vfs/vfs.git (vfs-7.0.btrfs) by Christian Brauner",
				"reviewed by David Sterba", "v2 posted, 4 patches", "v1 posted, 4 patches", "11 replies."} {
				if !strings.Contains(shown, want) {
					t.Errorf("%s: the series' content lacks %q:\n%s", ext, want, shown)
				}
			}
		}
		var doc struct {
			Items []struct {
				Title      string `json:"title"`
				Kernelwire struct {
					Replies int `json:"replies"`
					Status  struct {
						State, Tree, Who, Message string
						History                   []struct{ State string }
					} `json:"status"`
					CVE *struct {
						ID         string
						Fixed      []string
						Subsystems []string
					} `json:"cve"`
					Topics []string `json:"topics"`
				} `json:"_kernelwire"`
			} `json:"items"`
		}
		if err := json.Unmarshal([]byte(get(t, base+"/feeds/all.json?status=applied")), &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Items) != 1 {
			t.Fatalf("?status=applied: %d entries, want the series", len(doc.Items))
		}
		x := doc.Items[0].Kernelwire
		if x.Replies != 11 || x.Status.State != "applied" || x.Status.Tree != "vfs/vfs.git (vfs-7.0.btrfs)" ||
			x.Status.Who != "Christian Brauner" || len(x.Status.History) != 4 ||
			x.Status.Message != "https://lore.kernel.org/linux-btrfs/20260114-holprig-flaggen-f8c095e1a439@brauner/" {
			t.Errorf("_kernelwire of the series: %+v", x)
		}

		doc.Items = nil
		if err := json.Unmarshal([]byte(get(t, base+"/feeds/security.json")), &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Items) != 1 || doc.Items[0].Kernelwire.CVE == nil {
			t.Fatalf("security.json: %+v, want the CVE announcement with its record", doc.Items)
		}
		c, cve := doc.Items[0].Kernelwire.CVE, doc.Items[0]
		if c.ID != "CVE-2024-26581" || strings.Join(c.Fixed, " ") != "6.6.17 6.7.5 6.8-rc4 4.19.307" ||
			strings.Join(c.Subsystems, " ") != "networking" || !strings.Contains(strings.Join(cve.Kernelwire.Topics, " "), "networking") {
			t.Errorf("CVE entry %q: record %+v, topics %q", cve.Title, c, cve.Kernelwire.Topics)
		}
		if cve.Kernelwire.Replies != 1 {
			t.Errorf("the disputing reply did not join the CVE's story: %d replies", cve.Kernelwire.Replies)
		}

		rel, err := gofeed.NewParser().ParseString(get(t, base+"/feeds/all.rss?source=kernel-org"))
		if err != nil {
			t.Fatal(err)
		}
		if len(rel.Items) != 1 || rel.Items[0].Title != "Linux 5.7-rc4 (mainline)" ||
			rel.Items[0].Link != "https://git.kernel.org/torvalds/h/v5.7-rc4" {
			t.Errorf("kdist item shown as %+v", rel.Items)
		}
	})
}

// onlySeries parses a feed and returns its one patch entry.
func onlySeries(t *testing.T, body string) *gofeed.Item {
	t.Helper()
	feed, err := gofeed.NewParser().ParseString(body)
	if err != nil {
		t.Fatal(err)
	}
	if len(feed.Items) != 1 {
		var titles []string
		for _, it := range feed.Items {
			titles = append(titles, it.Title)
		}
		t.Fatalf("%d entries, want the series as one: %q", len(feed.Items), titles)
	}
	return feed.Items[0]
}
