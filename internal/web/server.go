// Package web serves kernelwire over HTTP: the curated feeds (topics, named
// and ad-hoc query feeds), the river-of-news page, the feed list, OPML,
// health and metrics, and it pings the WebSub hub when feeds gain items. It
// reads only from the store (it never imports poll): replicas that only
// serve see what any poller wrote.
//
// Templates are embedded (templates/*.html) and parsed once in New; every
// untrusted string reaches them as text, which html/template escapes.
//
// Rendered feeds are cached as bytes against the store's Version, which is
// re-read at most once per VersionTTL, so a cached feed costs about what a
// static file costs and a change reaches readers within that TTL. The HTML
// pages are cached the same way (cached.go). While the store does not
// answer, the last rendered copies are served stale, with a Warning.
package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/publish"
	"github.com/kernelwire/kernelwire/internal/store"
)

// Config wires a Server.
type Config struct {
	Store  store.Store
	Topics []item.Topic
	// Sources name the upstream feeds, for the source elements of items.
	Sources []item.Source
	// BaseURL is the public URL prefix (e.g. https://news.example.org); when
	// empty it is derived from each request's Host and X-Forwarded-Proto.
	BaseURL string
	// HubURL is a WebSub hub advertised by every feed when set.
	HubURL string
	// Version is kernelwire's version, for the generator element.
	Version    string
	Registry   *prometheus.Registry
	Log        *slog.Logger
	VersionTTL time.Duration // default 1s
	// StoreWait bounds how long a request waits for the store's version
	// before it serves its last rendered copy (default 1s).
	StoreWait time.Duration
	CacheSize int // rendered feeds kept (default 256), and as many pages

	// NamedFeeds are feeds.yaml's saved queries, at /feeds/<Name>.<ext>.
	NamedFeeds []NamedFeed
	// ScanLimit bounds the stored items one query examines (default
	// DefaultScanLimit); see Server.scan.
	ScanLimit int
	// PingInterval is how often the WebSub watcher checks the store for
	// new items (default 2s); see Start.
	PingInterval time.Duration
	// HubClient sends WebSub pings (default: a client with a 10s timeout).
	HubClient *http.Client
	// Now is the clock of the page's relative dates (default time.Now).
	Now func() time.Time
	// ErrorDetail shows each source's last error text in /api/sources,
	// not only its class (serve --api-error-detail).
	ErrorDetail bool
}

// Server is kernelwire's HTTP front.
type Server struct {
	cfg     Config
	cache   *publish.Cache // rendered feeds
	pages   *publish.Cache // rendered HTML pages
	metrics *httpMetrics
	topics  map[string]item.Topic
	// titles and sourceURLs are handed to every render, read-only.
	titles     map[string]string
	sourceURLs map[string]string
	// names is the last loadSourceNames result.
	names atomic.Pointer[sourceNames]

	// verMu serialises refreshes of the store version; fresh holds the last
	// good one so the hot path reads it without a lock.
	verMu   sync.Mutex
	fresh   atomic.Pointer[versionAt]
	handler http.Handler

	named   map[string]NamedFeed
	tmpl    *template.Template
	favicon *publish.Entry

	// watch is the WebSub watcher (websub.go) while started.
	watchMu sync.Mutex
	watch   *watcher
}

