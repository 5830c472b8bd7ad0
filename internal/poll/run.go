package poll

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/kernelwire/kernelwire/internal/store"
)

// maxWait bounds how long the scheduler sleeps, so housekeeping (prune) runs
// even when no source is due for hours.
const maxWait = time.Minute

// PollAll polls every source once, due or not, over the worker pool and
// returns the results in source order. onResult, when set, is called as each
// source finishes (from the scheduling goroutine, one call at a time).
func (p *Poller) PollAll(ctx context.Context, onResult func(Result)) []Result {
	now := p.cfg.Now()
	due := make([]time.Time, len(p.cfg.Sources))
	for i := range due {
		due[i] = now
	}
	results := make([]Result, len(p.cfg.Sources))
	for i, src := range p.cfg.Sources {
		// What a source reports if ctx ends before its turn.
		results[i] = Result{Source: src.Name, URL: src.URL, Err: fmt.Errorf("poll %s: not started: %w", src.Name, context.Canceled)}
	}
	p.schedule(ctx, due, true, func(i int, r Result) {
		results[i] = r
		if onResult != nil {
			onResult(r)
		}
	})
	return results
}

// Run polls each source when it is due until ctx is done, then waits for
// in-flight polls. Due times come from the stored source state, so a restart
// does not re-poll every source at once; sources never polled start spread
// over the first interval (at most a minute).
func (p *Poller) Run(ctx context.Context) error {
	due, err := p.initialDue(ctx)
	if err != nil {
		return err
	}
	p.schedule(ctx, due, false, nil)
	return nil
}

// job is a source (by index) and when it may start.
type job struct {
	src int
	at  time.Time
}

// queue is a min-heap of jobs by start time: the scheduler looks only at
// its head, so a cycle over n sources costs O(n log n), not O(n²).
type queue []job

func (q queue) Len() int { return len(q) }
func (q queue) Less(i, j int) bool {
	// Ties go in feeds.yaml order, so sources queued behind one host take
	// their turns in a fixed order rather than the heap's whim.
	if q[i].at.Equal(q[j].at) {
		return q[i].src < q[j].src
	}
	return q[i].at.Before(q[j].at)
}
func (q queue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *queue) Push(x any)   { *q = append(*q, x.(job)) }
func (q *queue) Pop() any {
	old := *q
	j := old[len(old)-1]
	*q = old[:len(old)-1]
	return j
}

// dispatch is one poll handed to a worker: the source, a sequence number
// telling this run from the source's earlier ones, and the host it occupies.
type dispatch struct {
	src, seq int
	host     string
}

type finished struct {
	src int
	res Result
}

