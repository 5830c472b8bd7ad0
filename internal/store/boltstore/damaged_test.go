package boltstore

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/store/storetest"
)

// filledStore writes a store file with enough items (and long enough
// summaries) to span many pages, overflow pages included, and closes it.
// size is how many bytes of it are pages in use.
func filledStore(t *testing.T) (path string, size int64) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "kernelwire.db")
	s, err := Open(path, store.Options{SeenTTL: 100 * 365 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	items := storetest.Items("k", "src", 400)
	for i := range items {
		items[i].Published = time.Now().Add(-time.Duration(i) * time.Minute)
		if i%50 == 0 {
			items[i].Content = strings.Repeat("a long article body ", 1000) // 20 KB: overflow pages
		}
	}
	if _, err := s.SaveItems(t.Context(), "src", items); err != nil {
		t.Fatal(err)
	}
	if err := s.PutSourceState(t.Context(), store.SourceState{Name: "src", URL: "https://example.org/feed"}); err != nil {
		t.Fatal(err)
	}
	// The pages in use: bbolt grows the file ahead of them, and cutting
	// only unused pages off is no damage.
	if err := s.db.View(func(tx *bolt.Tx) error { size = tx.Size(); return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path, size
}

// damage edits the file at path in place.
type damage func(t *testing.T, path string, size int64)

func truncateTo(frac float64) damage {
	return func(t *testing.T, path string, size int64) {
		if err := os.Truncate(path, int64(float64(size)*frac)); err != nil {
			t.Fatal(err)
		}
	}
}

// overwrite writes n bytes at off (n < 0: up to size), zeros or random.
func overwrite(off, n int64, zero bool) damage {
	return func(t *testing.T, path string, size int64) {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if n < 0 {
			n = size - off
		}
		b := make([]byte, n)
		if !zero {
			r := rand.New(rand.NewPCG(uint64(off), uint64(n)))
			for i := range b {
				b[i] = byte(r.Uint32())
			}
		}
		if _, err := f.WriteAt(b, off); err != nil {
			t.Fatal(err)
		}
	}
}

// scribbleEvery sets one random byte every stride bytes after the meta pages.
func scribbleEvery(stride int64) damage {
	return func(t *testing.T, path string, size int64) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		r := rand.New(rand.NewPCG(1, uint64(stride)))
		for i := int64(8192); i < int64(len(b)); i += stride {
			b[i] = byte(r.Uint32())
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// Every kind of damage the issue lists, on a real file: Open refuses it with
// ErrDamaged and a message naming the file and what to do; nothing panics.
func TestOpenDamagedFile(t *testing.T) {
	cases := []struct {
		name   string
		damage damage
	}{
		{"truncated to half", truncateTo(0.5)},
		{"truncated mid-page", truncateTo(0.77)},
		{"truncated to 100 bytes", truncateTo(0.0001)},
		{"zeroed", overwrite(0, -1, true)},
		{"meta pages zeroed", overwrite(0, 8192, true)},
		{"data pages zeroed", overwrite(8192, -1, true)},
		{"one page scribbled", overwrite(16384, 4096, false)},
		{"scribbled throughout", scribbleEvery(997)},
		{"random from the third page", overwrite(8192, -1, false)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path, size := filledStore(t)
			tc.damage(t, path, size)
			s, err := Open(path, store.Options{})
			if err == nil {
				// Not refused: then every read must still be an error
				// or an answer, never a panic (the walk below would
				// have panicked the test).
				defer s.Close()
				_, rerr := s.Items(t.Context(), store.Query{Limit: 1000})
				t.Fatalf("Open accepted the damaged file (Items: %v)", rerr)
			}
			if !errors.Is(err, ErrDamaged) {
				t.Fatalf("Open: got %v, want ErrDamaged", err)
			}
			msg := err.Error()
			for _, want := range []string{path, "restore it from a backup", "move it aside"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not say %q", msg, want)
				}
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error %q is more than one line", msg)
			}
		})
	}
}

// An empty file is what a crash between create and first write leaves: it
// holds nothing, so it is opened as a new store.
func TestOpenEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kernelwire.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path, store.Options{})
	if err != nil {
		t.Fatalf("Open of an empty file: %v", err)
	}
	_ = s.Close()
}

// Damage done while the store is open (which the open-time checks cannot
// see) turns into errors from the reads that meet it, not a dead process.
func TestDamageWhileOpen(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage damage
	}{
		{"truncated under the map", truncateTo(0.3)},
		{"pages scribbled", overwrite(8192, -1, false)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, size := filledStore(t)
			s, err := Open(path, store.Options{SeenTTL: 100 * 365 * 24 * time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			tc.damage(t, path, size)
			ctx := context.Background()
			var damagedErrs int
			reads := []func() error{
				func() error { _, err := s.Items(ctx, store.Query{Limit: 1000}); return err },
				func() error { _, err := s.Items(ctx, store.Query{Source: "src", Limit: 1000}); return err },
				func() error { _, err := s.Item(ctx, "k399"); return err },
				func() error { _, err := s.SourceStates(ctx); return err },
				func() error { _, err := s.Count(ctx, store.AllTopic); return err },
				func() error {
					_, err := s.SaveItems(ctx, "src", []item.Item{storetest.Item("new", "src", 0)})
					return err
				},
			}
			for _, read := range reads {
				if err := read(); errors.Is(err, ErrDamaged) {
					damagedErrs++
					if !strings.Contains(err.Error(), path) {
						t.Errorf("error %q does not name the file", err)
					}
				}
			}
			if damagedErrs == 0 {
				t.Fatal("no read reported the damage")
			}
		})
	}
}
