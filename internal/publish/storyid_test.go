package publish

import (
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/item"
)

// TestStoryIDAndUpdated renders one story twice, as the store returns it
// before and after kernel.org's release record joined an aggregator's
// post: the representative changed, the published id (Atom id, RSS guid,
// JSON id) did not, and the entry's updated date moved to the story's
// last change.
func TestStoryIDAndUpdated(t *testing.T) {
	first := item.Item{
		Key: "l:aggregator", Source: "hn", Title: "Linux 6.23 Released",
		Link: "https://lore.kernel.org/r/linux-6.23", Published: t0,
	}
	later := item.Item{
		Key: "g:kernel-org", Source: "kernel-org", Title: "6.23: mainline",
		Link: "https://kernel.org/", Published: t0.Add(-time.Hour),
		StoryID: "l:aggregator", StoryUpdated: t0.Add(3 * time.Hour),
	}
	for _, format := range []Format{Atom, RSS, JSON} {
		t.Run(string(format), func(t *testing.T) {
			id0, up0 := renderOne(t, format, first)
			id1, up1 := renderOne(t, format, later)
			if id0 != id1 || !strings.HasSuffix(id1, "item/l:aggregator") {
				t.Errorf("ids %q then %q, want the story's one id (ending item/l:aggregator)", id0, id1)
			}
			if format == RSS {
				return // RSS items have no updated date
			}
			if want := t0.Add(3 * time.Hour); !up1.Equal(want) || !up0.Equal(t0) {
				t.Errorf("updated %v then %v, want %v then the story's change %v", up0, up1, t0, want)
			}
		})
	}
}

// renderOne renders a feed of it and returns its entry's id and updated
// date.
func renderOne(t *testing.T, format Format, it item.Item) (string, time.Time) {
	t.Helper()
	f := testFeed()
	f.SelfURL = "https://kernelwire.example.org/feeds/all." + string(format)
	f.Items = []item.Item{it}
	body, err := Render(f, format)
	if err != nil {
		t.Fatal(err)
	}
	var id, updated string
	switch format {
	case Atom:
		var doc struct {
			Entries []struct {
				ID      string `xml:"id"`
				Updated string `xml:"updated"`
			} `xml:"entry"`
		}
		if err := xml.Unmarshal(body, &doc); err != nil || len(doc.Entries) != 1 {
			t.Fatalf("atom: %v, %d entries", err, len(doc.Entries))
		}
		id, updated = doc.Entries[0].ID, doc.Entries[0].Updated
	case RSS:
		var doc struct {
			Items []struct {
				GUID string `xml:"guid"`
			} `xml:"channel>item"`
		}
		if err := xml.Unmarshal(body, &doc); err != nil || len(doc.Items) != 1 {
			t.Fatalf("rss: %v, %d items", err, len(doc.Items))
		}
		return doc.Items[0].GUID, time.Time{}
	case JSON:
		var doc struct {
			Items []struct {
				ID           string `json:"id"`
				DateModified string `json:"date_modified"`
			} `json:"items"`
		}
		if err := json.Unmarshal(body, &doc); err != nil || len(doc.Items) != 1 {
			t.Fatalf("json: %v, %d items", err, len(doc.Items))
		}
		id, updated = doc.Items[0].ID, doc.Items[0].DateModified
	}
	u, err := time.Parse(time.RFC3339, updated)
	if err != nil {
		t.Fatalf("updated %q: %v", updated, err)
	}
	return id, u
}
