package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/publish"
	"github.com/kernelwire/kernelwire/internal/store"
)

const (
	defaultLimit = 50
	maxLimit     = 1000
)

// feedRequest is a validated /feeds/{name}.{ext} request.
type feedRequest struct {
	topic  string // store.AllTopic or a slug
	format publish.Format
	limit  int
	offset int
}

func (s *Server) parseFeedRequest(r *http.Request) (feedRequest, error) {
	file := r.PathValue("file")
	name, ext, ok := cutLast(file, ".")
	if !ok {
		return feedRequest{}, errNotFound("no feed %q: feeds are /feeds/<topic>.rss, .atom or .json", file)
	}
	format, ok := publish.ParseFormat(ext)
	if !ok {
		return feedRequest{}, errNotFound("unknown feed format %q: use .rss, .atom or .json", ext)
	}
	if _, known := s.topics[name]; !known && name != store.AllTopic {
		return feedRequest{}, errNotFound("unknown topic %q; valid topics: %s", name, strings.Join(s.topicSlugs(), ", "))
	}
	fr := feedRequest{topic: name, format: format, limit: defaultLimit}
	q := r.URL.Query()
	var err error
	if fr.limit, err = intParam(q, "limit", defaultLimit, 1, maxLimit); err != nil {
		return feedRequest{}, err
	}
	if fr.offset, err = intParam(q, "offset", 0, 0, 1_000_000); err != nil {
		return feedRequest{}, err
	}
	return fr, nil
}

// intParam reads an integer query parameter within [lo, hi]. Unknown
// parameters are ignored elsewhere on purpose: feed readers add cache busters.
func intParam(q url.Values, name string, def, lo, hi int) (int, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, errBadRequest("bad %s %q: want an integer from %d to %d", name, v, lo, hi)
	}
	return n, nil
}

func (s *Server) handleFeed(w http.ResponseWriter, r *http.Request) error {
	fr, err := s.parseFeedRequest(r)
	if err != nil {
		return err
	}
	ctx, cancel := withTimeout(r)
	defer cancel()
	base := s.baseURL(r)
	self := base + "/feeds/" + fr.topic + "." + string(fr.format) + fr.query(fr.offset)
	ver, err := s.version(ctx)
	if err != nil {
		return err
	}
	entry, err := s.cache.Get(ctx, self, ver, func(ctx context.Context) ([]byte, string, time.Time, error) {
		return s.renderFeed(ctx, fr, base, self)
	})
	if err != nil {
		return err
	}
	entry.ServeHTTP(w, r)
	return nil
}

// query is the canonical query string of the request at offset: defaults are
// left out so that the self link of the default feed is the plain URL.
func (fr feedRequest) query(offset int) string {
	v := url.Values{}
	if fr.limit != defaultLimit {
		v.Set("limit", strconv.Itoa(fr.limit))
	}
	if offset > 0 {
		v.Set("offset", strconv.Itoa(offset))
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

func (s *Server) renderFeed(ctx context.Context, fr feedRequest, base, self string) ([]byte, string, time.Time, error) {
	// One extra item tells whether there is a next page.
	items, err := s.cfg.Store.Items(ctx, store.Query{Topic: fr.topic, Offset: fr.offset, Limit: fr.limit + 1})
	if err != nil {
		return nil, "", time.Time{}, err
	}
	f := publish.Feed{
		ID:        base + "/feeds/" + fr.topic,
		Title:     "kernelwire: " + s.topicTitle(fr.topic),
		SelfURL:   self,
		HTMLURL:   base + "/",
		HubURL:    s.cfg.HubURL,
		Generator: "kernelwire " + s.cfg.Version,

		TopicTitles: s.titles,
		SourceURLs:  s.sourceURLs,
	}
	if t, ok := s.topics[fr.topic]; ok {
		f.Description = t.Description
		f.HTMLURL = base + "/topics/" + t.Slug
	} else {
		f.Description = "Linux kernel and Rust-for-Linux news, curated by kernelwire"
	}
	if len(items) > fr.limit {
		items = items[:fr.limit]
		f.NextURL = base + "/feeds/" + fr.topic + "." + string(fr.format) + fr.query(fr.offset+fr.limit)
	}
	f.Items = items
	var lastMod time.Time
	for _, it := range items {
		for _, t := range []time.Time{it.Published, it.Updated, it.FirstSeen} {
			if t.After(lastMod) {
				lastMod = t
			}
		}
	}
	f.Updated = lastMod
	if f.Updated.IsZero() {
		// An empty feed still needs an updated time; a fixed epoch keeps
		// its bytes, and so its ETag, stable across renders.
		f.Updated = time.Unix(0, 0).UTC()
	}
	body, err := publish.Render(f, fr.format)
	if err != nil {
		return nil, "", time.Time{}, err
	}
	return body, fr.format.ContentType(), lastMod, nil
}

func (s *Server) topicTitle(slug string) string {
	if t, ok := s.topics[slug]; ok && t.Title != "" {
		return t.Title
	}
	return "all news"
}

func (s *Server) topicSlugs() []string {
	out := []string{store.AllTopic}
	for _, t := range s.cfg.Topics {
		out = append(out, t.Slug)
	}
	slices.Sort(out[1:])
	return out
}

// baseURL is the configured public URL, else what the request says it used.
func (s *Server) baseURL(r *http.Request) string {
	if s.cfg.BaseURL != "" {
		return strings.TrimRight(s.cfg.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i <= 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// topicsWithAll lists "all" then the configured topics, for navigation.
func (s *Server) topicsWithAll() []item.Topic {
	out := []item.Topic{{Slug: store.AllTopic, Title: "All news"}}
	return append(out, s.cfg.Topics...)
}
