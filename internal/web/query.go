package web

import (
	"context"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/kernelwire/kernelwire/internal/extract"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
)

// Filter selects items: an item matches when it has any of Topics (if
// any), none of Not, comes from Source (if set), matches the search Q in
// its title, summary or source (if set; words, see Search) and was
// published at or after Since (if set). The zero Filter matches everything.
type Filter struct {
	Topics []string
	Not    []string
	Source string
	Q      string
	Since  time.Time
	// Kernel selects by series status and CVE (kernel.go).
	Kernel KernelFilter

	// search is Q parsed (parseFilter, New); when Q is set without it,
	// match parses Q leniently.
	search Search
	// curated keeps to the river (the store's CuratedTopic index):
	// stories with a topic, or from a wholly on-topic source. All news,
	// the page and named feeds without topics are curated unless a
	// source is chosen: ?source= shows everything of that source.
	curated bool
}

// NamedFeed is a saved query published at /feeds/<Name>.<ext>.
type NamedFeed struct {
	Name, Title, Description string
	Filter                   Filter
}

// DefaultScanLimit bounds how many stored items one query feed or search
// page examines: the default retention (defaults.max_items) of an index, so
// a query sees everything kept unless retention was raised.
const DefaultScanLimit = 5000

// scanBatch is how many items one store read returns while scanning.
const scanBatch = 250

// maxQLen bounds q=: a search phrase, not a document.
const maxQLen = 200

func (f Filter) isZero() bool {
	return !f.curated && len(f.Topics) == 0 && len(f.Not) == 0 && f.Source == "" && f.Q == "" && f.Since.IsZero() && f.Kernel.isZero()
}

// onlyCurated reports a filter that selects the curated index and nothing
// more.
func (f Filter) onlyCurated() bool {
	g := f
	g.curated = false
	return f.curated && g.isZero()
}

// curatedUnlessSource is the rule of the river: curated, unless the query
// picks a source (whose every item is then shown).
func curatedUnlessSource(path, query Filter) Filter {
	path.curated = path.Source == "" && query.Source == ""
	return path
}

// match reports whether it matches f; source is the text its source is
// searched by (name and title).
func (f Filter) match(it *item.Item, source string) bool {
	if len(f.Topics) > 0 && !slices.ContainsFunc(f.Topics, it.HasTopic) {
		return false
	}
	if slices.ContainsFunc(f.Not, it.HasTopic) {
		return false
	}
	if f.Source != "" && it.Source != f.Source {
		return false
	}
	if !f.Since.IsZero() && it.Published.Before(f.Since) {
		return false
	}
	if !f.Kernel.match(it) {
		return false
	}
	if f.Q != "" {
		search := f.search
		if search.isZero() {
			search = lenientSearch(f.Q)
		}
		if !search.match(it.Title, extract.Text(it.Summary), source) {
			return false
		}
	}
	return true
}

// values is the filter's canonical query parameters: topic lists sorted and
// deduplicated, since in RFC 3339 UTC, so equal queries get one cache entry
// and one self link whatever order the reader wrote them in.
func (f Filter) values() url.Values {
	v := url.Values{}
	if len(f.Topics) > 0 {
		v.Set("topics", strings.Join(f.Topics, ","))
	}
	if len(f.Not) > 0 {
		v.Set("not", strings.Join(f.Not, ","))
	}
	if f.Source != "" {
		v.Set("source", f.Source)
	}
	if f.Q != "" {
		v.Set("q", f.Q)
	}
	if !f.Since.IsZero() {
		v.Set("since", f.Since.UTC().Format(time.RFC3339))
	}
	f.Kernel.values(v)
	return v
}

// encodeQuery is url.Values.Encode (keys sorted) keeping commas and colons
// readable: both may appear in a query unescaped (RFC 3986 section 3.4),
// and they separate topics and the parts of a time.
func encodeQuery(v url.Values) string {
	if len(v) == 0 {
		return ""
	}
	return "?" + strings.NewReplacer("%2C", ",", "%3A", ":").Replace(v.Encode())
}

// parseFilter reads topics=, not=, source=, q= and since= from q, and the
// kernel lane's series=, status=, tree= and cve= (kernel.go). Each may
// repeat; topics and not also take comma-separated lists.
func (s *Server) parseFilter(q url.Values) (Filter, error) {
	var f Filter
	var err error
	if f.Topics, err = s.topicList(q, "topics"); err != nil {
		return Filter{}, err
	}
	if f.Not, err = s.topicList(q, "not"); err != nil {
		return Filter{}, err
	}
	if src := strings.TrimSpace(q.Get("source")); src != "" {
		if _, ok := s.sourceURLs[src]; !ok {
			return Filter{}, errBadRequest("bad source %q: unknown source; valid sources: %s", src, strings.Join(s.sourceNames(), ", "))
		}
		f.Source = src
	}
	f.Q = strings.Join(strings.Fields(q.Get("q")), " ")
	if len(f.Q) > maxQLen {
		return Filter{}, errBadRequest("bad q: longer than %d bytes", maxQLen)
	}
	if f.Q != "" {
		if f.search, err = parseSearch(f.Q); err != nil {
			return Filter{}, err
		}
	}
	if since := strings.TrimSpace(q.Get("since")); since != "" {
		t, err := time.Parse(time.RFC3339, since)
		if err != nil {
			t, err = time.Parse(time.DateOnly, since)
		}
		if err != nil {
			return Filter{}, errBadRequest("bad since %q: want an RFC 3339 time (2026-11-01T12:00:00Z) or a date (2026-11-01)", since)
		}
		f.Since = t.UTC()
	}
	if f.Kernel, err = parseKernelFilter(q); err != nil {
		return Filter{}, err
	}
	return f, nil
}

