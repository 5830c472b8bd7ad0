// Package poll owns ingest and its goroutines: for each source it runs
// fetch -> parse -> tag -> dedup -> store synchronously, and schedules sources
// over a bounded worker pool. It is the only package that starts goroutines for
// polling; the stages it calls are synchronous and never log.
//
// Politeness and scale-out are decided here too: intervals adapt to the
// upstream within bounds (interval.go), the scheduler never hands a worker a
// host that is busy or held (run.go), and each poll holds the source's lease
// in the store so replicas sharing one Redis never poll a source twice at
// once, and re-check the stored next-poll time under it (lease.go).
//
// Failure rule: nothing already stored is lost when an upstream misbehaves. A
// source's validators (ETag, Last-Modified) are saved only after its items are
// stored, so a store failure can never turn the next poll into a 304 that
// skips items never stored.
package poll

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
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
	// MaxBackoff caps the exponential backoff after failures (default 6h).
	MaxBackoff time.Duration
	// MinInterval and MaxInterval bound every adapted interval (defaults
	// 5m and 24h); tests lower them to run in seconds.
	MinInterval, MaxInterval time.Duration
	// LeaseTTL is how long a source's lease lasts unless renewed (default
	// 1m; renewed every third of it while the poll runs). It is also how
	// long a dead replica's sources wait before another takes them over.
	LeaseTTL time.Duration
	// PruneEvery is how often Run applies retention (default 1h).
	PruneEvery time.Duration
	// RefreshEvery bounds how long an unchanged body skips the item write
	// (default 24h); a full save then refreshes the items' seen marks,
	// which must never lapse while the items are still upstream.
	RefreshEvery time.Duration
	// MaxItemsPerPoll caps the items one poll of a source ingests, newest
	// first (default 300; item.Source.MaxItemsPerPoll overrides it). Parse
	// still reads the whole body, but tagging, keys, clustering and the
	// store write, whose cost grows with the items, see at most this many.
	MaxItemsPerPoll int
	Fetcher         *fetch.Client
	Tagger          *tag.Tagger
	Store           store.Store
	Log             *slog.Logger
	Metrics         *Metrics // nil: no metrics
	// Now is the clock; tests replace it.
	Now func() time.Time
}

// Poller polls sources into a store.
type Poller struct {
	cfg    Config
	parser *parse.Parser
	// pollOne is what the scheduler runs per source: pollLeased, or a
	// fake in the scheduler's own tests.
	// fetched is called once the HTTP exchange is over (or will not
	// happen), so the scheduler can free the host for its next source.
	pollOne func(ctx context.Context, src item.Source, onlyIfDue bool, fetched func()) Result
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
	if cfg.MinInterval <= 0 {
		cfg.MinInterval = 5 * time.Minute
	}
	if cfg.MaxInterval <= 0 {
		cfg.MaxInterval = 24 * time.Hour
	}
	cfg.MaxInterval = max(cfg.MaxInterval, cfg.MinInterval)
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = time.Minute
	}
	if cfg.RefreshEvery <= 0 {
		cfg.RefreshEvery = 24 * time.Hour
	}
	if cfg.MaxItemsPerPoll <= 0 {
		cfg.MaxItemsPerPoll = 300
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
	p := &Poller{cfg: cfg, parser: parse.NewParser()}
	p.pollOne = p.pollLeased
	return p
}

// Result is the outcome of one poll of one source.
type Result struct {
	Source      string
	URL         string
	Status      int // HTTP status, 0 when no response
	NotModified bool
	// Unchanged: a 200 with the very bytes stored last time, handled
	// like a 304.
	Unchanged bool
	Skipped   string // why the source was not fetched (disabled, leased)
	// LeaseLeft is how long the lease that made the poll skip the source
	// still lasts, when the store can tell (LeaseInspector).
	LeaseLeft time.Duration
	// Partial is set (wrapping parse.ErrPartial) when the feed was
	// truncated or ill-formed: the items before the damage were stored.
	Partial   error
	New       int
	Updated   int
	Duplicate int
	TooOld    int
	// Undated counts the items with no date parse could read (see
	// placeUndated); Refused the items of a feed refused whole (ErrOwnFeed).
	Undated int
	Refused int
	// OverCap counts the items beyond the per-poll cap (MaxItemsPerPoll):
	// in the feed, older than those taken, not ingested.
	OverCap  int
	Err      error
	Duration time.Duration
	NextPoll time.Time
}

