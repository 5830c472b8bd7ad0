package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"

	"github.com/kernelwire/kernelwire/internal/config"
	"github.com/kernelwire/kernelwire/internal/fetch"
	"github.com/kernelwire/kernelwire/internal/poll"
	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/store/boltstore"
	"github.com/kernelwire/kernelwire/internal/store/redisstore"
	"github.com/kernelwire/kernelwire/internal/tag"
)

// app is everything a command needs, built from flags and the config file.
type app struct {
	cfg    *config.Config
	log    *slog.Logger
	store  store.Store
	tagger *tag.Tagger
	reg    *prometheus.Registry
}

func newLogger(level string, w io.Writer) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("bad --log-level %q: %w", level, err)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// setup loads the config and opens the store. Errors name what was wrong.
func setup(ctx context.Context, c common, stderr io.Writer) (*app, error) {
	log, err := newLogger(c.logLevel, stderr)
	if err != nil {
		return nil, err
	}
	cfg, err := config.Load(c.config)
	if err != nil {
		return nil, err
	}
	tagger, err := tag.Compile(cfg.TagSpec())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.config, err)
	}
	for _, w := range cfg.Warnings {
		// check prints the same; a service started without it says it
		// in its log.
		log.Warn("config warning", "file", w.File, "line", w.Line, "err", w.Err)
	}
	priority := make(map[string]int, len(cfg.Sources))
	for _, src := range cfg.Sources {
		priority[src.Name] = src.Priority
	}
	opts := store.Options{SeenTTL: cfg.Defaults.SeenTTL, MaxAge: cfg.Defaults.MaxAge, MaxItems: cfg.Defaults.MaxItems,
		Priority: priority}
	st, err := openStore(ctx, c, opts, log)
	if err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return &app{cfg: cfg, log: log, store: st, tagger: tagger, reg: reg}, nil
}

func openStore(ctx context.Context, c common, opts store.Options, log *slog.Logger) (store.Store, error) {
	if c.redis != "" {
		// go-redis logs through one process-wide logger; a command opens
		// one store, so here, where the operator's logger is built, is
		// where it is pointed at it, once, before the first client.
		redis.SetLogger(redisstore.NewLogger(log))
		st, err := redisstore.Open(ctx, c.redis, c.redisPrefix, opts)
		if err != nil {
			return nil, fmt.Errorf("open Redis store %s: %w", redactURL(c.redis), err)
		}
		return st, nil
	}
	if err := os.MkdirAll(c.data, 0o750); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	path := filepath.Join(c.data, "kernelwire.db")
	st, err := boltstore.Open(path, opts)
	if err != nil {
		// boltstore's errors name the file, and a damaged one says what
		// to do about it: one line, nothing to add.
		return nil, fmt.Errorf("open embedded store: %w", err)
	}
	return st, nil
}

// redactURL hides a password in a Redis URL before it reaches a log.
func redactURL(raw string) string {
	if at := strings.LastIndex(raw, "@"); at > 0 {
		if scheme := strings.Index(raw, "://"); scheme > 0 && scheme < at {
			return raw[:scheme+3] + "***" + raw[at:]
		}
	}
	return raw
}

// pollWorkers is how many sources are polled at once. A poll mostly waits
// (for its upstream, then for the store's commit), and the embedded store
// commits the writes that queue meanwhile together, one sync of the file
// for all of them: a cold poll of 280 feeds syncs 491 times with 4
// workers, 265 with 8, 153 with 16. Sixteen is also Miniflux's default
// pool. The fetch gate still allows one request per host at a time.
const pollWorkers = 16

func (a *app) poller(metrics *poll.Metrics) *poll.Poller {
	d := a.cfg.Defaults
	fc := fetch.New(fetch.Config{
		UserAgent:            firstNonEmpty(d.Fetch.UserAgent, userAgent()),
		Timeout:              d.Fetch.Timeout,
		MaxBodyBytes:         d.Fetch.MaxBodyBytes,
		AllowPrivateNetworks: d.Fetch.AllowPrivateNetworks,
		MinHostGap:           d.Fetch.MinHostGap,
		SharedGate:           sharedGate(a.store),
	})
	return poll.New(poll.Config{
		Sources:         a.cfg.Sources,
		Workers:         pollWorkers,
		Interval:        d.Interval,
		MinInterval:     config.MinInterval,
		MaxItemsPerPoll: d.MaxItemsPerPoll,
		Fetcher:         fc,
		Tagger:          a.tagger,
		Store:           a.store,
		Log:             a.log,
		Metrics:         metrics,
	})
}

// sharedGate is the store's cross-process host gate, when it has one: on
// Redis every replica keeps the politeness gap with the others; the embedded
// store has one process, whose own Gate is enough.
func sharedGate(st store.Store) fetch.SharedGate {
	if g, ok := st.(fetch.SharedGate); ok {
		return g
	}
	return nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
