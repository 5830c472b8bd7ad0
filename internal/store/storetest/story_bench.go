package storetest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kernelwire/kernelwire/internal/dedup"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/parse"
	"github.com/kernelwire/kernelwire/internal/store"
)

// StoryFixtures are real feeds of internal/parse/testdata, one source
// each, as the end-to-end test polls them (223 items, among them the same
// Rust releases on the blog and on GitHub).
var StoryFixtures = []string{
	"kdist_2020-05-03_feed-rs-fixture_1item.xml",
	"lwn-headlines-rss_2023-07-07.rdf",
	"lwn-republished-by-zhangyoufu_2026-07-02_rss2.xml",
	"phoronix-rss_2025-08-02_rss2.xml",
	"rust-blog-feed_2023-07-18_atom.xml",
	"inside-rust-feed_2023-07-18_atom.xml",
	"rust-lang-rust-github-releases_2024-03-28_rss2.xml",
	"hn-frontpage-scraped_2025-12-01T0546_atom.xml",
	"slashdot-main-rss1.0_2018-01-22T2349.rdf",
	"reddit-r-rust_2020-05-18_atom_1item.xml",
}

// FixtureBatches parses the fixtures under dir (internal/parse/testdata)
// into one batch per feed, as poll hands them to SaveItems: source set,
// filed under the source's name as topic, keys assigned by dedup.Assign.
func FixtureBatches(tb testing.TB, dir string) [][]item.Item {
	tb.Helper()
	var out [][]item.Item
	for _, name := range StoryFixtures {
		body, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			tb.Fatal(err)
		}
		ct := "application/rss+xml"
		if strings.Contains(name, "atom") {
			ct = "application/atom+xml"
		}
		feed, err := parse.Parse(body, ct, "https://fixture.example/"+name, T0())
		if err != nil {
			tb.Fatalf("parse %s: %v", name, err)
		}
		src := strings.SplitN(name, "_", 2)[0]
		items := feed.Items
		for i := range items {
			items[i].Source = src
			items[i].Topics = []string{src}
		}
		dedup.Assign(items, src)
		out = append(out, items)
	}
	return out
}

// BenchmarkStorySave saves every batch into a fresh store per iteration,
// without clustering ("plain") and with it ("stories"), same items (keys,
// story keys and signatures computed beforehand): the ratio of the two is
// what clustering costs SaveItems alone. What it costs ingest, parse to
// store, is poll's BenchmarkIngest.
func BenchmarkStorySave(b *testing.B, open func(b *testing.B, opts store.Options) store.Store, batches [][]item.Item) {
	n := 0
	for _, batch := range batches {
		n += len(batch)
	}
	for _, mode := range []struct {
		name string
		opts store.Options
	}{
		{"plain", defaultOptions()},
		{"stories", StoryOptions(nil)},
	} {
		b.Run(mode.name, func(b *testing.B) {
			ctx := b.Context()
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				s := open(b, mode.opts)
				b.StartTimer()
				for _, batch := range batches {
					if _, err := s.SaveItems(ctx, batch[0].Source, batch); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(n), "items/op")
		})
	}
}
