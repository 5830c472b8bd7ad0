package publish

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/kernelwire/kernelwire/internal/item"
)

// kernelFeed holds a kdist release record, an applied series with
// coverage and replies, and a CNA CVE announcement.
func kernelFeed(format Format) Feed {
	f := testFeed()
	f.SelfURL = "https://kernelwire.example.org/feeds/all." + string(format)
	applied := t0.Add(30 * time.Hour)
	f.Items = []item.Item{
		{
			Key: "g:kdist-6.12.5", Source: "kernel-org", Link: "https://www.kernel.org/", Title: "6.12.5: stable",
			Summary: "<table><tr><th>Version:</th><td><strong>6.12.5</strong> (stable)</td></tr></table>", Published: t0,
			Extracted: item.Extracted{Release: &item.Release{Version: "6.12.5", Moniker: "stable", Released: "2026-01-05",
				Tarball:   "https://cdn.kernel.org/pub/linux/kernel/v6.x/linux-6.12.5.tar.xz",
				ChangeLog: "https://cdn.kernel.org/pub/linux/kernel/v6.x/ChangeLog-6.12.5",
				Browse:    "https://git.kernel.org/stable/h/v6.12.5"}},
		},
		{
			Key: "l:v2", Source: "lore-rust", Link: "https://lore.kernel.org/rust-for-linux/20260105-foo-v2-0@example.org/",
			Title: "[PATCH v2 0/3] rust: add foo", Author: "Jane Dev <jane@example.org>", Content: "<pre>Adds foo.</pre>",
			Published: t0.Add(-time.Hour), Replies: 4,
			Related: []item.Related{{URL: "https://www.phoronix.com/news/Rust-Foo", Source: "phoronix", Title: "Rust foo posted"}},
			Status: &item.Status{
				Events: []item.Event{
					{State: item.StateApplied, Tree: "rust-next", Who: "Miguel Ojeda <ojeda@kernel.org>", When: applied,
						Message: "https://lore.kernel.org/rust-for-linux/CANiq@mail.gmail.com/", Text: "Applied to rust-next"},
					{State: item.StateReviewed, Who: "Alice Ryhl", When: t0},
					{State: item.StatePosted, Version: 2, Patches: 3, Who: "Jane Dev <jane@example.org>", When: t0.Add(-time.Hour),
						Message: "https://lore.kernel.org/rust-for-linux/20260105-foo-v2-0@example.org/"},
				},
				Reviews: []item.Review{{Kind: "Reviewed-by", Who: "Alice Ryhl"}, {Kind: "Acked-by", Who: "Boqun Feng"}},
			},
		},
		{
			Key: "l:cve", Source: "cve-announce", Link: "https://lore.kernel.org/linux-cve-announce/2024022257-CVE-2024-26581-00ee@gregkh/",
			Title: "CVE-2024-26581: netfilter: nft_set_rbtree: skip end interval element from gc", Published: t0.Add(-2 * time.Hour),
			Topics: []string{"networking", "security"},
			Extracted: item.Extracted{CVEs: []string{"CVE-2024-26581"}, CVE: &item.CVE{ID: "CVE-2024-26581",
				Fixed: []string{"6.6.17", "6.7.5"}, Introduced: []string{"6.5"}, Files: []string{"net/netfilter/nft_set_rbtree.c"},
				Subsystems: []string{"networking"}}},
		},
	}
	return f
}

// TestKernelReaders reads each format back with gofeed, as readers do:
// what they show (RSS content:encoded and description, Atom content, JSON
// content_html) carries the release headline and link, the series status
// with its tree and the coverage list, and the entry is updated when the
// status last changed.
func TestKernelReaders(t *testing.T) {
	for _, format := range allFormats {
		t.Run(string(format), func(t *testing.T) {
			body, err := Render(kernelFeed(format), format)
			if err != nil {
				t.Fatal(err)
			}
			feed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			rel, series, cve := feed.Items[0], feed.Items[1], feed.Items[2]
			if rel.Title != "Linux 6.12.5 (stable)" || rel.Link != "https://cdn.kernel.org/pub/linux/kernel/v6.x/ChangeLog-6.12.5" {
				t.Errorf("release shown as %q -> %q", rel.Title, rel.Link)
			}
			shown := []string{series.Content}
			if format == RSS {
				shown = append(shown, series.Description)
			}
			for _, s := range shown {
				for _, want := range []string{"Status: applied to rust-next by Miguel Ojeda, 2026-01-06.",
					"reviewed by Alice Ryhl (1 Reviewed-by, 1 Acked-by)", "v2 posted, 3 patches by Jane Dev",
					`<a href="https://www.phoronix.com/news/Rust-Foo">phoronix: Rust foo posted</a>`, "4 replies."} {
					if !strings.Contains(s, want) {
						t.Errorf("series shows %q, lacking %q", s, want)
					}
				}
			}
			if series.UpdatedParsed == nil || !series.UpdatedParsed.Equal(t0.Add(30*time.Hour)) {
				if format != RSS { // RSS has no updated date
					t.Errorf("series updated %v, want when it was applied", series.UpdatedParsed)
				}
			}
			if !strings.Contains(cve.Content+cve.Description, "CVE-2024-26581</strong>: fixed in 6.6.17, 6.7.5; introduced in 6.5") {
				t.Errorf("CVE shows %q", cve.Content+cve.Description)
			}
		})
	}
}

