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

// The two feeds over every source: the curated river, and everything.
const (
	allFeed        = "all"        // curated: stories with a topic, or from on-topic sources
	everythingFeed = "everything" // every stored story, curated or not
)

// riverRule says what the curated river lists, on the page and in feed
// descriptions.
const riverRule = "stories filed under at least one topic, and every story from sources marked wholly on-topic"

// feedRequest is a validated /feeds/{name}.{ext} request.
type feedRequest struct {
	name   string // allFeed, everythingFeed, a topic slug or a named feed
	title  string
	desc   string
	htmlQ  url.Values // the page showing the same items
	path   Filter     // what the name selects
	query  Filter     // what the query string adds
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
	fr := feedRequest{name: name, format: format, limit: defaultLimit}
	if t, known := s.topics[name]; known {
		fr.path = Filter{Topics: []string{name}}
		fr.title, fr.desc = t.Title, t.Description
	} else if nf, named := s.named[name]; named {
		fr.path = nf.Filter
		fr.title, fr.desc = nf.Title, nf.Description
		fr.htmlQ = nf.Filter.values()
	} else if name == allFeed {
		fr.path = Filter{curated: true}
		fr.title, fr.desc = "all news", "Linux kernel and Rust-for-Linux news, curated by kernelwire: "+riverRule
	} else if name == everythingFeed {
		fr.title, fr.desc = "everything", "Every story kernelwire stored, curated or not"
	} else {
		return feedRequest{}, errNotFound("unknown feed %q; valid feeds: %s", name, strings.Join(s.feedNames(), ", "))
	}
	q := r.URL.Query()
	var err error
	if fr.limit, err = intParam(q, "limit", defaultLimit, 1, maxLimit); err != nil {
		return feedRequest{}, err
	}
	if fr.offset, err = intParam(q, "offset", 0, 0, 1_000_000); err != nil {
		return feedRequest{}, err
	}
	if fr.query, err = s.parseFilter(q); err != nil {
		return feedRequest{}, err
	}
	if fr.path.curated {
		fr.path = curatedUnlessSource(fr.path, fr.query)
	}
	if !fr.query.isZero() {
		if fr.htmlQ == nil {
			fr.htmlQ = url.Values{}
		}
		for k, v := range fr.query.values() {
			fr.htmlQ[k] = v
		}
		fr.title += " (" + describe(fr.query) + ")"
	}
	return fr, nil
}

// feedNames lists every /feeds/<name>: all, everything, the topics, the
// named feeds.
func (s *Server) feedNames() []string {
	out := append([]string{allFeed, everythingFeed}, s.topicSlugs()[1:]...)
	for _, nf := range s.cfg.NamedFeeds {
		out = append(out, nf.Name)
	}
	return out
}

// describe says what a filter selects, for feed titles.
func describe(f Filter) string {
	var parts []string
	if len(f.Topics) > 0 {
		parts = append(parts, "topics "+strings.Join(f.Topics, " or "))
	}
	if len(f.Not) > 0 {
		parts = append(parts, "not "+strings.Join(f.Not, ", "))
	}
	if f.Source != "" {
		parts = append(parts, "from "+f.Source)
	}
	if f.Q != "" {
		parts = append(parts, strconv.Quote(f.Q))
	}
	if !f.Since.IsZero() {
		parts = append(parts, "since "+f.Since.Format(time.RFC3339))
	}
	parts = f.Kernel.describe(parts)
	return strings.Join(parts, "; ")
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
	// The hot path: a feed without a query string whose copy is cached.
	// Its cache key (its self URL) is then base + "/feeds/" + file,
	// built on the stack; a request spelt otherwise (all.xml for
	// all.rss) just misses here. A hit allocates nothing of its own.
	if r.URL.RawQuery == "" {
		var buf [256]byte
		key := append(s.appendBaseURL(buf[:0], r), "/feeds/"...)
		key = append(key, r.PathValue("file")...)
		if entry := s.freshEntry(s.cache, key, 0); entry != nil {
			if s.cfg.HubURL != "" {
				s.hubLinks(w, string(key))
			}
			serveEntry(w, r, entry)
			return nil
		}
	}
	return s.serveFeed(w, r)
}

// hubLinks adds the WebSub discovery links of the feed at self, when
// there is a hub: section 4 of the spec, for subscribers that do not
// parse the body.
func (s *Server) hubLinks(w http.ResponseWriter, self string) {
	if s.cfg.HubURL != "" {
		w.Header().Add("Link", "<"+s.cfg.HubURL+">; rel=\"hub\"")
		w.Header().Add("Link", "<"+self+">; rel=\"self\"")
	}
}

