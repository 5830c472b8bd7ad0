package poll

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"time"
)

// errLeaseLost cancels a poll whose lease could not be renewed: another
// replica may take the source over at any moment, and two replicas must never
// fetch one source at once.
var errLeaseLost = errors.New("lease lost")

// LeaseInspector is what a store may offer beside store.Leaser: how long
// another holder's lease on a source still lasts, so a source skipped for it
// is reported with that time (after a crash, its leases outlive it by up to
// their ttl). Both backends implement it.
type LeaseInspector interface {
	LeaseRemaining(ctx context.Context, name string) (time.Duration, error)
}

// heldLease is a source's lease while this process polls it. ctx is the
// poll's context: cancelled with errLeaseLost when renewal fails.
type heldLease struct {
	p      *Poller
	name   string
	token  string
	ctx    context.Context
	cancel context.CancelCauseFunc
	stop   chan struct{}
	wg     sync.WaitGroup
}

// acquire takes name's lease and starts renewing it; nil means another
// process holds it.
func (p *Poller) acquire(ctx context.Context, name string) (*heldLease, error) {
	// The token is random per acquisition, so even two pollers in one
	// process (or a restarted one) never mistake each other's leases.
	token := rand.Text()
	ok, err := p.cfg.Store.AcquireLease(ctx, name, token, p.cfg.LeaseTTL)
	if err != nil {
		return nil, fmt.Errorf("poll %s: %w", name, err)
	}
	if !ok {
		return nil, nil
	}
	lctx, cancel := context.WithCancelCause(ctx)
	l := &heldLease{p: p, name: name, token: token, ctx: lctx, cancel: cancel, stop: make(chan struct{})}
	l.wg.Go(l.renew)
	return l, nil
}

// renew extends the lease every third of its ttl until stopped. A renewal
// that errs (Redis briefly unreachable) is retried at the next tick while the
// lease may still be live; once it may have expired, or Redis says another
// token holds it, the poll is cancelled.
func (l *heldLease) renew() {
	ttl := l.p.cfg.LeaseTTL
	tick := time.NewTicker(ttl / 3)
	defer tick.Stop()
	renewed := time.Now()
	for {
		select {
		case <-l.stop:
			return
		case <-l.ctx.Done():
			return
		case <-tick.C:
		}
		ok, err := l.p.cfg.Store.RenewLease(l.ctx, l.name, l.token, ttl)
		switch {
		case err == nil && ok:
			renewed = time.Now()
		case err == nil || time.Since(renewed) >= ttl*2/3:
			l.cancel(fmt.Errorf("%w on %s", errLeaseLost, l.name))
			return
		}
	}
}

// lost reports whether the poll was cancelled because the lease was lost.
func (l *heldLease) lost() bool {
	return errors.Is(context.Cause(l.ctx), errLeaseLost)
}

// release stops renewing and gives the lease up, even when ctx is cancelled
// (shutdown): handing the source to another replica at once beats making it
// wait for the expiry. The state was saved before this, so whoever takes the
// lease next sees the new next-poll time.
func (l *heldLease) release(ctx context.Context) {
	close(l.stop)
	l.wg.Wait()
	l.cancel(nil)
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := l.p.cfg.Store.ReleaseLease(rctx, l.name, l.token); err != nil {
		// It expires by itself; the source is only delayed.
		l.p.cfg.Log.Warn("release lease", "source", l.name, "err", err)
	}
}
