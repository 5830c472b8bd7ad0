package poll

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
)

// PollAll polls every source once over the worker pool and returns the
// results in source order. onResult, when set, is called as each source
// finishes (from worker goroutines, one call at a time).
func (p *Poller) PollAll(ctx context.Context, onResult func(Result)) []Result {
	results := make([]Result, len(p.cfg.Sources))
	var mu sync.Mutex
	var g errgroup.Group
	g.SetLimit(p.cfg.Workers)
	for i, src := range p.cfg.Sources {
		g.Go(func() error {
			r := p.PollSource(ctx, src)
			results[i] = r
			if onResult != nil {
				mu.Lock()
				onResult(r)
				mu.Unlock()
			}
			return nil
		})
	}
	_ = g.Wait() // workers report through results, never through the group
	return results
}

// Run polls each source when it is due until ctx is done, then waits for
// in-flight polls. Due times come from the stored source state, so a restart
// does not re-poll every source at once; sources never polled start spread
// over the first minute.
func (p *Poller) Run(ctx context.Context) error {
	due, err := p.initialDue(ctx)
	if err != nil {
		return err
	}
	jobs := make(chan item.Source)
	done := make(chan Result)
	var wg sync.WaitGroup
	for range p.cfg.Workers {
		wg.Go(func() {
			for src := range jobs {
				r := p.PollSource(ctx, src)
				select {
				case done <- r:
				case <-ctx.Done():
				}
			}
		})
	}
	defer func() {
		close(jobs)
		wg.Wait()
	}()

	inflight := map[string]bool{}
	timer := time.NewTimer(0)
	defer timer.Stop()
	var lastPrune time.Time
	for {
		// Hand out every due source a worker can take now.
		now := p.cfg.Now()
		if now.Sub(lastPrune) >= p.cfg.PruneEvery {
			lastPrune = now
			p.prune(ctx, now)
		}
		next := now.Add(time.Hour)
		for _, src := range p.cfg.Sources {
			if inflight[src.Name] {
				continue
			}
			at := due[src.Name]
			if at.After(now) {
				next = minTime(next, at)
				continue
			}
			select {
			case jobs <- src:
				inflight[src.Name] = true
			case r := <-done:
				p.settle(r, due, inflight)
			case <-ctx.Done():
				return nil
			default:
				// Every worker is busy; try again when one reports.
				next = now
			}
		}
		wait := next.Sub(now)
		if wait <= 0 {
			wait = 50 * time.Millisecond
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return nil
		case r := <-done:
			p.settle(r, due, inflight)
		case <-timer.C:
		}
	}
}

func (p *Poller) settle(r Result, due map[string]time.Time, inflight map[string]bool) {
	delete(inflight, r.Source)
	next := r.NextPoll
	if next.IsZero() {
		// A result without a schedule (state could not be loaded or saved):
		// retry after the default interval rather than spin.
		next = p.cfg.Now().Add(jitter(p.cfg.Interval))
	}
	due[r.Source] = next
}

func (p *Poller) initialDue(ctx context.Context) (map[string]time.Time, error) {
	states, err := p.cfg.Store.SourceStates(ctx)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("load source states: %w", err)
	}
	byName := make(map[string]store.SourceState, len(states))
	for _, st := range states {
		byName[st.Name] = st
	}
	now := p.cfg.Now()
	due := make(map[string]time.Time, len(p.cfg.Sources))
	for i, src := range p.cfg.Sources {
		st, ok := byName[src.Name]
		switch {
		case ok && !st.NextPoll.IsZero() && st.ConfigURL == src.URL:
			due[src.Name] = st.NextPoll
		default:
			spread := time.Minute * time.Duration(i) / time.Duration(max(len(p.cfg.Sources), 1))
			due[src.Name] = now.Add(spread)
		}
	}
	return due, nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// prune applies retention. A failure is logged and retried at the next
// round: retention is housekeeping, never a reason to stop polling.
func (p *Poller) prune(ctx context.Context, now time.Time) {
	n, err := p.cfg.Store.Prune(ctx, now)
	if err != nil {
		p.cfg.Log.Warn("prune failed", "err", err)
		return
	}
	if n > 0 {
		p.cfg.Log.Info("pruned old items", "items", n)
	}
}