// schedule runs sources over Config.Workers workers from their due times.
// once polls each source a single time, due or not, and returns when all are
// done; otherwise each result's NextPoll schedules the source again until
// ctx ends. report, when set, gets each result on this goroutine.
//
// Politeness is decided here, before a worker is committed: a source whose
// host already has a request in flight waits (parked) until that one ends,
// and one whose host is held (gap, Retry-After) goes back into the queue at
// the host's NotBefore. So workers never sit blocked in the Gate while other
// hosts' sources are due, and the Gate's own wait is only a backstop. A
// host is busy for the HTTP exchange only: the worker says when its fetch
// is over, and the host's next source may start (after the gap) while the
// first one still parses and stores. Many lore lists share one host; one
// of them with a huge archive must not hold the others back longer than
// the politeness gap.
func (p *Poller) schedule(ctx context.Context, due []time.Time, once bool, report func(int, Result)) {
	srcs := p.cfg.Sources
	gate := p.cfg.Fetcher.Gate()
	hosts := make([]string, len(srcs))
	q := make(queue, 0, len(srcs))
	for i, src := range srcs {
		hosts[i] = hostOf(src.URL)
		q = append(q, job{i, due[i]})
	}
	heap.Init(&q)

	jobs := make(chan dispatch)
	// Buffered for every worker, so a worker's report never blocks on the
	// scheduler while the scheduler is handing out a job.
	done := make(chan finished, p.cfg.Workers)
	// fetched says a dispatch's HTTP exchange is over (or will not
	// happen), at most once and before its done. It is only a head start:
	// done frees the host too, so when the buffer is full the send is
	// dropped rather than ever blocking a worker.
	fetched := make(chan dispatch, 2*p.cfg.Workers)
	var wg sync.WaitGroup
	for range p.cfg.Workers {
		wg.Go(func() {
			for d := range jobs {
				var sent sync.Once
				hostFree := func() {
					sent.Do(func() {
						select {
						case fetched <- d:
						default:
						}
					})
				}
				r := p.pollOne(ctx, srcs[d.src], !once, hostFree)
				hostFree()
				done <- finished{d.src, r}
			}
		})
	}
	defer func() {
		close(jobs)
		wg.Wait()
	}()

	free, left := p.cfg.Workers, len(srcs)
	busy := map[string]bool{}
	holding := map[int]dispatch{} // source -> its dispatch in flight, keeping host busy
	parked := map[string][]int{}
	var dispatched int
	release := func(i, seq int, now time.Time) {
		d, ok := holding[i]
		if !ok || d.seq != seq {
			return // freed already, or a stale word about an earlier run
		}
		delete(holding, i)
		host := d.host
		delete(busy, host)
		for _, j := range parked[host] {
			heap.Push(&q, job{j, now})
		}
		delete(parked, host)
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	var lastPrune time.Time
	for !once || left > 0 {
		now := p.cfg.Now()
		if !once && now.Sub(lastPrune) >= p.cfg.PruneEvery {
			lastPrune = now
			p.prune(ctx, now)
		}
		for free > 0 && q.Len() > 0 && !q[0].at.After(now) {
			j := heap.Pop(&q).(job)
			host := hosts[j.src]
			if gate.Limited() && busy[host] {
				parked[host] = append(parked[host], j.src)
				continue
			}
			if nb := gate.NotBefore(host); nb.After(now) {
				heap.Push(&q, job{j.src, nb})
				continue
			}
			dispatched++
			d := dispatch{src: j.src, seq: dispatched, host: host}
			select {
			case jobs <- d:
			case <-ctx.Done():
				return
			}
			busy[host] = true
			holding[j.src] = d
			free--
		}

		wait := maxWait
		if free > 0 && q.Len() > 0 {
			wait = min(wait, q[0].at.Sub(now))
		}
		timer.Reset(max(wait, time.Millisecond))
		select {
		case <-ctx.Done():
			return
		case d := <-fetched:
			release(d.src, d.seq, now)
		case f := <-done:
			free++
			if d, ok := holding[f.src]; ok {
				release(f.src, d.seq, now) // no word came that its fetch ended
			}
			// After a permanent redirect the source lives on another
			// host: gate it there from now on.
			hosts[f.src] = hostOf(f.res.URL)
			if report != nil {
				report(f.src, f.res)
			}
			if once {
				left--
				continue
			}
			next := f.res.NextPoll
			if now = p.cfg.Now(); !next.After(now) {
				// No schedule (disabled, or state not loaded or saved):
				// look again after the default interval rather than spin.
				next = now.Add(jitter(p.cfg.Interval, rand.Float64()))
			}
			heap.Push(&q, job{f.src, next})
		case <-timer.C:
		}
	}
}

// hostOf is the Gate key of a source URL (see fetch's gateKey).
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

func (p *Poller) initialDue(ctx context.Context) ([]time.Time, error) {
	states, err := p.cfg.Store.SourceStates(ctx)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("load source states: %w", err)
	}
	byName := make(map[string]store.SourceState, len(states))
	for _, st := range states {
		byName[st.Name] = st
	}
	now := p.cfg.Now()
	due := make([]time.Time, len(p.cfg.Sources))
	for i, src := range p.cfg.Sources {
		st, ok := byName[src.Name]
		switch {
		case ok && !st.NextPoll.IsZero() && st.ConfigURL == src.URL:
			due[i] = st.NextPoll
		default:
			// Spread over the first interval (at most a minute) so a
			// fresh start does not fire every source at once.
			spread := min(p.cfg.Interval, time.Minute) * time.Duration(i) / time.Duration(max(len(p.cfg.Sources), 1))
			due[i] = now.Add(spread)
		}
	}
	return due, nil
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