func (s *Server) topicList(q url.Values, name string) ([]string, error) {
	var out []string
	for _, v := range q[name] {
		for slug := range strings.SplitSeq(v, ",") {
			slug = strings.TrimSpace(slug)
			if slug == "" {
				continue
			}
			if _, ok := s.topics[slug]; !ok {
				return nil, errBadRequest("bad %s: unknown topic %q; valid topics: %s", name, slug, strings.Join(s.topicSlugs()[1:], ", "))
			}
			out = append(out, slug)
		}
	}
	sort.Strings(out)
	return slices.Compact(out), nil
}

func (s *Server) sourceNames() []string {
	out := make([]string, 0, len(s.sourceURLs))
	for name := range s.sourceURLs {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// scan returns up to limit items matching every filter, newest first, after
// skipping offset matches, and whether more match. It reads the narrowest
// index the filters allow (a source's, else a required topic's, else all)
// in batches and filters in Go, examining at most the newest ScanLimit
// items of that index: a query feed is a view of recent news, and the bound
// keeps a query that matches nothing from reading the whole store.
func (s *Server) scan(ctx context.Context, filters []Filter, offset, limit int) ([]item.Item, bool, error) {
	q, exact := index(filters)
	if exact {
		// The index is the answer: let the store page it.
		q.Offset, q.Limit = offset, limit+1
		items, err := s.cfg.Store.Items(ctx, q)
		if err != nil {
			return nil, false, err
		}
		return items[:min(len(items), limit)], len(items) > limit, nil
	}
	var since time.Time
	for _, f := range filters {
		if f.Since.After(since) {
			since = f.Since
		}
	}
	var out []item.Item
	skipped := 0
	for scanned := 0; scanned < s.cfg.ScanLimit; {
		q.Offset, q.Limit = scanned, min(scanBatch, s.cfg.ScanLimit-scanned)
		batch, err := s.cfg.Store.Items(ctx, q)
		if err != nil {
			return nil, false, err
		}
		scanned += len(batch)
		for i := range batch {
			it := &batch[i]
			if !since.IsZero() && it.Published.Before(since) {
				// Newest first: nothing further can match.
				return out, false, nil
			}
			if !s.matchAll(filters, it) {
				continue
			}
			if skipped < offset {
				skipped++
				continue
			}
			if len(out) == limit {
				return out, true, nil
			}
			out = append(out, *it)
		}
		if len(batch) < q.Limit {
			break
		}
	}
	return out, false, nil
}

// index picks the narrowest store index holding every item the filters
// can match: a source's, else a required topic's, else all. exact means
// the index holds only matching items, so no filtering is needed.
func index(filters []Filter) (q store.Query, exact bool) {
	var active []Filter
	for _, f := range filters {
		if !f.isZero() {
			active = append(active, f)
		}
	}
	if len(active) == 0 {
		return store.Query{Topic: store.AllTopic}, true
	}
	if f := active[0]; len(active) == 1 && f.onlyCurated() {
		return store.Query{Topic: store.CuratedTopic}, true
	}
	if f := active[0]; len(active) == 1 && len(f.Topics) == 1 &&
		len(f.Not) == 0 && f.Source == "" && f.Q == "" && f.Since.IsZero() {
		// A topic's index is curated already.
		return store.Query{Topic: f.Topics[0]}, true
	}
	// A curated filter never meets a source (curatedUnlessSource), so
	// scanning the curated index, or a topic's, is all curation takes.
	q = store.Query{Topic: store.AllTopic}
	for _, f := range active {
		if f.curated {
			q.Topic = store.CuratedTopic
		}
	}
	for _, f := range active {
		if f.Source != "" {
			return store.Query{Source: f.Source}, false
		}
		if len(f.Topics) == 1 {
			q.Topic = f.Topics[0]
		}
	}
	return q, false
}

func (s *Server) matchAll(filters []Filter, it *item.Item) bool {
	// A source is searched by its config name and its display name
	// ("lwn" and "LWN.net").
	source := it.Source + " " + s.sourceTitle(it.Source)
	for _, f := range filters {
		if !f.match(it, source) {
			return false
		}
	}
	return true
}
