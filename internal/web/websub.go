package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/kernelwire/kernelwire/internal/store"
)

// WebSub publishing (https://www.w3.org/TR/websub/). Every feed advertises
// the hub (rel="hub" in the document and in a Link header, see handleFeed)
// and its own URL (rel="self"); when a feed gains items the watcher tells
// the hub with a "publish" ping, the de-facto publisher protocol the spec
// leaves open (section 7) and every public hub accepts: a form-encoded POST
// of hub.mode=publish and hub.url=<topic URL>. The hub then fetches the feed
// and pushes it to subscribers, so they hear within seconds of the store
// changing instead of at their next poll.
//
// The watcher lives here, not in poll, because web owns the feed URLs and
// poll and web never import each other: whichever process runs it sees the
// store's Version change, whoever wrote the items.

// watcher is the running ping loop.
type watcher struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// feedState is what a change of a feed is judged by: its size and newest
// item.
type feedState struct {
	count int
	top   string
}

// Start begins watching the store and pinging Config.HubURL when feeds
// gain items; without a hub it does nothing. Pings need absolute feed URLs,
// so a hub requires Config.BaseURL. Stop ends the watcher.
func (s *Server) Start(ctx context.Context) error {
	if s.cfg.HubURL == "" {
		return nil
	}
	if s.cfg.BaseURL == "" {
		return fmt.Errorf("websub: pinging hub %s needs the public base URL (--base-url): the hub fetches feeds by the URL it is pinged with", s.cfg.HubURL)
	}
	s.watchMu.Lock()
	defer s.watchMu.Unlock()
	if s.watch != nil {
		return errors.New("websub: watcher already started")
	}
	// The first snapshot is the baseline: a restart pings nothing.
	ver, err := s.cfg.Store.Version(ctx)
	var last map[string]feedState
	if err == nil {
		last, err = s.snapshot(ctx)
	}
	if err != nil {
		s.cfg.Log.Warn("websub: first snapshot failed; the next one is the baseline", "err", err)
		ver, last = -1, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	w := &watcher{cancel: cancel, done: make(chan struct{})}
	s.watch = w
	go func() {
		defer close(w.done)
		s.watchLoop(ctx, ver, last)
	}()
	return nil
}

// Stop ends the watcher started by Start and waits for it, including a
// ping in flight.
func (s *Server) Stop() {
	s.watchMu.Lock()
	w := s.watch
	s.watch = nil
	s.watchMu.Unlock()
	if w != nil {
		w.cancel()
		<-w.done
	}
}

func (s *Server) watchLoop(ctx context.Context, ver int64, last map[string]feedState) {
	tick := time.NewTicker(s.cfg.PingInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		v, err := s.cfg.Store.Version(ctx)
		if err != nil || v == ver {
			if err != nil && ctx.Err() == nil {
				s.cfg.Log.Warn("websub: read store version", "err", err)
			}
			continue
		}
		snap, err := s.snapshot(ctx)
		if err != nil {
			if ctx.Err() == nil {
				s.cfg.Log.Warn("websub: snapshot feeds", "err", err)
			}
			continue
		}
		if last != nil {
			s.ping(ctx, s.changedFeeds(last, snap))
		}
		ver, last = v, snap
	}
}

// snapshot reads the size and newest item of everything, all news and
// every topic.
func (s *Server) snapshot(ctx context.Context) (map[string]feedState, error) {
	out := make(map[string]feedState, len(s.cfg.Topics)+2)
	for _, slug := range append([]string{everythingFeed}, s.topicSlugs()...) {
		n, err := s.cfg.Store.Count(ctx, storeIndex(slug))
		if err != nil {
			return nil, fmt.Errorf("websub snapshot %s: %w", slug, err)
		}
		top, err := s.cfg.Store.Items(ctx, store.Query{Topic: storeIndex(slug), Limit: 1})
		if err != nil {
			return nil, fmt.Errorf("websub snapshot %s: %w", slug, err)
		}
		st := feedState{count: n}
		if len(top) > 0 {
			st.top = top[0].Key
		}
		out[slug] = st
	}
	return out, nil
}

// changedFeeds names the feeds that gained items between two snapshots:
// everything, all, the topics whose count grew or whose newest item
// changed, and the named feeds over those topics (a named feed without
// topics, selecting by source or text, changes whenever everything does:
// pinging a feed that did not change costs the hub one conditional fetch).
func (s *Server) changedFeeds(old, cur map[string]feedState) []string {
	gained := func(slug string) bool {
		o, c := old[slug], cur[slug]
		return c.count > o.count || c.top != o.top && c.top != ""
	}
	if !gained(everythingFeed) {
		return nil
	}
	out := []string{everythingFeed}
	if gained(allFeed) {
		out = append(out, allFeed)
	}
	var topics []string
	for _, t := range s.cfg.Topics {
		if gained(t.Slug) {
			topics = append(topics, t.Slug)
		}
	}
	out = append(out, topics...)
	for _, nf := range s.cfg.NamedFeeds {
		if len(nf.Filter.Topics) == 0 || slices.ContainsFunc(nf.Filter.Topics, func(t string) bool { return slices.Contains(topics, t) }) {
			out = append(out, nf.Name)
		}
	}
	return out
}

// ping tells the hub that every format of each named feed changed, one
// request per feed URL (hubs differ in accepting several hub.url values in
// one request; one each is understood by all).
func (s *Server) ping(ctx context.Context, names []string) {
	base := strings.TrimRight(s.cfg.BaseURL, "/")
	for _, name := range names {
		for _, f := range formats() {
			feedURL := base + "/feeds/" + name + "." + string(f.format)
			if err := s.pingOne(ctx, feedURL); err != nil {
				if ctx.Err() != nil {
					return
				}
				s.cfg.Log.Warn("websub: ping failed", "url", feedURL, "err", err)
				continue
			}
			s.cfg.Log.Debug("websub: pinged", "url", feedURL)
		}
	}
}

func (s *Server) pingOne(ctx context.Context, feedURL string) error {
	form := url.Values{"hub.mode": {"publish"}, "hub.url": {feedURL}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.HubURL, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("ping hub %s: %w", s.cfg.HubURL, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.cfg.HubClient.Do(req)
	if err != nil {
		return fmt.Errorf("ping hub %s: %w", s.cfg.HubURL, err)
	}
	defer resp.Body.Close()
	// Drain a little so the connection is reused; hubs answer with a line.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("ping hub %s: status %d", s.cfg.HubURL, resp.StatusCode)
	}
	return nil
}