// Outcome names the result for logs, metrics and the CLI.
func (r Result) Outcome() string {
	switch {
	case r.Skipped != "":
		return "skipped"
	case r.Err != nil:
		return "error"
	case r.Partial != nil:
		return "partial"
	case r.NotModified:
		return "not-modified"
	case r.Unchanged:
		return "unchanged"
	}
	return "ok"
}

// PollSource polls one source once, whether or not it is due, and records
// its state. It holds the source's lease meanwhile, so a replica polling the
// same store skips the source instead of fetching it at the same time.
func (p *Poller) PollSource(ctx context.Context, src item.Source) Result {
	return p.pollLeased(ctx, src, false, func() {})
}

// pollLeased takes the source's lease, re-reads its state under the lease
// and, when onlyIfDue, skips a source another replica has just polled.
func (p *Poller) pollLeased(ctx context.Context, src item.Source, onlyIfDue bool, fetched func()) Result {
	start := p.cfg.Now()
	l, err := p.acquire(ctx, src.Name)
	switch {
	case err != nil:
		return p.finish(Result{Source: src.Name, URL: src.URL, Err: inStage(ClassStore, err)})
	case l == nil:
		// Another replica is polling it (or died holding the lease);
		// look again once it has had time to finish and store the next
		// poll time.
		res := Result{Source: src.Name, URL: src.URL, Skipped: skipLeased,
			NextPoll: start.Add(jitter(p.cfg.LeaseTTL/2, rand.Float64()))}
		if li, ok := p.cfg.Store.(LeaseInspector); ok {
			if left, err := li.LeaseRemaining(ctx, src.Name); err == nil && left > 0 {
				res.LeaseLeft = left
				res.Skipped = fmt.Sprintf("%s (its lease expires in %s)", skipLeased, left.Round(time.Second))
			}
		}
		return p.finish(res)
	}
	defer l.release(ctx)

	st, err := p.cfg.Store.SourceState(l.ctx, src.Name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		st = store.SourceState{Name: src.Name}
	case err != nil:
		return p.finish(Result{Source: src.Name, URL: src.URL, Err: inStage(ClassStore, fmt.Errorf("load state of %s: %w", src.Name, err))})
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
		return p.finish(res)
	}
	if onlyIfDue && st.NextPoll.After(start) {
		// Another replica polled it since this one scheduled it.
		res.Skipped = skipNotDue
		res.NextPoll = st.NextPoll
		return p.finish(res)
	}

	res, h := p.poll(l.ctx, src, &st, res, fetched)
	res.Duration = p.cfg.Now().Sub(start)
	p.record(&st, &res, src, h)
	switch {
	case l.lost():
		// Another replica may own the source by now: its state, not ours,
		// is the one to keep. Items already stored stay stored.
		res.Err = inStage(ClassStore, fmt.Errorf("poll %s: %w", src.Name, context.Cause(l.ctx)))
	case ctx.Err() == nil || res.Err == nil:
		// Store the state even for failures: it carries the backoff. A
		// context cancelled by shutdown is not the upstream's fault, so
		// it is not counted against the source.
		if err := p.cfg.Store.PutSourceState(context.WithoutCancel(ctx), st); err != nil && res.Err == nil {
			res.Err = inStage(ClassStore, fmt.Errorf("save state of %s: %w", src.Name, err))
		}
	}
	return p.finish(res)
}

// Reasons a source was skipped without a fetch.
const (
	skipLeased = "being polled by another replica"
	skipNotDue = "not due: polled by another replica"
)

func (p *Poller) finish(res Result) Result {
	p.cfg.Metrics.observe(res)
	p.log(res)
	return res
}

