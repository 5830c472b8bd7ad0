package publish

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// counter is a render function that counts its calls and renders body.
type counter struct {
	calls atomic.Int64
	body  func(n int64) string
	wait  chan struct{} // when non-nil, render blocks until it is closed
	err   error
}

func (c *counter) render(context.Context) ([]byte, string, time.Time, error) {
	n := c.calls.Add(1)
	if c.wait != nil {
		<-c.wait
	}
	if c.err != nil {
		return nil, "", time.Time{}, c.err
	}
	return []byte(c.body(n)), JSON.ContentType(), t0.Add(time.Duration(n) * time.Second), nil
}

func constant(s string) func(int64) string { return func(int64) string { return s } }

func TestCacheConcurrentMissesRenderOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := NewCache(4)
		r := &counter{body: constant("feed"), wait: make(chan struct{})}
		const n = 50
		var wg sync.WaitGroup
		entries := make([]*Entry, n)
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				entries[i], errs[i] = c.Get(t.Context(), "all.json", 1, r.render)
			})
		}
		// Every caller is now blocked in the cache: one in render, the
		// others waiting for its flight.
		synctest.Wait()
		close(r.wait)
		wg.Wait()
		if got := r.calls.Load(); got != 1 {
			t.Fatalf("render called %d times, want 1", got)
		}
		for i := range n {
			if errs[i] != nil || entries[i] != entries[0] {
				t.Fatalf("caller %d got %p, %v; want the shared entry %p", i, entries[i], errs[i], entries[0])
			}
		}
	})
}

// TestCacheCompressesOncePerVersion: the gzip copy is made with the
// entry, once per key and version; hits, fresh or not, share its bytes.
func TestCacheCompressesOncePerVersion(t *testing.T) {
	c := NewCache(4)
	r := &counter{body: func(n int64) string { return fmt.Sprintf(`{"version":%d}`, n) }}
	first, err := c.Get(t.Context(), "all.json", 1, r.render)
	if err != nil {
		t.Fatal(err)
	}
	for range 100 {
		e, err := c.Get(t.Context(), "all.json", 1, r.render)
		if err != nil {
			t.Fatal(err)
		}
		if f := c.Fresh("all.json", 1); e != first || f != first || &e.Gzip[0] != &first.Gzip[0] {
			t.Fatal("a hit did not share the cached entry and its gzip bytes")
		}
	}
	if got := c.Renders(); got != 1 {
		t.Fatalf("101 gets of one version: %d renders and compressions, want 1", got)
	}
	if _, err := c.Get(t.Context(), "all.json", 2, r.render); err != nil {
		t.Fatal(err)
	}
	if got := c.Renders(); got != 2 {
		t.Fatalf("after a new version: %d renders and compressions, want 2", got)
	}
	c.Get(t.Context(), "all.atom", 2, r.render)
	if got := c.Renders(); got != 3 {
		t.Fatalf("another key: %d renders and compressions, want 3", got)
	}
}

