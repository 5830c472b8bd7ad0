package boltstore

import (
	"encoding/binary"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kernelwire/kernelwire/internal/dedup"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/store/storetest"
	"github.com/kernelwire/kernelwire/internal/story"
	"github.com/kernelwire/kernelwire/internal/story/storytest"
)

func BenchmarkStorySave(b *testing.B) {
	storetest.BenchmarkStorySave(b, func(b *testing.B, opts store.Options) store.Store {
		return openTemp(b, opts)
	}, storytest.FixtureBatches(b, storetest.T0()))
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
			n = tx.Bucket([]byte(bucketLookupLog)).Stats().KeyN
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
	clock.Advance(story.LookupTTL(opts.StoryWindow) + time.Hour)
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

// TestStoryLookupsConvert opens a store whose lookups are in the former
// per-item layout: a save finds the story through them, and the former
// bucket is gone, its entries moved into the log.
func TestStoryLookupsConvert(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kernelwire.db")
	opts := storetest.StoryOptions(nil)
	clock := storetest.NewClock(storetest.T0())
	ctx := t.Context()
	s, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	s.SetClock(clock.Now)
	first := []item.Item{{Source: "lwn", Title: "Linux 6.13 released", Link: "https://lwn.net/Articles/1/", Published: clock.Now().Add(-time.Hour)}}
	dedup.Assign(first, "lwn")
	if _, err := s.SaveItems(ctx, "lwn", first); err != nil {
		t.Fatal(err)
	}
	// Rewrite the log as the former layout would have held it.
	exp := clock.Now().Add(story.LookupTTL(opts.StoryWindow)).UnixNano()
	err = s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket([]byte(bucketLookupLog)); err != nil {
			return err
		}
		old, err := tx.CreateBucket([]byte(bucketLookupsV2))
		if err != nil {
			return err
		}
		var rec []byte
		for _, f := range append(first[0].StoryKeys, first[0].Buckets...) {
			rec = binary.BigEndian.AppendUint64(rec, uint64(exp))
			rec = binary.BigEndian.AppendUint16(rec, uint16(len(f)))
			rec = append(rec, f...)
		}
		return old.Put([]byte(first[0].Key), rec)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = Open(path, opts); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.SetClock(clock.Now)
	next := []item.Item{{Source: "phoronix", Title: "Linux 6.13 Released", Link: "https://phoronix.com/linux-613", Published: clock.Now()}}
	dedup.Assign(next, "phoronix")
	res, err := s.SaveItems(ctx, "phoronix", next)
	if err != nil {
		t.Fatal(err)
	}
	if res.Joined != 1 {
		t.Fatalf("joined %d stories through converted lookups, want 1", res.Joined)
	}
	err = s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket([]byte(bucketLookupsV2)) != nil {
			t.Error("the former lookups bucket is still there")
		}
		if n := tx.Bucket([]byte(bucketLookupLog)).Stats().KeyN; n != 2 {
			t.Errorf("%d log records, want 2 (converted, then the new save)", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestStoryLookupsMalformed reopens a store whose lookup log holds a record
// that is none of kernelwire's: it is skipped, and the good ones still find
// their stories.
func TestStoryLookupsMalformed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kernelwire.db")
	opts := storetest.StoryOptions(nil)
	clock := storetest.NewClock(storetest.T0())
	ctx := t.Context()
	s, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	s.SetClock(clock.Now)
	first := []item.Item{{Source: "lwn", Title: "Linux 6.13 released", Link: "https://lwn.net/Articles/1/", Published: clock.Now().Add(-time.Hour)}}
	dedup.Assign(first, "lwn")
	if _, err := s.SaveItems(ctx, "lwn", first); err != nil {
		t.Fatal(err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(bucketLookupLog)).Put(logKey(clock.Now().Add(time.Hour).UnixMilli(), 99), []byte("not base36 !\n"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = Open(path, opts); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.SetClock(clock.Now)
	next := []item.Item{{Source: "phoronix", Title: "Linux 6.13 Released", Link: "https://phoronix.com/linux-613", Published: clock.Now()}}
	dedup.Assign(next, "phoronix")
	res, err := s.SaveItems(ctx, "phoronix", next)
	if err != nil {
		t.Fatalf("a malformed lookup record stopped the save: %v", err)
	}
	if res.Joined != 1 {
		t.Fatalf("joined %d stories, want 1", res.Joined)
	}
}