// poll fetches, parses and stores one source, updating st's URL, validators
// and item count; h carries what the upstream said about its schedule.
func (p *Poller) poll(ctx context.Context, src item.Source, st *store.SourceState, res Result, fetched func()) (Result, hints) {
	var h hints
	resp, err := p.cfg.Fetcher.Get(ctx, fetch.Request{URL: st.URL, ETag: st.ETag, LastModified: st.LastModified,
		AllowPrivateNetworks: src.AllowPrivateNetworks})
	fetched()
	if err != nil {
		res.Err = err
		var se *fetch.StatusError
		if errors.As(err, &se) {
			res.Status = se.Code
		}
		return res, h
	}
	res.Status = resp.Status
	h.CacheFor = cacheLifetime(resp.Header, p.cfg.Now())
	if resp.PermanentURL != "" && resp.PermanentURL != st.URL {
		p.cfg.Log.Info("source moved permanently", "source", src.Name, "url", st.URL, "new_url", resp.PermanentURL)
		st.URL = resp.PermanentURL
		res.URL = st.URL
	}
	if resp.NotModified {
		// Nothing else is touched: no parse, no item write (the state,
		// with its schedule, is still saved by the caller).
		res.NotModified = true
		return res, h
	}
	now := p.cfg.Now()
	sum := bodyHash(resp.Body)
	if sum == st.BodyHash && now.Sub(st.LastFullSave) < p.cfg.RefreshEvery {
		// The same bytes were stored already: skip parse and write, as
		// for a 304. The validators are safe to keep for the same reason.
		res.Unchanged = true
		st.ETag, st.LastModified = resp.ETag, resp.LastModified
		return res, h
	}
	feed, saved, overCap, err := p.ingest(ctx, src, st.URL, resp, now, st.ItemsSeen == 0)
	if err != nil {
		res.Err = err
		if feed != nil && errors.Is(err, ErrOwnFeed) {
			res.Refused = len(feed.Items)
		}
		return res, h
	}
	for _, it := range feed.Items {
		if it.Undated {
			res.Undated++
		}
	}
	res.OverCap = overCap
	h.TTL, h.UpdatePeriod = feed.TTL, feed.UpdatePeriod
	res.Partial = feed.Damage
	if feed.Title != "" {
		st.Title = feed.Title
	}
	if feed.Link != "" {
		st.SiteURL = feed.Link
	}
	items := feed.Items
	res.New = saved.Count(item.New)
	res.Updated = saved.Count(item.Updated)
	res.Duplicate = saved.Count(item.Duplicate)
	res.TooOld = saved.Count(item.TooOld)
	st.ItemsSeen += int64(len(items))
	// Only now are the validators safe to keep (see the package comment).
	st.ETag, st.LastModified = resp.ETag, resp.LastModified
	st.BodyHash, st.LastFullSave = sum, now
	return res, h
}

// ingest is the part of a poll between fetch and bookkeeping: parse the
// response from feedURL, tag and key the items, save them.
// first says it is the source's first poll (see placeUndated); overCap is
// how many items the per-poll cap left out.
func (p *Poller) ingest(ctx context.Context, src item.Source, feedURL string, resp *fetch.Response, now time.Time, first bool) (feed *parse.Feed, saved store.SaveResult, overCap int, err error) {
	feed, err = p.parser.Parse(resp.Body, resp.ContentType, resp.FinalURL, now)
	if err != nil {
		return nil, store.SaveResult{}, 0, inStage(ClassParse, fmt.Errorf("parse %s: %w", feedURL, err))
	}
	if why := ownFeed(feed); why != "" {
		return feed, store.SaveResult{}, 0, fmt.Errorf("%s: %w: %s", feedURL, ErrOwnFeed, why)
	}
	placeUndated(feed.Items, feed.Date, first)
	limit := p.cfg.MaxItemsPerPoll
	if src.MaxItemsPerPoll > 0 {
		limit = src.MaxItemsPerPoll
	}
	items := newestFirst(feed.Items, limit)
	overCap = len(feed.Items) - len(items)
	for i := range items {
		items[i].Source, items[i].OnTopic = src.Name, src.OnTopic
		p.cfg.Tagger.Tag(&items[i], src.Name, src.Topics)
	}
	dedup.Assign(items, src.Name)
	saved, err = p.cfg.Store.SaveItems(ctx, src.Name, items)
	if err != nil {
		return nil, store.SaveResult{}, 0, inStage(ClassStore, fmt.Errorf("store items of %s: %w", src.Name, err))
	}
	return feed, saved, overCap, nil
}

