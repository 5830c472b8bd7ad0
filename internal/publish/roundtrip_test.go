package publish

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
)

// TestRoundTripGofeed reads our output back with the parser the fetch side
// uses: what a reader needs (titles, links, categories, dates, ids) must
// survive in every format.
func TestRoundTripGofeed(t *testing.T) {
	items := testItems()
	wantTitles := []string{
		"[PATCH v3 02/11] rust: kernel: add foo",
		"Why x < y in <linux/sched.h> & friends",
		"Bug 100: oops in ext4",
		"Bug 200: oops in ext4",
		"Item without a link",
		"Control char",
	}
	for _, format := range allFormats {
		t.Run(string(format), func(t *testing.T) {
			doc, err := Render(testFeed(), format)
			if err != nil {
				t.Fatal(err)
			}
			feed, err := gofeed.NewParser().Parse(bytes.NewReader(doc))
			if err != nil {
				t.Fatalf("gofeed: %v", err)
			}
			if got, want := feed.FeedType, map[Format]string{RSS: "rss", Atom: "atom", JSON: "json"}[format]; got != want {
				t.Errorf("feed type = %q, want %q", got, want)
			}
			if feed.Title != "kernelwire: all" {
				t.Errorf("feed title = %q", feed.Title)
			}
			if format != JSON && (feed.UpdatedParsed == nil || !feed.UpdatedParsed.Equal(t0)) {
				t.Errorf("feed updated = %v, want %v", feed.UpdatedParsed, t0)
			}
			if len(feed.Items) != len(items) {
				t.Fatalf("got %d items, want %d", len(feed.Items), len(items))
			}
			ids := map[string]bool{}
			for i, got := range feed.Items {
				want := items[i]
				if got.Title != wantTitles[i] {
					t.Errorf("item %d title = %q, want %q", i, got.Title, wantTitles[i])
				}
				if got.Link != want.Link {
					t.Errorf("item %d link = %q, want %q", i, got.Link, want.Link)
				}
				wantCats := want.Topics
				if format == Atom {
					// gofeed shows an Atom category's label when it has
					// one; the terms are checked by TestRoundTripAtomTerms.
					wantCats = nil
					for _, topic := range want.Topics {
						wantCats = append(wantCats, testFeed().TopicTitles[topic])
					}
				}
				if !slices.Equal(got.Categories, wantCats) {
					t.Errorf("item %d categories = %q, want %q", i, got.Categories, wantCats)
				}
				if got.PublishedParsed == nil || !got.PublishedParsed.Equal(want.Published) {
					t.Errorf("item %d published = %v, want %v", i, got.PublishedParsed, want.Published)
				}
				if format != RSS {
					wantUpdated := want.Published
					if want.Updated.After(wantUpdated) {
						wantUpdated = want.Updated
					}
					if got.UpdatedParsed == nil || !got.UpdatedParsed.Equal(wantUpdated) {
						t.Errorf("item %d updated = %v, want %v", i, got.UpdatedParsed, wantUpdated)
					}
				}
				if !strings.HasPrefix(got.GUID, "tag:kernelwire.example.org,2026:item/") || !strings.HasSuffix(got.GUID, want.Key) {
					t.Errorf("item %d id = %q, want the tag: URI of key %q", i, got.GUID, want.Key)
				}
				if ids[got.GUID] {
					t.Errorf("item %d id %q is not unique", i, got.GUID)
				}
				ids[got.GUID] = true
			}
			if a, b := feed.Items[2].GUID, feed.Items[3].GUID; a == b {
				t.Errorf("view?id=100 and view?id=200 share the id %q", a)
			}
		})
	}
}

// TestRoundTripStableIDs renders the same items in a different feed of the
// same deployment: an article keeps its id wherever it is published.
func TestRoundTripStableIDs(t *testing.T) {
	ids := func(f Feed) []string {
		doc, err := Render(f, Atom)
		if err != nil {
			t.Fatal(err)
		}
		feed, err := gofeed.NewParser().Parse(bytes.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, it := range feed.Items {
			out = append(out, it.GUID)
		}
		return out
	}
	a := testFeed()
	b := testFeed()
	b.ID = "tag:kernelwire.example.org,2026:feeds/rust"
	b.Updated = t0.Add(time.Hour)
	if x, y := ids(a), ids(b); !slices.Equal(x, y) {
		t.Errorf("ids differ between feeds:\n%q\n%q", x, y)
	}
}

// TestRoundTripAtomTerms checks the category terms (topic slugs) that the
// universal gofeed.Item hides behind the labels.
func TestRoundTripAtomTerms(t *testing.T) {
	doc, err := Render(testFeed(), Atom)
	if err != nil {
		t.Fatal(err)
	}
	feed, err := (&atom.Parser{}).Parse(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range testItems() {
		var terms []string
		for _, c := range feed.Entries[i].Categories {
			terms = append(terms, c.Term)
		}
		if !slices.Equal(terms, want.Topics) {
			t.Errorf("entry %d terms = %q, want %q", i, terms, want.Topics)
		}
	}
}