// New builds the server and its routes.
func New(cfg Config) *Server {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.VersionTTL <= 0 {
		cfg.VersionTTL = time.Second
	}
	if cfg.StoreWait <= 0 {
		cfg.StoreWait = time.Second
	}
	if cfg.CacheSize <= 0 {
		cfg.CacheSize = 256
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.ScanLimit <= 0 {
		cfg.ScanLimit = DefaultScanLimit
	}
	if cfg.PingInterval <= 0 {
		cfg.PingInterval = 2 * time.Second
	}
	if cfg.HubClient == nil {
		cfg.HubClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.NamedFeeds = slices.Clone(cfg.NamedFeeds) // sorted below, not the caller's
	if !slices.ContainsFunc(cfg.NamedFeeds, func(nf NamedFeed) bool { return nf.Name == seriesFeed.Name }) &&
		!slices.ContainsFunc(cfg.Topics, func(t item.Topic) bool { return t.Slug == seriesFeed.Name }) {
		cfg.NamedFeeds = append(cfg.NamedFeeds, seriesFeed)
	}
	s := &Server{
		cfg:     cfg,
		cache:   publish.NewCache(cfg.CacheSize),
		pages:   publish.NewCache(cfg.CacheSize),
		metrics: newHTTPMetrics(cfg.Registry),
		topics:  make(map[string]item.Topic, len(cfg.Topics)),
		named:   make(map[string]NamedFeed, len(cfg.NamedFeeds)),
		tmpl:    parseTemplates(),
		favicon: newFavicon(),
	}
	for i, nf := range cfg.NamedFeeds {
		// Sorted like a parsed query, so its links are canonical.
		nf.Filter.Topics = slices.Sorted(slices.Values(nf.Filter.Topics))
		nf.Filter.Not = slices.Sorted(slices.Values(nf.Filter.Not))
		nf.Filter.search = lenientSearch(nf.Filter.Q)
		// A view of the river, unless it picks topics (curated already)
		// or a source (all of it).
		nf.Filter.curated = len(nf.Filter.Topics) == 0 && nf.Filter.Source == ""
		s.cfg.NamedFeeds[i] = nf
		s.named[nf.Name] = nf
	}
	s.titles = make(map[string]string, len(cfg.Topics))
	for _, t := range cfg.Topics {
		s.topics[t.Slug] = t
		s.titles[t.Slug] = t.Title
	}
	s.sourceURLs = make(map[string]string, len(cfg.Sources))
	for _, src := range cfg.Sources {
		s.sourceURLs[src.Name] = src.URL
	}
	s.handler = s.routes()
	return s
}

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

type versionAt struct {
	v   int64
	err error // the store did not answer: v is not known
	at  time.Time
	// since is when the store stopped answering, while err is set.
	since time.Time
}

// errStoreDown marks a store that did not answer a version read: the
// handlers serve their last rendered copy, or 503 when they have none.
var errStoreDown = errors.New("store unreachable")

// version returns the store's change counter, re-read at most once per
// VersionTTL. Within the TTL it is one atomic load; when it expires, the lock
// makes concurrent callers wait for one read instead of each sending one.
// The read waits at most StoreWait: a store that does not answer makes
// callers serve stale copies, not queue up. A failure is remembered for the
// TTL too, so while the store is down requests fail fast instead of each
// waiting StoreWait.
// freshVersion is the store version read within VersionTTL, if there is
// one (and the store answered it).
func (s *Server) freshVersion() (int64, bool) {
	if f := s.fresh.Load(); f != nil && f.err == nil && time.Since(f.at) < s.cfg.VersionTTL {
		return f.v, true
	}
	return 0, false
}

func (s *Server) version(ctx context.Context) (int64, error) {
	if f := s.fresh.Load(); f != nil && time.Since(f.at) < s.cfg.VersionTTL {
		return f.v, f.err
	}
	s.verMu.Lock()
	defer s.verMu.Unlock()
	f := s.fresh.Load()
	if f != nil && time.Since(f.at) < s.cfg.VersionTTL {
		return f.v, f.err
	}
	rctx, cancel := context.WithTimeout(ctx, s.cfg.StoreWait)
	defer cancel()
	v, err := s.cfg.Store.Version(rctx)
	if err != nil {
		if ctx.Err() != nil {
			// The client left: that says nothing about the store.
			return 0, ctx.Err()
		}
		return 0, s.markDown(fmt.Errorf("version: %w", err))
	}
	if f != nil && f.err != nil {
		s.cfg.Log.Info("store reachable again", "down_for", time.Since(f.since).Round(time.Millisecond))
	}
	s.fresh.Store(&versionAt{v: v, at: time.Now()})
	return v, nil
}

// markDown records that the store did not answer (err says how), so that
// requests within VersionTTL fail fast, and returns err wrapped in
// errStoreDown. The caller holds verMu. The first failure of an outage is
// logged; the others would be one line per request.
func (s *Server) markDown(err error) error {
	err = fmt.Errorf("%w: %w", errStoreDown, err)
	now := time.Now()
	since := now
	if f := s.fresh.Load(); f != nil && f.err != nil {
		since = f.since
	} else {
		s.cfg.Log.Warn("store unreachable: serving cached copies", "err", err)
	}
	s.fresh.Store(&versionAt{err: err, at: now, since: since})
	return err
}
