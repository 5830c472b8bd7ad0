package ingestbench

import "testing"

// TestFeeds checks the workload: every cut feed parses, holds the items
// it says, and the whole is the corpus.
func TestFeeds(t *testing.T) {
	feeds := Feeds(t)
	if got := Count(feeds); got != 11952 {
		t.Errorf("%d items, want 11952", got)
	}
	n, err := ParseOnly(feeds)
	if err != nil {
		t.Fatal(err)
	}
	if n != Count(feeds) {
		t.Errorf("gofeed parsed %d items, the cuts say %d", n, Count(feeds))
	}
	half := Spread(feeds, len(feeds)/2)
	if len(half) != len(feeds)/2 || Count(half) < Count(feeds)*4/10 {
		t.Errorf("half: %d feeds of %d items", len(half), Count(half))
	}
	t.Logf("%d feeds, %d items; half: %d feeds, %d items", len(feeds), Count(feeds), len(half), Count(half))
}

func TestCut(t *testing.T) {
	doc := []byte(`<rss><channel><title>t</title><items>x</items><item><title>a</title></item>
<item><title>b</title></item><item
><title>c</title></item></channel></rss>`)
	parts, err := Cut(doc, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) != 2 || parts[0].Items != 2 || parts[1].Items != 1 {
		t.Fatalf("parts %+v", parts)
	}
	want := "<rss><channel><title>t</title><items>x</items><item\n><title>c</title></item></channel></rss>"
	if got := string(parts[1].Body); got != want {
		t.Errorf("second part:\n%s\nwant\n%s", got, want)
	}
}
