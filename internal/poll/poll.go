// Package poll owns ingest and its goroutines: for each source it runs
// fetch -> parse -> tag -> dedup -> store synchronously, and schedules sources
// over a bounded worker pool. It is the only package that starts goroutines for
// polling; the stages it calls are synchronous and never log.
//
// Failure rule: nothing already stored is lost when an upstream misbehaves. A
// source's validators (ETag, Last-Modified) are saved only after its items are
// stored, so a store failure can never turn the next poll into a 304 that
// skips items never stored.
package poll

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"time"

	"github.com/kernelwire/kernelwire/internal/dedup"
	"github.com/kernelwire/kernelwire/internal/fetch"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/parse"
	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/tag"
)

// Config wires a Poller.
type Config struct {
	Sources []item.Source
	// Interval is the default poll interval (feeds.yaml defaults.interval).
	Interval time.Duration
	// Workers bounds concurrent polls; the per-host gate in fetch bounds
	// them further per upstream host.
	Workers int
	// MaxBackoff caps the exponential backoff after failures.
	MaxBackoff time.Duration
	// PruneEvery is how often Run applies retention (default 1h).
	PruneEvery time.Duration
	Fetcher    *fetch.Client
	Tagger     *tag.Tagger
	Store      store.Store
	Log        *slog.Logger
	Metrics    *Metrics // nil: no metrics
	// Now is the clock; tests replace it.
	Now func() time.Time
}

// Poller polls sources into a store.
type Poller struct {
	cfg    Config
	parser *parse.Parser
}

