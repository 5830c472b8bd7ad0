package publish

import (
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/item"
)

// relatedFeed is a story with coverage from two other sources (one without
// a link) and a patch with replies.
func relatedFeed(format Format) Feed {
	f := testFeed()
	f.SelfURL = "https://kernelwire.example.org/feeds/all." + string(format)
	f.Items = []item.Item{
		{
			Key:       "https://blog.rust-lang.org/2023/07/13/Rust-1.71.0.html",
			Source:    "rust-blog",
			Link:      "https://blog.rust-lang.org/2023/07/13/Rust-1.71.0.html",
			Title:     "Announcing Rust 1.71.0",
			Summary:   "The Rust team is happy to announce a new version of Rust, 1.71.0.",
			Topics:    []string{"releases", "rust"},
			Published: t0,
			Related: []item.Related{
				{URL: "https://github.com/rust-lang/rust/releases/tag/1.71.0", Source: "rust-releases", Title: "1.71.0", Published: t0.Add(-time.Hour)},
				{URL: "https://lwn.net/Articles/937900/?a=1&b=<2>", Source: "lwn", Title: "Rust 1.71.0 & friends", Published: t0.Add(time.Hour)},
				{Source: "mail", Title: "No link here"},
			},
		},
		{
			Key:       "https://lore.kernel.org/r/20260105-foo-v3-0@example.org",
			Source:    "lore-rust",
			Link:      "https://lore.kernel.org/r/20260105-foo-v3-0@example.org",
			Title:     "[PATCH v3 0/11] rust: kernel: add foo",
			Topics:    []string{"rust"},
			Published: t0.Add(-2 * time.Hour),
			Replies:   3,
		},
	}
	return f
}

func TestRenderRelatedGolden(t *testing.T) {
	for _, format := range allFormats {
		t.Run(string(format), func(t *testing.T) {
			got, err := Render(relatedFeed(format), format)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "related."+string(format), got)
		})
	}
}

// TestRenderRelated checks what readers see of a story's coverage in each
// format, parsed back rather than by string matching.
func TestRenderRelated(t *testing.T) {
	t.Run("atom", func(t *testing.T) {
		body, err := Render(relatedFeed(Atom), Atom)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Entries []struct {
				Links []struct {
					Href  string `xml:"href,attr"`
					Rel   string `xml:"rel,attr"`
					Title string `xml:"title,attr"`
				} `xml:"link"`
			} `xml:"entry"`
		}
		if err := xml.Unmarshal(body, &doc); err != nil {
			t.Fatal(err)
		}
		var related []string
		for _, l := range doc.Entries[0].Links {
			if l.Rel == "related" {
				related = append(related, l.Title+" <"+l.Href+">")
			}
		}
		want := []string{
			"rust-releases: 1.71.0 <https://github.com/rust-lang/rust/releases/tag/1.71.0>",
			"lwn: Rust 1.71.0 & friends <https://lwn.net/Articles/937900/?a=1&b=<2>>",
		}
		if strings.Join(related, "\n") != strings.Join(want, "\n") {
			t.Fatalf("related links:\n%s\nwant:\n%s", strings.Join(related, "\n"), strings.Join(want, "\n"))
		}
		if len(doc.Entries[1].Links) != 1 {
			t.Fatalf("entry without coverage has links %+v", doc.Entries[1].Links)
		}
	})
	t.Run("rss", func(t *testing.T) {
		body, err := Render(relatedFeed(RSS), RSS)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Items []struct {
				Description string `xml:"description"`
			} `xml:"channel>item"`
		}
		if err := xml.Unmarshal(body, &doc); err != nil {
			t.Fatal(err)
		}
		d := doc.Items[0].Description
		for _, want := range []string{
			"The Rust team is happy",
			`<p>Also covered by: <a href="https://github.com/rust-lang/rust/releases/tag/1.71.0">rust-releases: 1.71.0</a>, `,
			`<a href="https://lwn.net/Articles/937900/?a=1&amp;b=&lt;2&gt;">lwn: Rust 1.71.0 &amp; friends</a>, mail: No link here.</p>`,
		} {
			if !strings.Contains(d, want) {
				t.Errorf("description %q lacks %q", d, want)
			}
		}
		if d := doc.Items[1].Description; !strings.HasSuffix(d, "<p>3 replies.</p>") || !strings.Contains(d, "Status: v3 posted, 11 patches") {
			t.Errorf("patch description: got %q", d)
		}
	})
	t.Run("json", func(t *testing.T) {
		body, err := Render(relatedFeed(JSON), JSON)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Items []struct {
				Kernelwire struct {
					Related []struct {
						URL, Source, Title string
						DatePublished      string `json:"date_published"`
					} `json:"related"`
					Replies int `json:"replies"`
				} `json:"_kernelwire"`
			} `json:"items"`
		}
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatal(err)
		}
		r := doc.Items[0].Kernelwire.Related
		if len(r) != 3 || r[0].Source != "rust-releases" || r[0].DatePublished != "2026-01-05T09:30:00Z" || r[2].URL != "" {
			t.Fatalf("_kernelwire.related: got %+v", r)
		}
		if n := doc.Items[1].Kernelwire.Replies; n != 3 {
			t.Fatalf("_kernelwire.replies: got %d, want 3", n)
		}
	})
}
