package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kernelwire/kernelwire/internal/fetch/fetchtest"
)

// startTimes runs one goroutine per host in hosts, each acquiring its host,
// holding it for hold, and releasing; it returns the bubble-relative start
// time of each, in the order of hosts.
func startTimes(t *testing.T, g *Gate, hosts []string, hold time.Duration) []time.Duration {
	t.Helper()
	t0 := time.Now()
	starts := make([]time.Duration, len(hosts))
	var wg sync.WaitGroup
	for i, h := range hosts {
		wg.Go(func() {
			release, err := g.Acquire(t.Context(), h)
			if err != nil {
				t.Error(err)
				return
			}
			starts[i] = time.Since(t0)
			time.Sleep(hold)
			release()
		})
		// Let goroutine i queue before i+1 so the order is known.
		synctest.Wait()
	}
	wg.Wait()
	return starts
}

func TestGateSchedules(t *testing.T) {
	s := time.Second
	tests := []struct {
		name  string
		gap   time.Duration
		hosts []string
		hold  time.Duration
		want  []time.Duration
	}{
		{"serialises one host", 0, []string{"a", "a", "a"}, s, []time.Duration{0, s, 2 * s}},
		{"gap after release", 5 * s, []string{"a", "a", "a"}, s, []time.Duration{0, 6 * s, 12 * s}},
		{"hosts independent", 5 * s, []string{"a", "b", "c"}, s, []time.Duration{0, 0, 0}},
		{"mixed", 2 * s, []string{"a", "b", "a", "b"}, s, []time.Duration{0, 0, 3 * s, 3 * s}},
	}
	for _, tc := range tests {
		synctest.Test(t, func(t *testing.T) {
			got := startTimes(t, NewGate(tc.gap), tc.hosts, tc.hold)
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s: start times got %v, want %v", tc.name, got, tc.want)
			}
		})
	}
}

func TestGateHold(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := NewGate(time.Second)
		t0 := time.Now()
		g.HoldUntil("a", t0.Add(time.Minute))
		g.HoldUntil("a", t0.Add(time.Second)) // earlier: must not shorten the hold
		if got := g.NotBefore("a"); !got.Equal(t0.Add(time.Minute)) {
			t.Errorf("NotBefore: got %v, want %v", got.Sub(t0), time.Minute)
		}
		if !g.NotBefore("b").IsZero() {
			t.Errorf("NotBefore(b) = %v, want zero", g.NotBefore("b"))
		}

		var started atomic.Int64
		done := make(chan struct{})
		go func() {
			defer close(done)
			release, err := g.Acquire(t.Context(), "a")
			if err != nil {
				t.Error(err)
				return
			}
			started.Store(int64(time.Since(t0)))
			release()
		}()
		time.Sleep(30 * time.Second)
		synctest.Wait()
		// Extending a hold while someone waits must re-arm their wait.
		g.HoldUntil("a", t0.Add(2*time.Minute))
		<-done
		if got := time.Duration(started.Load()); got != 2*time.Minute {
			t.Errorf("waiter started at %v, want %v", got, 2*time.Minute)
		}
	})
}

func TestGateAcquireHonoursContext(t *testing.T) {
	tests := []struct {
		name string
		busy bool // else held
	}{
		{"busy host", true},
		{"held host", false},
	}
	for _, tc := range tests {
		synctest.Test(t, func(t *testing.T) {
			g := NewGate(0)
			if tc.busy {
				release, err := g.Acquire(t.Context(), "a")
				if err != nil {
					t.Fatal(err)
				}
				defer release()
			} else {
				g.HoldUntil("a", time.Now().Add(time.Hour))
			}
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			t0 := time.Now()
			_, err := g.Acquire(ctx, "a")
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("%s: got %v, want DeadlineExceeded", tc.name, err)
			}
			if waited := time.Since(t0); waited != 10*time.Second {
				t.Errorf("%s: waited %v, want 10s", tc.name, waited)
			}
		})
	}
}

