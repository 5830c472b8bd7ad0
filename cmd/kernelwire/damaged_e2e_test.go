package main

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kernelwire/kernelwire/internal/fetch/fetchtest"
)

// A damaged embedded store is refused by every command that opens it, with
// one line naming the file and what to do, exit 1: never a panic, never a
// "healthy" start that dies at the first request, never "0 failed".
func TestDamagedStore(t *testing.T) {
	up := fetchtest.NewServer(t)
	cfg := testConfig(t, up)
	cases := []struct {
		name   string
		damage func(t *testing.T, path string, used int64)
	}{
		{"truncated", func(t *testing.T, path string, used int64) {
			if err := os.Truncate(path, used/2); err != nil {
				t.Fatal(err)
			}
		}},
		{"zeroed", func(t *testing.T, path string, used int64) {
			writeAt(t, path, 0, make([]byte, used))
		}},
		{"scribbled", func(t *testing.T, path string, used int64) {
			b := make([]byte, used-8192)
			r := rand.New(rand.NewPCG(1, 2))
			for i := range b {
				b[i] = byte(r.Uint32())
			}
			writeAt(t, path, 8192, b)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := t.TempDir()
			flags := []string{"--config", cfg, "--data", data, "--log-level", "error"}
			if code, out, errOut := runProcess(t, append([]string{"poll", "--once"}, flags...)...); code != 0 {
				t.Fatalf("first poll: exit %d\n%s%s", code, out, errOut)
			}
			path := filepath.Join(data, "kernelwire.db")
			tc.damage(t, path, usedBytes(t, path))

			for _, args := range [][]string{
				{"poll", "--once"},
				{"serve", "--addr", "127.0.0.1:0"},
				{"sources"},
				{"retag"},
			} {
				code, out, errOut := runProcess(t, append(args, flags...)...)
				if code != 1 {
					t.Errorf("%s: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", args[0], code, out, errOut)
				}
				if strings.Contains(out+errOut, "panic:") || strings.Contains(out+errOut, "goroutine ") {
					t.Errorf("%s: a panic reached the user:\n%s%s", args[0], out, errOut)
				}
				if strings.Contains(out, "0 failed") {
					t.Errorf("%s: reported %q on a damaged store", args[0], out)
				}
				lines := strings.Split(strings.TrimSpace(errOut), "\n")
				if len(lines) != 1 || !strings.Contains(lines[0], path) ||
					!strings.Contains(lines[0], "restore it from a backup") || !strings.Contains(lines[0], "move it aside") {
					t.Errorf("%s: stderr %q, want one line naming %s and saying to restore it or move it aside", args[0], errOut, path)
				}
			}
		})
	}
}

// usedBytes is how much of the bbolt file at path holds pages in use.
func usedBytes(t *testing.T, path string) int64 {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	if err := db.View(func(tx *bolt.Tx) error { n = tx.Size(); return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

func writeAt(t *testing.T, path string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}
