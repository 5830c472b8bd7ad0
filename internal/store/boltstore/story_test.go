package boltstore

import (
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kernelwire/kernelwire/internal/dedup"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/store/storetest"
)

func BenchmarkIngest(b *testing.B) {
	storetest.BenchmarkIngest(b, func(b *testing.B, opts store.Options) store.Store {
		return openTemp(b, opts)
	}, storetest.FixtureBatches(b, "../../parse/testdata"))
}

// TestStoryLookupsReopen checks the in-memory lookup index against its
// records: a store reopened finds the stories saved before, and Prune
// drops the records that expired.
func TestStoryLookupsReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kernelwire.db")
	opts := storetest.StoryOptions(nil)
	clock := storetest.NewClock(storetest.T0())
	ctx := t.Context()
	save := func(s *Store, src, title, link string) store.SaveResult {
		t.Helper()
		items := []item.Item{{Source: src, Title: title, Link: link, Published: clock.Now().Add(-time.Hour)}}
		dedup.Assign(items, src)
		res, err := s.SaveItems(ctx, src, items)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	open := func() *Store {
		t.Helper()
		s, err := Open(path, opts)
		if err != nil {
			t.Fatal(err)
		}
		s.SetClock(clock.Now)
		return s
	}
	s := open()
	save(s, "lwn", "Linux 6.13 released", "https://lwn.net/Articles/1/")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open()
	defer s.Close()
	if res := save(s, "phoronix", "Linux 6.13 Released", "https://phoronix.com/linux-613"); res.Joined != 1 {
		t.Fatalf("after reopening: joined %d, want 1", res.Joined)
	}
	records := func() int {
		n := 0
		err := s.db.View(func(tx *bolt.Tx) error {
			n = tx.Bucket([]byte(bucketLookups)).Stats().KeyN
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := records(); n != 2 {
		t.Fatalf("%d lookup records, want 2", n)
	}
	clock.Advance(opts.LookupTTL() + time.Hour)
	if _, err := s.Prune(ctx, clock.Now()); err != nil {
		t.Fatal(err)
	}
	if n := records(); n != 0 {
		t.Fatalf("%d lookup records after they expired, want 0", n)
	}
	if res := save(s, "hn", "Linux 6.13 released", "https://news.example/613"); res.Joined != 0 {
		t.Fatalf("joined %d stories whose lookups expired, want 0", res.Joined)
	}
}
