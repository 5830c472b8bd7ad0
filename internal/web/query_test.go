package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"
)

func TestQueryFeeds(t *testing.T) {
	s, _ := newFixtureServer(t, fixtureConfig())
	tests := []struct {
		name  string
		path  string // without the extension's query
		query string
		self  string // canonical query, "" for none
		items int
	}{
		{"any of two topics", "all", "topics=rust-for-linux&topics=maintainers", "?topics=maintainers,rust-for-linux", 5},
		{"comma list and not", "all", "not=releases&topics=rust-for-linux,maintainers", "?not=releases&topics=maintainers,rust-for-linux", 4},
		{"source", "all", "source=phoronix", "?source=phoronix", 4},
		{"q is case-insensitive, title or summary", "all", "q=LINUX++6.17", "?q=LINUX+6.17", 4},
		{"q in summary only", "all", "q=provenpackagers", "?q=provenpackagers", 1},
		{"since a date", "all", "since=2026-07-01", "?since=2026-07-01T00:00:00Z", 5},
		{"since RFC 3339 with zone", "all", "since=2026-07-02T02:00:00%2B02:00", "?since=2026-07-02T00:00:00Z", 2},
		{"topic feed with filters", "subsystems", "not=patches&source=lwn", "?not=patches&source=lwn", 2},
		{"topic feed with q", "rust-for-linux", "q=nova", "?q=nova", 1},
		{"named feed", "rust-people", "", "", 4},
		{"named feed narrowed", "rust-people", "source=phoronix", "?source=phoronix", 2},
		{"cache buster ignored", "releases", "_=12345", "", 3},
	}
	for _, tc := range tests {
		for _, ext := range []string{"atom", "rss", "json"} {
			t.Run(tc.name+"/"+ext, func(t *testing.T) {
				target := "/feeds/" + tc.path + "." + ext
				if tc.query != "" {
					target += "?" + tc.query
				}
				rec := do(t, s, target)
				if rec.Code != http.StatusOK {
					t.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
				f, err := gofeed.NewParser().Parse(rec.Body)
				if err != nil {
					t.Fatalf("gofeed: %v", err)
				}
				if len(f.Items) != tc.items {
					var titles []string
					for _, it := range f.Items {
						titles = append(titles, it.Title)
					}
					t.Errorf("%d items, want %d: %q", len(f.Items), tc.items, titles)
				}
				if want := "http://kw.example/feeds/" + tc.path + "." + ext + tc.self; f.FeedLink != want {
					t.Errorf("self link %q, want %q", f.FeedLink, want)
				}
			})
		}
	}
}

func TestQueryFeedETagFollowsQuery(t *testing.T) {
	s, _ := newFixtureServer(t, fixtureConfig())
	etag := func(target string) string {
		rec := do(t, s, target)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d: %s", target, rec.Code, rec.Body)
		}
		return rec.Header().Get("ETag")
	}
	a := etag("/feeds/all.atom?topics=rust-for-linux,maintainers&not=releases")
	if b := etag("/feeds/all.atom?not=releases&topics=maintainers&topics=rust-for-linux"); a != b {
		t.Errorf("one query in two spellings: ETags %s and %s differ", a, b)
	}
	if c := etag("/feeds/all.atom?topics=rust-for-linux,maintainers"); c == a {
		t.Errorf("different queries share ETag %s", a)
	}
	if d := etag("/feeds/all.atom"); d == a {
		t.Errorf("query feed and plain feed share ETag %s", a)
	}
}

func TestQueryFeedPaging(t *testing.T) {
	s, _ := newFixtureServer(t, fixtureConfig())
	next := "/feeds/all.json?topics=subsystems,security&limit=2"
	seen := map[string]bool{}
	for pages := 0; next != ""; pages++ {
		if pages > 10 {
			t.Fatal("paging does not end")
		}
		var page struct {
			NextURL string `json:"next_url"`
			Items   []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		if err := json.Unmarshal(do(t, s, next).Body.Bytes(), &page); err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			if seen[it.ID] {
				t.Errorf("%s on two pages", it.ID)
			}
			seen[it.ID] = true
		}
		if page.NextURL != "" && !strings.HasPrefix(page.NextURL, "http://kw.example/feeds/all.json?limit=2&offset=") {
			t.Errorf("next_url %q", page.NextURL)
		}
		if page.NextURL != "" && !strings.HasSuffix(page.NextURL, "&topics=security,subsystems") {
			t.Errorf("next_url %q lost the query", page.NextURL)
		}
		next = strings.TrimPrefix(page.NextURL, "http://kw.example")
	}
	if len(seen) != 9 {
		t.Errorf("paging saw %d items, want 9", len(seen))
	}
}

func TestQueryScanBound(t *testing.T) {
	cfg := fixtureConfig()
	cfg.ScanLimit = 5
	s, _ := newFixtureServer(t, cfg)
	// The five newest items say nothing of Linux 6.17: the bound keeps the
	// scan from reaching the older ones that do.
	f, err := gofeed.NewParser().Parse(do(t, s, "/feeds/all.json?q=linux+6.17").Body)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 0 {
		t.Errorf("%d items beyond the scan bound", len(f.Items))
	}
	// A plain topic feed is read from its index, not scanned: no bound.
	f, err = gofeed.NewParser().Parse(do(t, s, "/feeds/subsystems.json").Body)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 7 {
		t.Errorf("topic feed has %d items, want 7", len(f.Items))
	}
}

func TestQueryBadRequests(t *testing.T) {
	s, _ := newFixtureServer(t, fixtureConfig())
	valid := "maintainers, patches, releases, rust-for-linux, security, subsystems"
	tests := []errorCase{
		{"/feeds/all.atom?topics=rust-for-linux,nope", 400, []string{`bad topics: unknown topic "nope"; valid topics: ` + valid}},
		{"/feeds/all.rss?not=all", 400, []string{`bad not: unknown topic "all"`}},
		{"/feeds/all.json?source=lwm", 400, []string{`bad source "lwm": unknown source; valid sources: kernel-org, lwn, phoronix, rust-blog`}},
		{"/feeds/all.atom?since=yesterday", 400, []string{`bad since "yesterday"`, "RFC 3339"}},
		{"/feeds/all.atom?since=2026-13-01", 400, []string{`bad since "2026-13-01"`}},
		{"/feeds/all.atom?q=" + strings.Repeat("x", 201), 400, []string{"bad q: longer than 200 bytes"}},
		{"/feeds/rust-peopl.atom", 404, []string{`unknown feed "rust-peopl"`, "rust-people"}},
		{"/topics/nope", 404, []string{`unknown topic "nope"`}},
		{"/?page=0", 400, []string{"bad page"}},
		{"/?topics=nope", 400, []string{"bad topics"}},
	}
	checkErrors(t, s, tests)
}