func TestCacheVersions(t *testing.T) {
	c := NewCache(4)
	r := &counter{body: func(n int64) string { return fmt.Sprint("render ", n) }}
	get := func(version int64) *Entry {
		t.Helper()
		e, err := c.Get(t.Context(), "rust.atom", version, r.render)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	steps := []struct {
		name      string
		version   int64
		wantCalls int64
		wantBody  string
	}{
		{"miss", 1, 1, "render 1"},
		{"hit", 1, 1, "render 1"},
		{"newer version re-renders", 2, 2, "render 2"},
		{"older version is served the newer entry", 1, 2, "render 2"},
		{"hit again", 2, 2, "render 2"},
	}
	for _, s := range steps {
		e := get(s.version)
		if got := r.calls.Load(); got != s.wantCalls {
			t.Errorf("%s: render calls = %d, want %d", s.name, got, s.wantCalls)
		}
		if string(e.Body) != s.wantBody {
			t.Errorf("%s: body = %q, want %q", s.name, e.Body, s.wantBody)
		}
	}
}

func TestCacheETagStableAcrossRenders(t *testing.T) {
	c := NewCache(4)
	same := &counter{body: constant("unchanged bytes")}
	a, err := c.Get(t.Context(), "k", 1, same.render)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Get(t.Context(), "k", 2, same.render)
	if err != nil {
		t.Fatal(err)
	}
	if a == b || same.calls.Load() != 2 {
		t.Fatalf("version 2 was not re-rendered")
	}
	if a.ETag != b.ETag {
		t.Errorf("same bytes rendered twice: ETags %s and %s", a.ETag, b.ETag)
	}
	changed := &counter{body: constant("changed bytes")}
	d, err := c.Get(t.Context(), "k", 3, changed.render)
	if err != nil {
		t.Fatal(err)
	}
	if d.ETag == b.ETag {
		t.Errorf("changed bytes kept the ETag %s", d.ETag)
	}
}

func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	c := NewCache(2)
	r := &counter{body: constant("x")}
	for _, key := range []string{"a", "b", "a", "c"} { // c evicts b, not a
		if _, err := c.Get(t.Context(), key, 1, r.render); err != nil {
			t.Fatal(err)
		}
	}
	if got := r.calls.Load(); got != 3 {
		t.Fatalf("render calls = %d, want 3", got)
	}
	if got := c.Len(); got != 2 {
		t.Errorf("Len = %d, want 2", got)
	}
	tests := []struct {
		key       string
		wantCalls int64
	}{
		{"a", 3}, // still cached
		{"b", 4}, // evicted, re-rendered
	}
	for _, tc := range tests {
		if _, err := c.Get(t.Context(), tc.key, 1, r.render); err != nil {
			t.Fatal(err)
		}
		if got := r.calls.Load(); got != tc.wantCalls {
			t.Errorf("after Get(%s): render calls = %d, want %d", tc.key, got, tc.wantCalls)
		}
	}
}

func TestCacheDoesNotCacheErrors(t *testing.T) {
	c := NewCache(2)
	boom := errors.New("store down")
	r := &counter{body: constant("ok"), err: boom}
	if _, err := c.Get(t.Context(), "k", 1, r.render); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want %v wrapped", err, boom)
	}
	r.err = nil
	e, err := c.Get(t.Context(), "k", 1, r.render)
	if err != nil || string(e.Body) != "ok" {
		t.Fatalf("after recovery got %v, %v", e, err)
	}
	if got := r.calls.Load(); got != 2 {
		t.Errorf("render calls = %d, want 2", got)
	}
}

func TestCacheWaiterCancellation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := NewCache(2)
		r := &counter{body: constant("slow"), wait: make(chan struct{})}
		ctx, cancel := context.WithCancel(t.Context())
		var err error
		done := make(chan struct{})
		go func() {
			_, err = c.Get(ctx, "k", 1, r.render)
			close(done)
		}()
		synctest.Wait()
		cancel()
		<-done
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		// The render was not cancelled with its first caller: it finishes
		// and serves the next one.
		close(r.wait)
		synctest.Wait()
		e, err := c.Get(t.Context(), "k", 1, r.render)
		if err != nil || string(e.Body) != "slow" {
			t.Fatalf("got %v, %v", e, err)
		}
		if got := r.calls.Load(); got != 1 {
			t.Errorf("render calls = %d, want 1", got)
		}
	})
}

func TestCacheLast(t *testing.T) {
	c := NewCache(4)
	if e := c.Last("all.atom"); e != nil {
		t.Fatalf("Last of an empty cache = %p, want nil", e)
	}
	r := &counter{body: func(n int64) string { return fmt.Sprint("render ", n) }}
	for _, v := range []int64{3, 7} {
		if _, err := c.Get(t.Context(), "all.atom", v, r.render); err != nil {
			t.Fatal(err)
		}
	}
	// A failed render of a newer version keeps the last good entry.
	failing := &counter{err: errors.New("store down")}
	if _, err := c.Get(t.Context(), "all.atom", 9, failing.render); err == nil {
		t.Fatal("a failed render returned no error")
	}
	e := c.Last("all.atom")
	if e == nil || string(e.Body) != "render 2" {
		t.Fatalf("Last = %v, want the version-7 entry", e)
	}
	if e := c.Last("rust.atom"); e != nil {
		t.Errorf("Last of an uncached key = %p, want nil", e)
	}
}
