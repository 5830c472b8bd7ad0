package boltstore

import (
	"encoding/binary"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/store/storetest"
)

func openTemp(t testing.TB, opts store.Options) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "kernelwire.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() }) // the suite may have closed it already
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, opts store.Options) store.Store {
		return openTemp(t, opts)
	})
}

func TestOpenLockedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kernelwire.db")
	s, err := Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// bbolt's flock is per open file description, so a second Open in the
	// same process stands in for a second process.
	start := time.Now()
	_, err = Open(path, store.Options{})
	if err == nil {
		t.Fatal("second Open of a locked file: got nil error")
	}
	if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "another") {
		t.Fatalf("second Open: error %q should name %s and say another process holds it", err, path)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("second Open took %v, want about %v", d, lockTimeout)
	}
}

func TestOpenBadPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing-dir", "kernelwire.db")
	if _, err := Open(path, store.Options{}); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("Open(%s): got %v, want an error naming the file", path, err)
	}
}

func TestIndexKeyOrder(t *testing.T) {
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name        string
		first, then item.Item // first must sort before then
	}{
		{"newer first", item.Item{Key: "z", Published: base.Add(time.Nanosecond)}, item.Item{Key: "a", Published: base}},
		{"tie by key", item.Item{Key: "a", Published: base}, item.Item{Key: "b", Published: base}},
		{"prefix key first", item.Item{Key: "a", Published: base}, item.Item{Key: "ab", Published: base}},
		{"pre-1970 clamps oldest", item.Item{Key: "b", Published: time.Unix(0, 0)}, item.Item{Key: "c", Published: time.Time{}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, b := indexKey(tc.first.Published, tc.first.Key), indexKey(tc.then.Published, tc.then.Key)
			if string(a) >= string(b) {
				t.Fatalf("index key of %s (%x) does not sort before %s (%x)", tc.first.Key, a, tc.then.Key, b)
			}
			if got, want := publishedOf(a), publishedNanos(tc.first.Published); got != want {
				t.Fatalf("publishedOf: got %d, want %d", got, want)
			}
		})
	}
}

// TestPruneSweepsSeen checks the part of retention the suite cannot see:
// expired marks are deleted from the file, live ones kept.
func TestPruneSweepsSeen(t *testing.T) {
	s := openTemp(t, store.Options{SeenTTL: time.Hour})
	clock := storetest.NewClock(storetest.T0())
	s.SetClock(clock.Now)
	ctx := t.Context()
	if _, err := s.SaveItems(ctx, "s1", []item.Item{storetest.Item("old", "s1", 0)}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(50 * time.Minute)
	if _, err := s.SaveItems(ctx, "s1", []item.Item{storetest.Item("young", "s1", 0)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Prune(ctx, storetest.T0().Add(61*time.Minute)); err != nil {
		t.Fatal(err)
	}
	var marks []string
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(bucketSeen)).ForEach(func(k, v []byte) error {
			marks = append(marks, string(k))
			if exp := time.Unix(0, int64(binary.BigEndian.Uint64(v))); !exp.Equal(storetest.T0().Add(110 * time.Minute)) {
				t.Errorf("mark %s expires %v, want T0+110m", k, exp)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(marks) != 1 || marks[0] != "young" {
		t.Fatalf("seen marks after Prune: got %q, want [young]", marks)
	}
}

func BenchmarkSaveItems500(b *testing.B) {
	storetest.BenchmarkSaveItems(b, openTemp(b, store.Options{SeenTTL: 30 * 24 * time.Hour}), 500)
}