// A waiter that gives up must not block those queued behind it, whether it
// gave up while first in line (sleeping out the gap) or further back.
func TestGateCancelledWaiterLeavesQueue(t *testing.T) {
	tests := []struct {
		name     string
		busy     bool // host busy (else only in its gap) while waiters queue
		giveUpAt time.Duration
		want     time.Duration // when the waiter behind starts
	}{
		{"first in line during gap", false, 5 * time.Second, 10 * time.Second},
		{"behind a busy host", true, 5 * time.Second, 20 * time.Second},
	}
	for _, tc := range tests {
		synctest.Test(t, func(t *testing.T) {
			g := NewGate(10 * time.Second)
			t0 := time.Now()
			release, _ := g.Acquire(t.Context(), "a")
			if tc.busy {
				go func() {
					time.Sleep(10 * time.Second)
					release()
				}()
			} else {
				release()
			}
			quitter := make(chan error)
			go func() {
				ctx, cancel := context.WithTimeout(t.Context(), tc.giveUpAt)
				defer cancel()
				_, err := g.Acquire(ctx, "a")
				quitter <- err
			}()
			synctest.Wait()
			var started time.Duration
			done := make(chan struct{})
			go func() {
				defer close(done)
				release, err := g.Acquire(t.Context(), "a")
				if err != nil {
					t.Error(err)
					return
				}
				started = time.Since(t0)
				release()
			}()
			if err := <-quitter; !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("%s: quitter got %v, want DeadlineExceeded", tc.name, err)
			}
			<-done
			if started != tc.want {
				t.Errorf("%s: waiter behind started at %v, want %v", tc.name, started, tc.want)
			}
		})
	}
}

func TestGateDoubleReleaseIsHarmless(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := NewGate(0)
		r1, _ := g.Acquire(t.Context(), "a")
		r1()
		r2, _ := g.Acquire(t.Context(), "a")
		r1() // stale: must not free r2's slot
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		if _, err := g.Acquire(ctx, "a"); err == nil {
			t.Error("acquired a host that is still in use")
		}
		r2()
	})
}

func TestGateForgetsIdleHosts(t *testing.T) {
	tests := []struct {
		name     string
		gap      time.Duration
		hold     bool
		wantLeft int // entries after everything went idle and a sweep ran
	}{
		{"no gap: dropped on release", 0, false, 1},
		{"gap: dropped by the sweep", 10 * time.Second, false, 1},
		{"a pending hold is kept", 10 * time.Second, true, 2},
	}
	for _, tc := range tests {
		synctest.Test(t, func(t *testing.T) {
			g := NewGate(tc.gap)
			for i := range 1000 {
				release, err := g.Acquire(t.Context(), fmt.Sprintf("h%d", i))
				if err != nil {
					t.Fatal(err)
				}
				release()
			}
			if tc.gap == 0 && g.hostCount() != 0 {
				t.Errorf("%s: %d entries right after release, want 0", tc.name, g.hostCount())
			}
			if tc.hold {
				g.HoldUntil("held", time.Now().Add(time.Hour))
			}
			time.Sleep(2 * sweepInterval)
			release, _ := g.Acquire(t.Context(), "trigger")
			defer release()
			if got := g.hostCount(); got != tc.wantLeft {
				t.Errorf("%s: %d entries, want %d", tc.name, got, tc.wantLeft)
			}
		})
	}
}

// The Client really goes through the gate: concurrent Gets to one host never
// overlap and keep the gap (real time, since the network cannot run in a
// synctest bubble).
func TestGetUsesGate(t *testing.T) {
	const gap = 40 * time.Millisecond
	var (
		mu       sync.Mutex
		inFlight int
		overlap  bool
		starts   []time.Time
		ends     []time.Time
	)
	up := fetchtest.NewServer(t)
	up.Handle("/feed", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inFlight++
		overlap = overlap || inFlight > 1
		starts = append(starts, time.Now())
		mu.Unlock()
		time.Sleep(10 * time.Millisecond)
		_, _ = w.Write([]byte(feedXML))
		mu.Lock()
		inFlight--
		ends = append(ends, time.Now())
		mu.Unlock()
	}))

	c := New(Config{AllowPrivateNetworks: true, MinHostGap: gap})
	// Bounded, so a gate that never frees the host fails instead of hanging.
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if _, err := c.Get(ctx, Request{URL: up.URL("/feed")}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if overlap {
		t.Error("two requests to one host were in flight at once")
	}
	if len(starts) != 4 {
		t.Fatalf("got %d requests, want 4", len(starts))
	}
	for i := 1; i < len(starts); i++ {
		// The gate measures from release, after the client read the body,
		// which is after the handler returned.
		if d := starts[i].Sub(ends[i-1]); d < gap {
			t.Errorf("request %d started %v after the previous ended, want >= %v", i, d, gap)
		}
	}
}