// New returns a Poller; zero Config fields get defaults.
func New(cfg Config) *Poller {
	if cfg.Interval <= 0 {
		cfg.Interval = 15 * time.Minute
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 6 * time.Hour
	}
	if cfg.PruneEvery <= 0 {
		cfg.PruneEvery = time.Hour
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Poller{cfg: cfg, parser: parse.NewParser()}
}

// Result is the outcome of one poll of one source.
type Result struct {
	Source      string
	URL         string
	Status      int // HTTP status, 0 when no response
	NotModified bool
	Skipped     string // why the source was not fetched (disabled)
	New         int
	Updated     int
	Duplicate   int
	TooOld      int
	Err         error
	Duration    time.Duration
	NextPoll    time.Time
}

// Outcome names the result for logs, metrics and the CLI.
func (r Result) Outcome() string {
	switch {
	case r.Skipped != "":
		return "skipped"
	case r.Err != nil:
		return "error"
	case r.NotModified:
		return "not-modified"
	}
	return "ok"
}

// PollSource polls one source once and records its state.
func (p *Poller) PollSource(ctx context.Context, src item.Source) Result {
	start := p.cfg.Now()
	st, err := p.cfg.Store.SourceState(ctx, src.Name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		st = store.SourceState{Name: src.Name}
	case err != nil:
		return Result{Source: src.Name, URL: src.URL, Err: fmt.Errorf("load state of %s: %w", src.Name, err)}
	}
	// The stored URL differs from feeds.yaml after a permanent redirect; an
	// operator's edit of feeds.yaml wins over both.
	if st.ConfigURL != src.URL {
		st.ConfigURL, st.URL, st.ETag, st.LastModified = src.URL, src.URL, "", ""
		st.Disabled, st.DisableReason = false, ""
	}
	if st.URL == "" {
		st.URL = src.URL
	}
	res := Result{Source: src.Name, URL: st.URL}
	if st.Disabled {
		res.Skipped = st.DisableReason
		res.NextPoll = st.NextPoll
		return res
	}

	res = p.poll(ctx, src, &st, res)
	res.Duration = p.cfg.Now().Sub(start)
	p.record(&st, &res)
	if ctx.Err() == nil || res.Err == nil {
		// Store the state even for failures: it carries the backoff. A
		// context cancelled by shutdown is not the upstream's fault, so
		// it is not counted against the source.
		if err := p.cfg.Store.PutSourceState(context.WithoutCancel(ctx), st); err != nil && res.Err == nil {
			res.Err = fmt.Errorf("save state of %s: %w", src.Name, err)
		}
	}
	p.cfg.Metrics.observe(res)
	p.log(res)
	return res
}

func (p *Poller) poll(ctx context.Context, src item.Source, st *store.SourceState, res Result) Result {
	resp, err := p.cfg.Fetcher.Get(ctx, fetch.Request{URL: st.URL, ETag: st.ETag, LastModified: st.LastModified})
	if err != nil {
		res.Err = err
		var se *fetch.StatusError
		if errors.As(err, &se) {
			res.Status = se.Code
		}
		return res
	}
	res.Status = resp.Status
	if resp.PermanentURL != "" && resp.PermanentURL != st.URL {
		p.cfg.Log.Info("source moved permanently", "source", src.Name, "url", st.URL, "new_url", resp.PermanentURL)
		st.URL = resp.PermanentURL
		res.URL = st.URL
	}
	if resp.NotModified {
		res.NotModified = true
		return res
	}
	now := p.cfg.Now()
	feed, err := p.parser.Parse(resp.Body, resp.ContentType, resp.FinalURL, now)
	if err != nil {
		res.Err = fmt.Errorf("parse %s: %w", st.URL, err)
		return res
	}
	items := feed.Items
	for i := range items {
		items[i].Source = src.Name
		p.cfg.Tagger.Tag(&items[i], src.Name, src.Topics)
	}
	dedup.Assign(items, src.Name)
	saved, err := p.cfg.Store.SaveItems(ctx, src.Name, items)
	if err != nil {
		res.Err = fmt.Errorf("store items of %s: %w", src.Name, err)
		return res
	}
	res.New = saved.Count(store.New)
	res.Updated = saved.Count(store.Updated)
	res.Duplicate = saved.Count(store.Duplicate)
	res.TooOld = saved.Count(store.TooOld)
	st.ItemsSeen += int64(len(items))
	// Only now are the validators safe to keep (see the package comment).
	st.ETag, st.LastModified = resp.ETag, resp.LastModified
	if feed.TTL > 0 || feed.UpdatePeriod > 0 {
		st.Interval = max(feed.TTL, feed.UpdatePeriod)
	}
	return res
}

// record updates st with the result and decides the next poll.
func (p *Poller) record(st *store.SourceState, res *Result) {
	now := p.cfg.Now()
	st.LastStatus = res.Status
	if res.Err == nil {
		st.Failures = 0
		st.LastSuccess = now
		st.NextPoll = now.Add(jitter(p.interval(*st, res.Source)))
		res.NextPoll = st.NextPoll
		return
	}
	st.Failures++
	st.LastError = res.Err.Error()
	st.LastErrorAt = now
	var se *fetch.StatusError
	switch {
	case errors.As(res.Err, &se) && se.Code == 410:
		st.Disabled = true
		st.DisableReason = fmt.Sprintf("gone (HTTP 410) at %s", now.UTC().Format(time.RFC3339))
	case errors.As(res.Err, &se) && se.RetryAfter > 0:
		st.NextPoll = now.Add(min(se.RetryAfter, 24*time.Hour))
		if u, err := url.Parse(st.URL); err == nil {
			// A 429/503 is about the host, not this feed: hold every
			// source on it back.
			p.cfg.Fetcher.Gate().HoldUntil(u.Hostname(), st.NextPoll)
		}
	default:
		st.NextPoll = now.Add(backoff(p.interval(*st, res.Source), st.Failures, p.cfg.MaxBackoff))
	}
	res.NextPoll = st.NextPoll
}

// interval is the source's configured interval, stretched (never shortened) to
// what the upstream asked for, within [5m, 24h].
func (p *Poller) interval(st store.SourceState, name string) time.Duration {
	iv := p.cfg.Interval
	for _, s := range p.cfg.Sources {
		if s.Name == name && s.Interval > 0 {
			iv = s.Interval
		}
	}
	iv = max(iv, st.Interval)
	return min(max(iv, 5*time.Minute), 24*time.Hour)
}

// backoff doubles the interval per consecutive failure, capped, with jitter so
// that sources failing together do not retry together.
func backoff(base time.Duration, failures int, limit time.Duration) time.Duration {
	d := base
	for i := 1; i < failures && d < limit; i++ {
		d *= 2
	}
	return jitter(min(d, limit))
}

// jitter spreads d by ±10%.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return d
	}
	spread := int64(d) / 5
	return d - time.Duration(spread/2) + time.Duration(rand.Int64N(spread+1))
}

func (p *Poller) log(r Result) {
	attrs := []any{"source", r.Source, "url", r.URL, "status", r.Status, "duration", r.Duration.Round(time.Millisecond)}
	switch {
	case r.Skipped != "":
		p.cfg.Log.Debug("source skipped", append(attrs, "reason", r.Skipped)...)
	case r.Err != nil:
		p.cfg.Log.Warn("poll failed", append(attrs, "err", r.Err)...)
	default:
		p.cfg.Log.Info("polled", append(attrs, "new", r.New, "updated", r.Updated, "duplicate", r.Duplicate, "not_modified", r.NotModified)...)
	}
}
