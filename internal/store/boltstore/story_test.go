package boltstore

import (
	"testing"

	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/store/storetest"
)

func BenchmarkIngest(b *testing.B) {
	storetest.BenchmarkIngest(b, func(b *testing.B, opts store.Options) store.Store {
		return openTemp(b, opts)
	}, storetest.FixtureBatches(b, "../../parse/testdata"))
}
