package fetch

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// sweepInterval is how often Acquire walks the host table to drop idle
// entries. A walk is O(hosts); once a minute keeps that negligible while a
// poller that touches thousands of hosts once still returns their memory.
const sweepInterval = time.Minute

// Gate is a per-host politeness gate: at most one request in flight per host,
// at least minGap between the end of one request and the start of the next,
// and an optional hold (HoldUntil) that keeps a whole host back, for example
// after it answered 429 with Retry-After.
//
// The zero Gate is not usable; create one with NewGate. A Gate is safe for
// concurrent use.
type Gate struct {
	minGap time.Duration
	// unlimited makes Acquire return at once (Config.NoHostLimits).
	unlimited bool

	mu        sync.Mutex
	hosts     map[string]*hostState
	lastSweep time.Time
}

// hostState is one host's slot. wake is closed (and replaced) whenever the
// slot changes, so waiters re-check instead of polling.
type hostState struct {
	busy    bool
	next    time.Time // no request may start before this
	tickets uint64    // next ticket to hand out
	queue   []uint64  // tickets of waiters, in arrival order
	wake    chan struct{}
}

// NewGate returns a Gate that keeps minGap between two requests to one host.
// A minGap of zero only serialises requests.
func NewGate(minGap time.Duration) *Gate {
	return &Gate{
		minGap:    max(minGap, 0),
		hosts:     make(map[string]*hostState),
		lastSweep: time.Now(),
	}
}

// Acquire waits until host is free, its gap has passed and no hold is in
// force, then marks it busy. The caller must call release exactly once when
// the request (including reading its body) is done; extra calls are ignored.
// Acquire returns ctx's error, wrapped, if ctx ends first.
func (g *Gate) Acquire(ctx context.Context, host string) (release func(), err error) {
	if g.unlimited {
		return func() {}, ctx.Err()
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now()
	g.sweepLocked(now)
	st := g.hosts[host]
	if st == nil {
		st = &hostState{wake: make(chan struct{})}
		g.hosts[host] = st
	}
	// Waiters take turns in arrival order, so with many feeds on one host
	// (lore.kernel.org) none of them starves behind luckier goroutines.
	// While we are queued the entry cannot be dropped, so st stays valid.
	ticket := st.tickets
	st.tickets++
	st.queue = append(st.queue, ticket)
	for {
		first := st.queue[0] == ticket
		if first && !st.busy && !now.Before(st.next) {
			st.queue = slices.Delete(st.queue, 0, 1)
			st.busy = true
			return g.releaser(host, st), nil
		}
		wake := st.wake
		var timer *time.Timer
		var expired <-chan time.Time
		if first && !st.busy {
			// Only the clock can free the host now (or a change that
			// closes wake); a busy host is freed by its release.
			timer = time.NewTimer(st.next.Sub(now))
			expired = timer.C
		}
		g.mu.Unlock()

		select {
		case <-ctx.Done():
		case <-wake:
		case <-expired:
		}
		if timer != nil {
			timer.Stop()
		}

		g.mu.Lock()
		now = time.Now()
		if err := ctx.Err(); err != nil {
			st.queue = slices.DeleteFunc(st.queue, func(t uint64) bool { return t == ticket })
			// Whoever was behind us may be first now.
			g.notifyLocked(st)
			g.dropIfIdleLocked(host, st, now)
			return nil, fmt.Errorf("wait for host %s: %w", host, err)
		}
	}
}

// releaser returns the release func for st: it frees the slot, starts the
// gap and wakes waiters. sync.Once makes double release harmless rather than
// corrupting another request's slot.
func (g *Gate) releaser(host string, st *hostState) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			g.mu.Lock()
			defer g.mu.Unlock()
			now := time.Now()
			st.busy = false
			if next := now.Add(g.minGap); next.After(st.next) {
				st.next = next
			}
			g.notifyLocked(st)
			g.dropIfIdleLocked(host, st, now)
		})
	}
}

// HoldUntil keeps host back until t: no new request to it starts earlier.
// A request already in flight is not interrupted. Holds only ever extend; an
// earlier t than the current hold is ignored.
func (g *Gate) HoldUntil(host string, t time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	st := g.hosts[host]
	if st == nil {
		st = &hostState{wake: make(chan struct{})}
		g.hosts[host] = st
	}
	// No wake-up needed: a hold only moves next later, and a waiter whose
	// timer fires early re-checks next and sleeps again.
	if t.After(st.next) {
		st.next = t
	}
}

// Limited reports whether the gate serialises requests per host; a
// scheduler that avoids handing a worker a busy host needs to know.
func (g *Gate) Limited() bool { return !g.unlimited }

// NotBefore reports the earliest time a new request to host may start, so a
// scheduler can postpone work instead of blocking a worker in Acquire. It
// does not account for a request currently in flight.
func (g *Gate) NotBefore(host string) time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	if st := g.hosts[host]; st != nil {
		return st.next
	}
	return time.Time{}
}

// hostCount reports how many hosts the gate tracks; tests use it to prove
// idle entries are dropped.
func (g *Gate) hostCount() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.hosts)
}

func (g *Gate) notifyLocked(st *hostState) {
	close(st.wake)
	st.wake = make(chan struct{})
}

// dropIfIdleLocked forgets a host nobody uses or waits for and whose gap and
// hold are over: a fresh entry would behave identically.
func (g *Gate) dropIfIdleLocked(host string, st *hostState, now time.Time) {
	if !st.busy && len(st.queue) == 0 && !now.Before(st.next) {
		delete(g.hosts, host)
	}
}

func (g *Gate) sweepLocked(now time.Time) {
	if now.Sub(g.lastSweep) < sweepInterval {
		return
	}
	g.lastSweep = now
	for host, st := range g.hosts {
		g.dropIfIdleLocked(host, st, now)
	}
}
