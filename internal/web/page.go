package web

import (
	"bytes"
	"cmp"
	"context"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kernelwire/kernelwire/internal/extract"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/publish"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/favicon.svg
var faviconSVG []byte

// newFavicon is the site icon, served with validators and gzip like a feed.
func newFavicon() *publish.Entry {
	e, err := publish.NewEntry(faviconSVG, "image/svg+xml", time.Time{})
	if err != nil {
		// Compressing a constant cannot fail but by a bug.
		panic(fmt.Sprintf("favicon: %v", err))
	}
	return e
}

// parseTemplates parses the embedded templates. They are part of the
// binary, so a parse error is a bug caught by every test, not a runtime
// condition: Must is right here.
func parseTemplates() *template.Template {
	return template.Must(template.New("").ParseFS(templateFS, "templates/*.html"))
}

const (
	pageSize     = 30 // stories per page unless ?limit= says otherwise
	maxPageLimit = 200
	maxPage      = 1000
	excerptBytes = 320
)

// chrome is what every page's head, header and footer show.
type chrome struct {
	Title       string
	Base        string
	Version     string
	Alternates  []feedLink
	SourceCount int
}

// feedLink is one format of one feed.
type feedLink struct {
	Type string // media type
	// TypeAttr is type="<Type>" for <link rel="alternate">: html/template
	// would write the "+" of a media type as "&#43;" in an attribute, which
	// browsers decode but naive feed discovery does not. Built only from
	// publish's constant media types.
	TypeAttr template.HTMLAttr `json:"-"`
	Title    string            // for <link title>
	Format   string            // link text: Atom, RSS, JSON Feed
	Label    string            // accessible name: "Rust for Linux as Atom"
	URL      string
}

// feedRow is one feed in the subscribe block, /feeds and /feeds.json.
type feedRow struct {
	Name        string     `json:"name"`
	Kind        string     `json:"kind"` // all, topic or named
	Title       string     `json:"title"`
	Description string     `json:"description,omitempty"`
	HTMLURL     string     `json:"html_url"`
	Links       []feedLink `json:"-"`
	URLs        feedURLs   `json:"urls"`
}

type feedURLs struct {
	Atom string `json:"atom"`
	RSS  string `json:"rss"`
	JSON string `json:"json"`
}

type navLink struct {
	Title   string
	URL     string
	Count   int
	Current bool
}

// pageView is the river-of-news page.
type pageView struct {
	chrome
	Heading string
	Scope   string // what the search box searches
	Action  string // the search form's action
	Query   string
	Limit   int    // ?limit= when not the default, kept by the search form
	Filter  string // the filters other than q, described
	Nav     []navLink
	Items   []itemView
	First   int // the number of the first item on this page
	Page    int
	Prev    string
	Next    string
	Empty   string
	// Rule says what the river lists (the front page only).
	Rule string
	// Failing says that every source is failing, and why (empty while
	// any source works).
	Failing   string
	ShownFeed []feedLink
	Subscribe []feedRow
}

// itemView is one story on the page.
type itemView struct {
	Title     string
	Link      string
	Source    string
	SourceURL string
	ISO       string // <time datetime>
	Exact     string
	Relative  string
	Excerpt   string // plain text: html/template escapes it
	Topics    []navLink
	// Related is the story's coverage by other sources, one per source,
	// from the store's story record.
	Related []Coverage
	// Replies says how many mailing-list replies the story's thread has
	// ("3 replies on the list"), empty for none.
	Replies string
	// Comments is the headline report's own comment count, "" for none.
	Comments string
	// Undated says the feed gave no date: the page says so, and when it
	// was first seen, rather than pass its place in the river off as
	// its date.
	Undated bool
	// SubscriberOnly marks LWN's "[$] " titles: the article is for
	// subscribers until LWN makes it free, about a week later (the
	// story is then updated in place, its title without the mark).
	SubscriberOnly bool
}

// Coverage is another source's article about the same story.
type Coverage struct {
	Source string // the source's display name
	Title  string
	URL    string
	// Comments says its comment count ("142 comments"), empty for none.
	Comments string
}

// pageRequest is a validated request for the page.
type pageRequest struct {
	feed  string // allFeed, everythingFeed or a topic slug
	page  int
	limit int // stories per page
	query Filter
}

func (s *Server) parsePageRequest(r *http.Request) (pageRequest, error) {
	pr := pageRequest{feed: allFeed}
	if topic := r.PathValue("topic"); topic != "" {
		if _, ok := s.topics[topic]; !ok {
			return pageRequest{}, errNotFound("unknown topic %q; valid topics: %s", topic, strings.Join(s.topicSlugs()[1:], ", "))
		}
		pr.feed = topic
	} else if r.URL.Path == "/"+everythingFeed {
		pr.feed = everythingFeed
	}
	q := r.URL.Query()
	var err error
	if pr.page, err = intParam(q, "page", 1, 1, maxPage); err != nil {
		return pageRequest{}, err
	}
	if pr.limit, err = intParam(q, "limit", pageSize, 1, maxPageLimit); err != nil {
		return pageRequest{}, err
	}
	if pr.query, err = s.parseFilter(q); err != nil {
		return pageRequest{}, err
	}
	return pr, nil
}

// path is the page's path, without the base URL.
func (pr pageRequest) path() string {
	switch pr.feed {
	case allFeed:
		return "/"
	case everythingFeed:
		return "/" + everythingFeed
	}
	return "/topics/" + pr.feed
}

// url is the canonical URL of page n of the request.
func (pr pageRequest) url(base string, n int) string {
	v := pr.query.values()
	if n > 1 {
		v.Set("page", strconv.Itoa(n))
	}
	if pr.limit != pageSize {
		v.Set("limit", strconv.Itoa(pr.limit))
	}
	return base + pr.path() + encodeQuery(v)
}

// handlePage serves the page from the page cache: rendered once per
// canonical URL and store version (so a crowd costs one render, as feeds
// do), and once a minute, because the page shows relative times.
func (s *Server) handlePage(w http.ResponseWriter, r *http.Request) error {
	pr, err := s.parsePageRequest(r)
	if err != nil {
		return err
	}
	base := s.baseURL(r)
	now := s.cfg.Now().UTC().Truncate(time.Minute)
	setHTMLHeaders(w.Header())
	return s.serveCached(w, r, s.pages, pr.url(base, pr.page), now.Unix()/60, func(ctx context.Context) ([]byte, string, time.Time, error) {
		v, err := s.pageView(ctx, pr, base, now)
		if err != nil {
			return nil, "", time.Time{}, err
		}
		body, err := s.execute("page", v)
		return body, htmlType, time.Time{}, err
	})
}

func (s *Server) pageView(ctx context.Context, pr pageRequest, base string, now time.Time) (pageView, error) {
	var path Filter
	switch pr.feed {
	case allFeed:
		path = curatedUnlessSource(Filter{curated: true}, pr.query)
	case everythingFeed:
	default:
		path = Filter{Topics: []string{pr.feed}}
	}
	// Names first: the search matches sources by their display names.
	if _, err := s.loadSourceNames(ctx); err != nil {
		return pageView{}, err
	}
	query, page := pr.query, pr.page
	items, more, err := s.scan(ctx, []Filter{path, query}, (page-1)*pr.limit, pr.limit)
	if err != nil {
		return pageView{}, err
	}
	v := pageView{Query: query.Q, Page: page, First: (page-1)*pr.limit + 1}
	if pr.limit != pageSize {
		v.Limit = pr.limit
	}
	v.chrome = s.chrome(base, "kernelwire: Linux kernel and Rust-for-Linux news")
	switch pr.feed {
	case allFeed:
		v.Heading, v.Scope = "Latest news", "all news"
		if path.curated {
			v.Rule = riverRule
		}
	case everythingFeed:
		v.Heading, v.Scope = "Everything", "everything"
		v.Title = "kernelwire: everything, curated or not"
	default:
		t := s.topics[pr.feed]
		v.Heading, v.Scope = t.Title, t.Title
		v.Title = "kernelwire: " + t.Title
	}
	feedName := pr.feed
	// Relative, so the CSP's form-action 'self' holds even when BaseURL
	// names another origin than the one the page was loaded from.
	v.Action = pr.path()
	if query.Q != "" {
		v.Heading = "Search: " + query.Q
		v.Title += " — search: " + query.Q
	}
	rest := query
	rest.Q = ""
	if !rest.isZero() {
		v.Filter = describe(rest)
	}
	v.ShownFeed = s.feedLinks(base, feedName, s.feedTitle(feedName, query), query.values())
	v.Alternates = v.ShownFeed
	if v.Nav, err = s.nav(ctx, base, pr.feed); err != nil {
		return pageView{}, err
	}
	health, err := s.sourceHealth(ctx)
	if err != nil {
		return pageView{}, err
	}
	v.SourceCount, v.Failing = health.count, health.notice()
	for i := range items {
		v.Items = append(v.Items, s.itemView(&items[i], base, now))
	}
	if page > 1 {
		v.Prev = pr.url(base, page-1)
	}
	if more {
		v.Next = pr.url(base, page+1)
	}
	switch {
	case page > 1 && len(items) == 0:
		v.Empty = "No more items: this is past the last page."
	case !query.isZero():
		v.Empty = "No items match."
	case v.Failing != "":
		v.Empty = "Nothing to show: no source could be read."
	case health.polled < len(s.cfg.Sources):
		v.Empty = "Nothing yet: the first poll has not finished."
	default:
		v.Empty = fmt.Sprintf("Nothing yet: %d sources were polled and none had items to show.", health.polled)
	}
	v.Subscribe = s.feedRows(base)
	return v, nil
}

const htmlType = "text/html; charset=utf-8"

// setHTMLHeaders sets the security headers of every HTML page. No script
// runs on these pages, so the CSP allows none; frame-ancestors (and
// X-Frame-Options for browsers without CSP level 2) keeps other sites from
// framing the page under their own UI; the referrer policy sends other
// sites the origin only, never a search query in the URL.
func setHTMLHeaders(h http.Header) {
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
}

// execute renders template name with data.
func (s *Server) execute(name string, data any) ([]byte, error) {
	var buf bytes.Buffer
	if err := s.tmpl.ExecuteTemplate(&buf, name, data); err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

func (s *Server) chrome(base, title string) chrome {
	return chrome{Title: title, Base: base, Version: s.cfg.Version}
}

// nav lists all news and every topic with its item count.
func (s *Server) nav(ctx context.Context, base, current string) ([]navLink, error) {
	out := make([]navLink, 0, len(s.cfg.Topics)+2)
	feeds := append(s.topicsWithAll(), item.Topic{Slug: everythingFeed, Title: "Everything"})
	for _, t := range feeds {
		n, err := s.cfg.Store.Count(ctx, storeIndex(t.Slug))
		if err != nil {
			return nil, err
		}
		l := navLink{Title: t.Title, URL: base + "/topics/" + t.Slug, Count: n, Current: t.Slug == current}
		switch t.Slug {
		case allFeed:
			l.URL = base + "/"
		case everythingFeed:
			l.URL = base + "/" + everythingFeed
		}
		out = append(out, l)
	}
	return out, nil
}

func (s *Server) itemView(it *item.Item, base string, now time.Time) itemView {
	v := itemView{
		Title:     it.Title,
		Link:      it.Link,
		Source:    s.sourceTitle(it.Source),
		SourceURL: s.sourceSite(it.Source),
		ISO:       it.Published.UTC().Format(time.RFC3339),
		Exact:     it.Published.UTC().Format("2006-01-02 15:04 UTC"),
		Relative:  relativeTime(it.Published, now),
		Excerpt:   excerpt(extract.Text(it.Summary), excerptBytes),
		Related:   s.coverage(it),
		Comments:  commentCount(it.Comments),
	}
	if it.Undated {
		seen := cmp.Or(it.FirstSeen, it.Published)
		v.Undated, v.Relative = true, "undated"
		v.Exact = "first seen " + seen.UTC().Format("2006-01-02 15:04 UTC")
	}
	switch {
	case it.Replies == 1:
		v.Replies = "1 reply on the list"
	case it.Replies > 1:
		v.Replies = strconv.Itoa(it.Replies) + " replies on the list"
	}
	// A kernel.org release record reads as news, as in the feeds.
	if r := it.Extracted.Release; r != nil && r.Version != "" {
		v.Title = r.Headline()
		if l := r.Link(); l != "" {
			v.Link = l
		}
	}
	if rest, ok := strings.CutPrefix(v.Title, "[$]"); ok {
		v.Title, v.SubscriberOnly = strings.TrimSpace(rest), true
	}
	if v.Title == "" {
		v.Title = "(untitled)"
	}
	for _, slug := range it.Topics {
		if t, ok := s.topics[slug]; ok {
			v.Topics = append(v.Topics, navLink{Title: t.Title, URL: base + "/topics/" + slug})
		}
	}
	return v
}

// coverage is the story's other reports the way a news desk lists them
// ("More: LWN, Phoronix, Hacker News (142 comments)"): one link per
// source, its first report, leaving out the source of the headline itself.
func (s *Server) coverage(it *item.Item) []Coverage {
	var out []Coverage
	seen := map[string]bool{it.Source: true}
	for _, r := range it.Related {
		if seen[r.Source] {
			continue
		}
		seen[r.Source] = true
		out = append(out, Coverage{Source: s.sourceTitle(r.Source), Title: r.Title, URL: r.URL, Comments: commentCount(r.Comments)})
	}
	return out
}

// commentCount is "1 comment", "142 comments", or "" for none.
func commentCount(n int) string {
	switch {
	case n == 1:
		return "1 comment"
	case n > 1:
		return strconv.Itoa(n) + " comments"
	}
	return ""
}

type namedFormat struct {
	format publish.Format
	name   string
}

// formats is the order feeds are offered in: Atom first, the format with
// the fewest ambiguities.
func formats() []namedFormat {
	return []namedFormat{{publish.Atom, "Atom"}, {publish.RSS, "RSS"}, {publish.JSON, "JSON Feed"}}
}

// feedLinks are the three formats of feed name with query q.
func (s *Server) feedLinks(base, name, title string, q url.Values) []feedLink {
	out := make([]feedLink, 0, 3)
	for _, f := range formats() {
		mt, _, _ := strings.Cut(f.format.ContentType(), ";")
		out = append(out, feedLink{
			Type: mt, TypeAttr: template.HTMLAttr(`type="` + mt + `"`), Title: title + " (" + f.name + ")", Format: f.name, Label: title + " as " + f.name,
			URL: base + "/feeds/" + name + "." + string(f.format) + encodeQuery(q),
		})
	}
	return out
}

func (s *Server) feedTitle(name string, q Filter) string {
	title := "kernelwire: all news"
	if name == everythingFeed {
		title = "kernelwire: everything"
	} else if t, ok := s.topics[name]; ok {
		title = "kernelwire: " + t.Title
	} else if nf, ok := s.named[name]; ok {
		title = "kernelwire: " + nf.Title
	}
	if !q.isZero() {
		title += " (" + describe(q) + ")"
	}
	return title
}

// feedRows lists every feed: all, each topic, each named feed.
func (s *Server) feedRows(base string) []feedRow {
	var out []feedRow
	add := func(name, kind, title, desc, htmlURL string) {
		links := s.feedLinks(base, name, title, nil)
		out = append(out, feedRow{
			Name: name, Kind: kind, Title: title, Description: desc, HTMLURL: htmlURL, Links: links,
			URLs: feedURLs{Atom: links[0].URL, RSS: links[1].URL, JSON: links[2].URL},
		})
	}
	add(allFeed, "all", "All news", "The curated river, newest first: "+riverRule, base+"/")
	add(everythingFeed, "everything", "Everything", "Every story, curated or not, newest first", base+"/"+everythingFeed)
	for _, t := range s.cfg.Topics {
		add(t.Slug, "topic", t.Title, t.Description, base+"/topics/"+t.Slug)
	}
	for _, nf := range s.cfg.NamedFeeds {
		add(nf.Name, "named", nf.Title, nf.Description, base+"/"+encodeQuery(nf.Filter.values()))
	}
	return out
}
