package redisstore

import (
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/store"
)

// The shared host gate: one holder at a time, the gap kept after release
// for everyone, a dead holder's turn expiring by itself, a stale token
// unable to release a newer turn; one round trip per call.
func TestHostGate(t *testing.T) {
	var rt counter
	s, _ := newStore(t, store.Options{}, &rt)
	ctx := t.Context()
	const host = "lore.kernel.org"

	steps := []struct {
		name      string
		do        func() (bool, time.Duration, bool, error)
		wantOK    bool
		wantExact bool
		maxWait   time.Duration
	}{
		{"first takes it", func() (bool, time.Duration, bool, error) { return s.AcquireHost(ctx, host, "a", time.Minute) }, true, false, 0},
		{"second waits for the request", func() (bool, time.Duration, bool, error) { return s.AcquireHost(ctx, host, "b", time.Minute) }, false, false, time.Minute},
		{"release keeps the gap", func() (bool, time.Duration, bool, error) {
			if err := s.ReleaseHost(ctx, host, "a", 5*time.Second); err != nil {
				return false, 0, false, err
			}
			return s.AcquireHost(ctx, host, "b", time.Minute)
		}, false, true, 5 * time.Second},
		{"a stale token releases nothing", func() (bool, time.Duration, bool, error) {
			if err := s.ReleaseHost(ctx, host, "a", 0); err != nil {
				return false, 0, false, err
			}
			return s.AcquireHost(ctx, host, "b", time.Minute)
		}, false, true, 5 * time.Second},
	}
	for _, st := range steps {
		ok, wait, exact, err := st.do()
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if ok != st.wantOK || exact != st.wantExact || wait > st.maxWait || (!ok && wait <= 0) {
			t.Errorf("%s: ok %v wait %v exact %v; want ok %v, exact %v, a wait up to %v", st.name, ok, wait, exact, st.wantOK, st.wantExact, st.maxWait)
		}
	}

	// A holder that dies: its turn lasts hold, then the host is free.
	if ok, _, _, err := s.AcquireHost(ctx, "dead.example", "x", 50*time.Millisecond); !ok || err != nil {
		t.Fatalf("take: %v %v", ok, err)
	}
	time.Sleep(100 * time.Millisecond) // Redis expires the key; nothing here is timed
	if ok, _, _, err := s.AcquireHost(ctx, "dead.example", "y", time.Minute); !ok || err != nil {
		t.Errorf("after the dead holder's turn expired: %v %v, want the host", ok, err)
	}

	before := rt.n.Load()
	if _, _, _, err := s.AcquireHost(ctx, "rt.example", "t", time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseHost(ctx, "rt.example", "t", time.Second); err != nil {
		t.Fatal(err)
	}
	// Both scripts are loaded by now, so EVALSHA needs no EVAL fallback.
	if n := rt.n.Load() - before; n != 2 {
		t.Errorf("acquire and release took %d round trips, want 2", n)
	}
}