// newestFirst returns the limit newest of items (by Published, as
// placeUndated left it; ties keep the feed's order), sorted newest first.
// The slice is sorted in place.
func newestFirst(items []item.Item, limit int) []item.Item {
	if len(items) <= limit {
		return items
	}
	slices.SortStableFunc(items, func(a, b item.Item) int { return b.Published.Compare(a.Published) })
	return items[:limit:limit]
}

// record updates st with the result and decides the next poll.
func (p *Poller) record(st *store.SourceState, res *Result, src item.Source, h hints) {
	now := p.cfg.Now()
	lim := limits{p.cfg.MinInterval, p.cfg.MaxInterval}
	base := p.cfg.Interval
	if src.Interval > 0 {
		base = src.Interval
	}
	st.LastStatus = res.Status
	if res.Err == nil {
		st.Failures = 0
		st.LastSuccess = now
		changed := !res.NotModified && !res.Unchanged && res.New+res.Updated > 0
		st.Interval = adaptInterval(base, st.Interval, h, changed, lim)
		st.NextPoll = now.Add(jitter(st.Interval, rand.Float64()))
		res.NextPoll = st.NextPoll
		return
	}
	st.Failures++
	st.LastError = res.Err.Error()
	st.LastErrorClass = ErrorClass(res.Err)
	st.LastErrorAt = now
	interval := st.Interval
	if interval <= 0 {
		interval = lim.clamp(base)
	}
	var se *fetch.StatusError
	switch {
	case errors.As(res.Err, &se) && se.Code == http.StatusGone:
		st.Disabled = true
		st.DisableReason = fmt.Sprintf("gone (HTTP 410) at %s", now.UTC().Format(time.RFC3339))
		st.NextPoll = time.Time{}
		p.cfg.Log.Warn("source disabled", "source", st.Name, "url", st.URL, "reason", st.DisableReason)
	case errors.As(res.Err, &se) && se.RetryAfter > 0:
		st.NextPoll = now.Add(retryDelay(se.RetryAfter, lim))
		if u, err := url.Parse(st.URL); err == nil {
			// A 429/503 is about the host, not this feed: hold every
			// source on it back for as long as the server asked.
			p.cfg.Fetcher.Gate().HoldUntil(strings.ToLower(u.Hostname()), now.Add(min(se.RetryAfter, lim.max)))
		}
	default:
		st.NextPoll = now.Add(backoff(interval, st.Failures, p.cfg.MaxBackoff, rand.Float64()))
	}
	res.NextPoll = st.NextPoll
}

func (p *Poller) log(r Result) {
	attrs := []any{"source", r.Source, "url", r.URL, "status", r.Status, "duration", r.Duration.Round(time.Millisecond)}
	// What a poll took and what it did not, and why: a first poll of an
	// old capture logs "new 0" with the items it found too old.
	counts := []any{"new", r.New, "updated", r.Updated, "duplicate", r.Duplicate,
		"too_old", r.TooOld, "undated", r.Undated, "over_cap", r.OverCap}
	switch {
	case r.Skipped != "":
		p.cfg.Log.Debug("source skipped", append(attrs, "reason", r.Skipped)...)
	case r.Err != nil:
		if r.Refused > 0 {
			attrs = append(attrs, "refused", r.Refused)
		}
		p.cfg.Log.Warn("poll failed", append(attrs, "err", r.Err)...)
	case r.Partial != nil:
		p.cfg.Log.Warn("feed damaged: items before the damage stored", append(append(attrs, counts...), "err", r.Partial)...)
	case r.OverCap > 0:
		// Worth a warning: the feed carries more than one poll takes,
		// so its older items are never ingested.
		p.cfg.Log.Warn("polled, items over the per-poll cap left out", append(attrs, counts...)...)
	default:
		p.cfg.Log.Info("polled", append(append(attrs, counts...), "not_modified", r.NotModified)...)
	}
}

// bodyHash identifies a response body across polls and restarts.
func bodyHash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}
