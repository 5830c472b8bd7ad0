package storetest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testLease holds every backend to the lease contract replicas rely on: one
// holder at a time, renew and release only by the token that holds it, and
// expiry without the holder's help (a dead process frees its sources).
func testLease(t *testing.T, open Opener) {
	e := newEnv(t, open, defaultOptions())
	const ttl = time.Minute
	acquire := func(name, token string, ttl time.Duration, want bool) {
		t.Helper()
		got, err := e.s.AcquireLease(e.ctx, name, token, ttl)
		if err != nil || got != want {
			t.Fatalf("AcquireLease(%s, %s): got %v, %v, want %v", name, token, got, err, want)
		}
	}
	renew := func(name, token string, want bool) {
		t.Helper()
		got, err := e.s.RenewLease(e.ctx, name, token, ttl)
		if err != nil || got != want {
			t.Fatalf("RenewLease(%s, %s): got %v, %v, want %v", name, token, got, err, want)
		}
	}
	release := func(name, token string) {
		t.Helper()
		if err := e.s.ReleaseLease(e.ctx, name, token); err != nil {
			t.Fatalf("ReleaseLease(%s, %s): %v", name, token, err)
		}
	}

	acquire("lkml", "a", ttl, true)
	acquire("lkml", "b", ttl, false)
	acquire("lwn", "b", ttl, true) // leases are per source
	renew("lkml", "b", false)
	renew("lkml", "a", true)
	release("lkml", "b") // not the holder: a no-op
	acquire("lkml", "b", ttl, false)
	release("lkml", "a")
	acquire("lkml", "b", ttl, true)
	release("never-leased", "x")

	// Expiry: the backend's clock (bbolt) and the server's (Redis) must
	// both have passed the ttl, so move the fake clock and wait out a short
	// real one.
	const short = 50 * time.Millisecond
	acquire("slashdot", "dead", short, true)
	e.clock.Advance(time.Second)
	deadline := time.Now().Add(5 * time.Second)
	for {
		ok, err := e.s.AcquireLease(e.ctx, "slashdot", "heir", ttl)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("lease with ttl %v still held after 5s", short)
		}
		time.Sleep(short / 2)
	}
	renew("slashdot", "dead", false) // the dead holder cannot renew ...
	release("slashdot", "dead")      // ... nor drop the heir's lease
	acquire("slashdot", "third", ttl, false)

	// Many contenders at once: exactly one wins.
	var wins atomic.Int32
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			ok, err := e.s.AcquireLease(e.ctx, "contended", fmt.Sprint("t", i), ttl)
			if err != nil {
				t.Error(err)
			}
			if ok {
				wins.Add(1)
			}
		})
	}
	wg.Wait()
	if n := wins.Load(); n != 1 {
		t.Fatalf("16 concurrent AcquireLease: %d won, want 1", n)
	}
}
