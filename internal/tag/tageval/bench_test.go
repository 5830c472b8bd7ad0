package tageval

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/parse"
	"github.com/kernelwire/kernelwire/internal/tag"
)

// corpus is every real feed in testdata/feeds: its bytes for gofeed, and
// its items as package parse delivers them to the tagger (sanitised HTML,
// canonical links), so both benchmarks work on the same items.
type corpus struct {
	bodies [][]byte
	items  []item.Item
	source []string
}

func loadCorpus(tb testing.TB) corpus {
	tb.Helper()
	files, err := filepath.Glob("testdata/feeds/*")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no feeds in testdata/feeds: %v", err)
	}
	var c corpus
	p := parse.NewParser()
	now := time.Date(2026, 7, 3, 0, 0, 0, 0, time.UTC)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		feed, err := p.Parse(b, "", "https://example.org/feed", now)
		if err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		c.bodies = append(c.bodies, b)
		for _, it := range feed.Items {
			c.items = append(c.items, it)
			c.source = append(c.source, filepath.Base(f))
		}
	}
	return c
}

// BenchmarkParseGofeed is the yardstick: gofeed alone parsing every feed
// of the corpus (our own parse adds sanitising on top, so this is the
// cheaper, stricter baseline).
func BenchmarkParseGofeed(b *testing.B) {
	c := loadCorpus(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, body := range c.bodies {
			if _, err := gofeed.NewParser().Parse(bytes.NewReader(body)); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(c.items)), "ns/item")
}

// BenchmarkTagShipped tags every item of the corpus with the full shipped
// rule set.
func BenchmarkTagShipped(b *testing.B) {
	c := loadCorpus(b)
	_, tg := shipped(b)
	benchTag(b, c, tg)
}

func benchTag(b *testing.B, c corpus, tg *tag.Tagger) {
	b.ReportAllocs()
	for b.Loop() {
		for i := range c.items {
			it := c.items[i]
			tg.Tag(&it, c.source[i], nil)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(c.items)), "ns/item")
}