func (s *Server) serveFeed(w http.ResponseWriter, r *http.Request) error {
	fr, err := s.parseFeedRequest(r)
	if err != nil {
		return err
	}
	base := s.baseURL(r)
	self := fr.url(base, fr.offset)
	s.hubLinks(w, self)
	return s.serveCached(w, r, s.cache, self, 0, func(ctx context.Context) ([]byte, string, time.Time, error) {
		return s.renderFeed(ctx, fr, base, self)
	})
}

// url is the canonical URL of the request at offset: the query string has
// its keys sorted, its topic lists sorted, and defaults left out, so that
// the self link (and the cache key, and so the ETag) of one query is one
// string however a reader spelt it, and the default feed's is the plain URL.
func (fr feedRequest) url(base string, offset int) string {
	v := fr.query.values()
	if fr.limit != defaultLimit {
		v.Set("limit", strconv.Itoa(fr.limit))
	}
	if offset > 0 {
		v.Set("offset", strconv.Itoa(offset))
	}
	return base + "/feeds/" + fr.name + "." + string(fr.format) + encodeQuery(v)
}

func (s *Server) renderFeed(ctx context.Context, fr feedRequest, base, self string) ([]byte, string, time.Time, error) {
	// Names first: the search matches sources by their display names.
	names, err := s.loadSourceNames(ctx)
	if err != nil {
		return nil, "", time.Time{}, err
	}
	items, more, err := s.scan(ctx, []Filter{fr.path, fr.query}, fr.offset, fr.limit)
	if err != nil {
		return nil, "", time.Time{}, err
	}
	f := publish.Feed{
		ID:          base + "/feeds/" + fr.name + encodeQuery(fr.query.values()),
		Title:       "kernelwire: " + fr.title,
		Description: fr.desc,
		SelfURL:     self,
		HTMLURL:     base + "/" + encodeQuery(fr.htmlQ),
		HubURL:      s.cfg.HubURL,
		Generator:   "kernelwire " + s.cfg.Version,

		TopicTitles:  s.titles,
		SourceURLs:   s.sourceURLs,
		SourceTitles: names.titles,
		SourceSites:  names.sites,
	}
	if _, ok := s.topics[fr.name]; ok {
		f.HTMLURL = base + "/topics/" + fr.name + encodeQuery(fr.htmlQ)
	} else if fr.name == everythingFeed {
		f.HTMLURL = base + "/" + everythingFeed + encodeQuery(fr.htmlQ)
	}
	if f.Description == "" {
		f.Description = "kernelwire: " + fr.title
	}
	if more {
		f.NextURL = fr.url(base, fr.offset+fr.limit)
	}
	f.Items = items
	if f.Releases, err = s.releaseNotes(ctx, items); err != nil {
		return nil, "", time.Time{}, err
	}
	var lastMod time.Time
	for _, it := range items {
		for _, t := range []time.Time{it.Published, it.Updated, it.FirstSeen} {
			if t.After(lastMod) {
				lastMod = t
			}
		}
	}
	// A status change or a release's new notes change an entry
	// without changing its dates: Last-Modified must move with them.
	for i := range items {
		if st := statusOf(&items[i]); st != nil {
			for _, ev := range st.Events {
				lastMod = later(lastMod, ev.When)
			}
		}
	}
	for _, n := range f.Releases {
		lastMod = later(lastMod, n.Updated)
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

// topicSlugs is "all" then the topic slugs, sorted.
func (s *Server) topicSlugs() []string {
	out := []string{allFeed}
	for _, t := range s.cfg.Topics {
		out = append(out, t.Slug)
	}
	slices.Sort(out[1:])
	return out
}

// baseURL is the configured public URL, else what the request says it used.
func (s *Server) baseURL(r *http.Request) string {
	return string(s.appendBaseURL(nil, r))
}

// appendBaseURL appends baseURL(r) to dst.
func (s *Server) appendBaseURL(dst []byte, r *http.Request) []byte {
	if s.cfg.BaseURL != "" {
		return append(dst, strings.TrimRight(s.cfg.BaseURL, "/")...)
	}
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return append(append(append(dst, scheme...), "://"...), r.Host...)
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
	out := []item.Topic{{Slug: allFeed, Title: "All news"}}
	return append(out, s.cfg.Topics...)
}

// storeIndex is the store index feed name lists: the curated one for all,
// every item for everything, else the topic's.
func storeIndex(name string) string {
	switch name {
	case allFeed:
		return store.CuratedTopic
	case everythingFeed:
		return store.AllTopic
	}
	return name
}