// TestKernelJSON checks the _kernelwire.status and .cve schema the README
// documents.
func TestKernelJSON(t *testing.T) {
	body, err := Render(kernelFeed(JSON), JSON)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Items []struct {
			Modified   time.Time `json:"date_modified"`
			Kernelwire struct {
				Status struct {
					State, Tree, Who, Message string
					When                      time.Time
					Version, Patches          int
					Reviews                   []item.Review
					History                   []struct{ State, Tree, Who, Text string }
				} `json:"status"`
				CVE struct {
					ID                       string
					Fixed, Introduced, Files []string
					Subsystems               []string
				} `json:"cve"`
				Release struct{ Version, Moniker, ChangeLog string } `json:"release"`
			} `json:"_kernelwire"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	st := doc.Items[1].Kernelwire.Status
	if st.State != "applied" || st.Tree != "rust-next" || st.Who != "Miguel Ojeda" || !st.When.Equal(t0.Add(30*time.Hour)) ||
		st.Message != "https://lore.kernel.org/rust-for-linux/CANiq@mail.gmail.com/" || st.Version != 2 || st.Patches != 3 ||
		len(st.Reviews) != 2 || len(st.History) != 3 || st.History[2].State != "posted" {
		t.Errorf("status = %+v", st)
	}
	if !doc.Items[1].Modified.Equal(t0.Add(30 * time.Hour)) {
		t.Errorf("date_modified = %v, want when it was applied", doc.Items[1].Modified)
	}
	c := doc.Items[2].Kernelwire.CVE
	if c.ID != "CVE-2024-26581" || strings.Join(c.Fixed, ",") != "6.6.17,6.7.5" || strings.Join(c.Subsystems, ",") != "networking" {
		t.Errorf("cve = %+v", c)
	}
	if r := doc.Items[0].Kernelwire.Release; r.Version != "6.12.5" || r.Moniker != "stable" || !strings.HasSuffix(r.ChangeLog, "ChangeLog-6.12.5") {
		t.Errorf("release = %+v", r)
	}
}

func TestReleaseNotesJSON(t *testing.T) {
	f := kernelFeed(JSON)
	f.Releases = map[string]ReleaseNotes{"6.12.5": {CVEs: []string{"CVE-2025-1", "CVE-2025-2"},
		Notes:   []item.Related{{URL: "https://lwn.net/Articles/9/", Source: "lwn", Title: "Stable kernel notes"}},
		Updated: t0.Add(72 * time.Hour)}}
	body, err := Render(f, JSON)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Items []struct {
			ContentHTML string    `json:"content_html"`
			Modified    time.Time `json:"date_modified"`
			Kernelwire  struct {
				Notes struct {
					FixesCVEs []string `json:"fixes_cves"`
					Notes     []struct{ URL string }
				} `json:"release_notes"`
			} `json:"_kernelwire"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	rel := doc.Items[0]
	if strings.Join(rel.Kernelwire.Notes.FixesCVEs, ",") != "CVE-2025-1,CVE-2025-2" || len(rel.Kernelwire.Notes.Notes) != 1 ||
		!strings.Contains(rel.ContentHTML, "Fixes 2 CVEs") || !rel.Modified.Equal(t0.Add(72*time.Hour)) {
		t.Errorf("release entry: %+v", rel)
	}
	if doc.Items[1].Kernelwire.Notes.FixesCVEs != nil {
		t.Errorf("the series got release notes")
	}
}
