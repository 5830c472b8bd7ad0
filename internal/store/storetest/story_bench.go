package storetest

import (
	"testing"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
)

// BenchmarkStorySave saves every batch into a fresh store per iteration
// (keys, story keys and signatures computed beforehand): SaveItems alone.
// What ingest costs, parse to store, is poll's BenchmarkIngest.
func BenchmarkStorySave(b *testing.B, open func(b *testing.B, opts store.Options) store.Store, batches [][]item.Item) {
	n := 0
	for _, batch := range batches {
		n += len(batch)
	}
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		s := open(b, StoryOptions(nil))
		b.StartTimer()
		for _, batch := range batches {
			if _, err := s.SaveItems(ctx, batch[0].Source, batch); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(n), "items/op")
}
