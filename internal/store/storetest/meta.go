package storetest

import (
	"errors"
	"testing"

	"github.com/kernelwire/kernelwire/internal/store"
)

func testMeta(t *testing.T, open Opener) {
	e := newEnv(t, open, defaultOptions())
	if _, err := e.s.GetMeta(e.ctx, "rules"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetMeta before put: got %v, want ErrNotFound", err)
	}
	v0, err := e.s.Version(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"abc", "", "def"} {
		if err := e.s.PutMeta(e.ctx, "rules", v); err != nil {
			t.Fatalf("PutMeta(%q): %v", v, err)
		}
		got, err := e.s.GetMeta(e.ctx, "rules")
		if err != nil || got != v {
			t.Fatalf("GetMeta after PutMeta(%q): got %q, %v", v, got, err)
		}
	}
	// A meta key named like the backend's own bookkeeping must not touch it.
	if err := e.s.PutMeta(e.ctx, "version", "x"); err != nil {
		t.Fatal(err)
	}
	if v1, err := e.s.Version(e.ctx); err != nil || v1 != v0 {
		t.Fatalf("Version after PutMeta(version): got %d, %v, want %d", v1, err, v0)
	}
}
