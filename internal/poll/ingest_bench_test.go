package poll

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/fetch"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/store/boltstore"
	"github.com/kernelwire/kernelwire/internal/store/redisstore"
	"github.com/kernelwire/kernelwire/internal/store/redistest"
	"github.com/kernelwire/kernelwire/internal/story/storytest"
	"github.com/mmcdole/gofeed"
)

// BenchmarkIngest measures ingest against plain parsing: the ten real
// feeds of storytest.Fixtures (223 items) taken from fetched bytes into a
// fresh store (parse, tag, key, cluster, save: Poller.ingest, the part of
// a poll between fetch and bookkeeping) on each backend, and "gofeed",
// gofeed parsing the same bytes and nothing else. The ratio gofeed/bolt is
// issue 12's "ingest vs parse-only" figure on these feeds.
func BenchmarkIngest(b *testing.B) {
	var resps []*fetch.Response
	var srcs []item.Source
	for _, f := range storytest.Fixtures(b) {
		resps = append(resps, &fetch.Response{Status: 200, Body: f.Body, ContentType: f.ContentType, FinalURL: f.URL})
		srcs = append(srcs, item.Source{Name: f.Source, URL: f.URL})
	}
	now := time.Date(2026, 7, 3, 0, 0, 0, 0, time.UTC)
	backends := []struct {
		name string
		open func(b *testing.B, opts store.Options) store.Store
	}{
		{"bolt", func(b *testing.B, opts store.Options) store.Store {
			s, err := boltstore.Open(filepath.Join(b.TempDir(), "kw.db"), opts)
			if err != nil {
				b.Fatal(err)
			}
			return s
		}},
		{"redis", func(b *testing.B, opts store.Options) store.Store {
			s, err := redisstore.Open(context.Background(), redistest.URL(b), redistest.Prefix(b, "ingest"), opts)
			if err != nil {
				b.Fatal(err)
			}
			return s
		}},
	}
	b.Run("gofeed", func(b *testing.B) {
		fp := gofeed.NewParser()
		n := 0
		for b.Loop() {
			for _, resp := range resps {
				feed, err := fp.Parse(bytes.NewReader(resp.Body))
				if err != nil {
					b.Fatal(err)
				}
				n += len(feed.Items)
			}
		}
		b.ReportMetric(float64(n)/float64(b.N), "items/op")
	})
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			ctx := context.Background()
			n := 0
			for b.Loop() {
				b.StopTimer()
				st := be.open(b, testOptions())
				p := New(Config{Store: st, Tagger: tagger(b), Now: func() time.Time { return now }})
				b.StartTimer()
				for i, resp := range resps {
					_, saved, _, err := p.ingest(ctx, srcs[i], srcs[i].URL, resp, now, false)
					if err != nil {
						b.Fatal(err)
					}
					n += len(saved.Outcomes)
				}
				b.StopTimer()
				_ = st.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(n)/float64(b.N), "items/op")
		})
	}
}
