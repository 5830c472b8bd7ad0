package web

import (
	"bytes"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/kernelwire/kernelwire/internal/dedup"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/store/boltstore"
	"github.com/kernelwire/kernelwire/internal/story/storytest"
)

// newKernelServer serves a clustering store holding a real lore series
// polled to its application (storytest.SeriesPolls), a CNA announcement
// and an unrelated article.
func newKernelServer(t *testing.T) *Server {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "kw.db"), store.Options{SeenTTL: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for i, f := range storytest.SeriesPolls(t) {
		if _, err := st.SaveItems(t.Context(), f.Source, storytest.MailBatch(t, f, storytest.SeriesPollTimes[i])); err != nil {
			t.Fatal(err)
		}
	}
	at := storytest.SeriesPollTimes[2]
	others := []item.Item{
		{Source: "cve", Title: "CVE-2024-26581: netfilter: nft_set_rbtree: skip end interval element from gc",
			Link: "https://lore.kernel.org/linux-cve-announce/2024022257-CVE-2024-26581-00ee@gregkh/", Published: at, Topics: []string{"security"},
			Extracted: item.Extracted{CVEs: []string{"CVE-2024-26581"}, CVE: &item.CVE{ID: "CVE-2024-26581", Fixed: []string{"6.6.17"}}}},
		{Source: "lwn", Title: "An unrelated article", Link: "https://lwn.net/Articles/1/", Published: at, Topics: []string{"rust"}},
	}
	for _, it := range others {
		batch := []item.Item{it}
		dedup.Assign(batch, it.Source)
		if _, err := st.SaveItems(t.Context(), it.Source, batch); err != nil {
			t.Fatal(err)
		}
	}
	return New(Config{
		Store: st, Topics: append(testTopics, item.Topic{Slug: "security", Title: "Security"}, item.Topic{Slug: "patches", Title: "Patches"}),
		Version: "test", VersionTTL: time.Nanosecond,
		Sources: []item.Source{{Name: "linux-btrfs", URL: "https://lore.kernel.org/linux-btrfs/new.atom"},
			{Name: "cve", URL: "https://lore.kernel.org/linux-cve-announce/new.atom"}, {Name: "lwn", URL: "https://lwn.net/headlines/rss"}},
	})
}

func TestKernelFeeds(t *testing.T) {
	s := newKernelServer(t)
	const series = "[PATCH v2 0/4] btrfs: stop duplicating VFS code for subvolume/snapshot dentry"
	tests := []struct {
		target string
		want   []string
	}{
		{"/feeds/series.atom", []string{series}},
		{"/feeds/all.atom?status=applied", []string{series}},
		{"/feeds/series.atom?status=merged", nil},
		{"/feeds/all.atom?tree=vfs-7.0.btrfs", []string{series}},
		{"/feeds/all.atom?tree=vfs", []string{series}},
		{"/feeds/all.atom?tree=net-next", nil},
		{"/feeds/all.atom?cve=cve-2024-26581", []string{"CVE-2024-26581: netfilter: nft_set_rbtree: skip end interval element from gc"}},
	}
	for _, tc := range tests {
		t.Run(tc.target, func(t *testing.T) {
			rec := do(t, s, tc.target)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			feed, err := gofeed.NewParser().Parse(bytes.NewReader(rec.Body.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, it := range feed.Items {
				got = append(got, it.Title)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("entries %q, want %q", got, tc.want)
			}
			if len(feed.Items) > 0 && feed.Items[0].Title == series &&
				!strings.Contains(feed.Items[0].Content, "Status: applied to vfs/vfs.git (vfs-7.0.btrfs) by Christian Brauner") {
				t.Errorf("series content lacks its status: %s", feed.Items[0].Content)
			}
		})
	}
	for _, target := range []string{"/feeds/all.atom?status=done", "/feeds/all.atom?cve=CVE-1", "/feeds/all.atom?tree=a%20b", "/feeds/all.atom?series=maybe"} {
		if rec := do(t, s, target); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "bad ") {
			t.Errorf("%s: status %d %q, want 400 naming the parameter", target, rec.Code, rec.Body)
		}
	}
}

// TestReleaseNotes: a release item's feed entry links the notes about its
// version and says how many CVEs the CNA announced as fixed in it.
func TestReleaseNotes(t *testing.T) {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "kw.db"), store.Options{SeenTTL: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	at := time.Date(2026, 1, 19, 20, 0, 0, 0, time.UTC)
	items := []item.Item{
		{Source: "lwn", Title: "Linux 6.13 released", Link: "https://lwn.net/Articles/1004/", Published: at, Topics: []string{"releases"}},
		{Source: "lwn", Title: "The beginning of the 6.13 merge window", Link: "https://lwn.net/Articles/1001/",
			Published: at.Add(-60 * 24 * time.Hour), Topics: []string{"releases"}},
		{Source: "lwn", Title: "The rest of the 6.14 merge window", Link: "https://lwn.net/Articles/1002/", Published: at.Add(-time.Hour), Topics: []string{"releases"}},
		{Source: "cve", Title: "CVE-2025-21001: mm: fix a leak", Link: "https://lore.kernel.org/linux-cve-announce/a@gregkh/",
			Published: at.Add(48 * time.Hour), Topics: []string{"security"},
			Extracted: item.Extracted{CVE: &item.CVE{ID: "CVE-2025-21001", Fixed: []string{"6.12.10", "6.13"}}}},
		{Source: "cve", Title: "CVE-2025-21002: net: fix a race", Link: "https://lore.kernel.org/linux-cve-announce/b@gregkh/",
			Published: at.Add(49 * time.Hour), Topics: []string{"security"},
			Extracted: item.Extracted{CVE: &item.CVE{ID: "CVE-2025-21002", Fixed: []string{"6.12.10"}}}},
	}
	for _, it := range items {
		batch := []item.Item{it}
		dedup.Assign(batch, it.Source)
		if _, err := st.SaveItems(t.Context(), it.Source, batch); err != nil {
			t.Fatal(err)
		}
	}
	s := New(Config{Store: st, Version: "test", VersionTTL: time.Nanosecond,
		Topics:  []item.Topic{{Slug: "releases", Title: "Releases"}, {Slug: "security", Title: "Security"}},
		Sources: []item.Source{{Name: "lwn", URL: "https://lwn.net/headlines/rss"}, {Name: "cve", URL: "https://lore.kernel.org/linux-cve-announce/new.atom"}}})
	rec := do(t, s, "/feeds/releases.atom")
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	rel := feed.Items[0]
	if rel.Title != "Linux 6.13 released" {
		t.Fatalf("first entry %q", rel.Title)
	}
	for _, want := range []string{"Fixes 1 CVE</strong> the kernel CNA announced: CVE-2025-21001.",
		`Release notes: <a href="https://lwn.net/Articles/1001/">lwn: The beginning of the 6.13 merge window</a>.`} {
		if !strings.Contains(rel.Content, want) {
			t.Errorf("release content lacks %q:\n%s", want, rel.Content)
		}
	}
	if strings.Contains(rel.Content, "6.14") {
		t.Errorf("another version's notes attached: %s", rel.Content)
	}
	if rel.UpdatedParsed == nil || !rel.UpdatedParsed.Equal(at.Add(48*time.Hour)) {
		t.Errorf("updated %v, want the CVE announcement's date", rel.UpdatedParsed)
	}
}
