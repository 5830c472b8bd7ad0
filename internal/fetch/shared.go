package fetch

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"
)

// SharedGate extends the per-host gate across processes: replicas polling
// the same hosts (many lore lists on lore.kernel.org) must keep the
// politeness gap between them too, not each on its own. The Redis store
// implements it with one short-lived key per host.
//
// AcquireHost takes host's turn with token for at most hold (the longest a
// request may last), unless another request to it is in flight or its gap
// has not passed; then it returns how long to wait, exact when that is the
// end of a gap. ReleaseHost ends the turn and keeps the host closed to
// every process for gap. Each is one round trip.
type SharedGate interface {
	AcquireHost(ctx context.Context, host, token string, hold time.Duration) (ok bool, wait time.Duration, exact bool, err error)
	ReleaseHost(ctx context.Context, host, token string, gap time.Duration) error
}

// sharedPoll bounds how long a request waits before asking again while
// another process's request to the host is in flight (its end is not
// announced; the key only says when it would expire).
const sharedPoll = 100 * time.Millisecond

// acquireShared waits for host's turn in the shared gate and returns the
// token that holds it.
func (c *Client) acquireShared(ctx context.Context, host string) (string, error) {
	token := rand.Text()
	hold := c.cfg.Timeout + 5*time.Second // the request is cancelled by then
	for {
		ok, wait, exact, err := c.cfg.SharedGate.AcquireHost(ctx, host, token, hold)
		switch {
		case err != nil:
			return "", fmt.Errorf("shared host gate: %w", err)
		case ok:
			return token, nil
		case !exact:
			wait = min(wait, sharedPoll)
		}
		t := time.NewTimer(max(wait, time.Millisecond))
		select {
		case <-ctx.Done():
			t.Stop()
			return "", fmt.Errorf("wait for host %s: %w", host, ctx.Err())
		case <-t.C:
		}
	}
}

// releaseShared ends the turn, keeping the host closed for the gap or, after
// a 429/503, for as long as the server asked (at most maxAutoHold), so the
// other replicas honour its Retry-After too.
func (c *Client) releaseShared(ctx context.Context, host, token string, holdFor time.Duration) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	// A failed release is not the fetch's failure: the turn expires by
	// itself after hold, which only delays the host.
	_ = c.cfg.SharedGate.ReleaseHost(ctx, host, token, max(c.cfg.MinHostGap, min(holdFor, maxAutoHold)))
}
