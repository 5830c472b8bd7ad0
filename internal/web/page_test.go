package web

import (
	"bytes"
	"encoding/xml"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
)

func TestPageViews(t *testing.T) {
	s, _ := newFixtureServer(t, fixtureConfig())
	tests := []struct {
		name    string
		path    string
		want    []string
		notWant []string
		items   int
	}{
		{"front page", "/", []string{
			`<link rel="alternate" type="application/atom+xml" title="kernelwire: all news (Atom)" href="http://kw.example/feeds/all.atom">`,
			`<link rel="alternate" type="application/feed+json" title="kernelwire: all news (JSON Feed)" href="http://kw.example/feeds/all.json">`,
			`<a href="http://kw.example/" aria-current="page">All news</a> <span class="count">(15)</span>`,
			`<a href="http://kw.example/topics/security">Security</a> <span class="count">(2)</span>`,
			`<time datetime="2026-07-02T00:00:00Z" title="2026-07-02 00:00 UTC">1 day ago</time>`,
			`&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Rust &amp; the kernel: &lt;b&gt;hostile&lt;/b&gt; title`,
			`<a href="#ZgotmplZ">`, // the javascript: link, neutralised by html/template
			"A summary whose markup must never reach the page.",
			`A pair of workqueue improvements</a> <span class="badge" title="For subscribers until the source makes it free, usually a week later">subscribers only</span></h3>`,
			`<label for="q">Search all news</label>`,
			`<a href="http://kw.example/feeds/rust-people.atom" aria-label="Rust and the people as Atom">Atom</a>`,
		}, []string{"<script>", "onerror", "<img", "More: ", "[$]"}, 15},
		{"topic page", "/topics/security", []string{
			`<title>kernelwire: Security</title>`,
			`<link rel="alternate" type="application/rss+xml" title="kernelwire: Security (RSS)" href="http://kw.example/feeds/security.rss">`,
			`<a href="http://kw.example/topics/security" aria-current="page">Security</a>`,
			`<h2>Security</h2>`,
			`action="/topics/security"`,
		}, nil, 2},
		{"search", "/?q=nova", []string{
			`<h2>Search: nova</h2>`,
			`href="http://kw.example/feeds/all.atom?q=nova"`,
			`value="nova"`,
		}, nil, 1},
		{"query on a topic page", "/topics/subsystems?source=lwn&not=patches", []string{
			`href="http://kw.example/feeds/subsystems.json?not=patches&amp;source=lwn"`,
			"Showing items: not patches; from lwn.",
		}, nil, 2},
		{"no match", "/?q=zzzz", []string{"No items match."}, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(t, s, tc.path)
			if rec.Code != 200 {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			body := rec.Body.String()
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %s", w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(body, w) {
					t.Errorf("page has %s", w)
				}
			}
			if got := strings.Count(body, "<article "); got != tc.items {
				t.Errorf("%d items, want %d", got, tc.items)
			}
		})
	}
}

func TestPagePaging(t *testing.T) {
	s, _ := newTestServer(t, 65)
	checkErrors(t, s, []errorCase{
		{"/?limit=0", 400, []string{"bad limit", "1 to 200"}},
		{"/topics/rust?limit=201", 400, []string{"bad limit"}},
		{"/?limit=all", 400, []string{`bad limit "all"`}},
	})
	tests := []struct {
		path       string
		items      int
		prev, next string
	}{
		{"/", 30, "", `href="http://kw.example/?page=2" rel="next"`},
		{"/?page=2", 30, `href="http://kw.example/" rel="prev"`, `href="http://kw.example/?page=3" rel="next"`},
		{"/?page=3", 5, `href="http://kw.example/?page=2" rel="prev"`, ""},
		{"/topics/releases?page=1", 22, "", ""},
		{"/?q=article+6&page=1", 1, "", ""}, // words: "Article 6", not 60 to 64
		{"/?limit=10", 10, "", `href="http://kw.example/?limit=10&amp;page=2" rel="next"`},
		{"/?limit=10&page=7", 5, `href="http://kw.example/?limit=10&amp;page=6" rel="prev"`, ""},
		{"/topics/rust?limit=200", 65, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			body := do(t, s, tc.path).Body.String()
			if got := strings.Count(body, "<article "); got != tc.items {
				t.Errorf("%d items, want %d", got, tc.items)
			}
			for _, w := range []string{tc.prev, tc.next} {
				if w != "" && !strings.Contains(body, w) {
					t.Errorf("page lacks %s", w)
				}
			}
			if tc.next == "" && strings.Contains(body, `rel="next"`) {
				t.Error("a next link on the last page")
			}
		})
	}
}

// TestStoryView checks what the page shows of a story's coverage: "More:"
// and one link per other source, then the thread's replies.
func TestStoryView(t *testing.T) {
	s, _ := newFixtureServer(t, fixtureConfig())
	tests := []struct {
		name string
		it   item.Item
		want string // the coverage paragraph; "" for none
	}{
		{"coverage and replies", item.Item{
			Title: "Nova lands", Link: "https://lwn.net/a", Source: "lwn", Replies: 3,
			Related: []item.Related{
				{URL: "https://phoronix.com/n", Source: "phoronix", Title: "Nova <merged>"},
				{URL: "https://lwn.net/b", Source: "lwn", Title: "LWN's second report"},
				{URL: "https://phoronix.com/n2", Source: "phoronix", Title: "Nova again"},
				{Source: "rust-blog", Title: "No link"},
				{URL: "https://news.ycombinator.com/item?id=1", Source: "hackernews", Title: "Nova lands", Comments: 142},
			},
		}, `<p class="coverage">More: <a href="https://phoronix.com/n" title="Nova &lt;merged&gt;">phoronix</a>, <span title="No link">rust-blog</span>, <a href="https://news.ycombinator.com/item?id=1" title="Nova lands">hackernews</a> (142 comments) · 3 replies on the list</p>`},
		{"one reply", item.Item{Title: "[PATCH] x", Source: "lwn", Replies: 1}, `<p class="coverage">1 reply on the list</p>`},
		{"alone", item.Item{Title: "Alone", Source: "lwn"}, ""},
	}
	// A kdist record reads as news on the page too, linked to its
	// ChangeLog, as it does in the feeds.
	rel := s.itemView(&item.Item{Title: "6.13: mainline", Link: "https://www.kernel.org/", Source: "kernel-org", Published: fixtureNow,
		Extracted: item.Extracted{Release: &item.Release{Version: "6.13", Moniker: "mainline", ChangeLog: "https://cdn.kernel.org/pub/linux/kernel/v6.x/ChangeLog-6.13"}}},
		"http://kw.example", fixtureNow)
	if rel.Title != "Linux 6.13 released (mainline)" || rel.Link != "https://cdn.kernel.org/pub/linux/kernel/v6.x/ChangeLog-6.13" {
		t.Errorf("kdist record shown as %q -> %q, want its release headline and ChangeLog", rel.Title, rel.Link)
	}
	paid := s.itemView(&item.Item{Title: "[$] BPF iterators for filesystems", Source: "lwn", Published: fixtureNow}, "http://kw.example", fixtureNow)
	if !paid.SubscriberOnly || paid.Title != "BPF iterators for filesystems" {
		t.Errorf("[$] title: %+v, want it marked subscriber-only and shown without the mark", paid)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.it.Published = fixtureNow
			v := pageView{chrome: s.chrome("http://kw.example", "t"), Items: []itemView{s.itemView(&tc.it, "http://kw.example", fixtureNow)}}
			var buf bytes.Buffer
			if err := s.tmpl.ExecuteTemplate(&buf, "page", v); err != nil {
				t.Fatal(err)
			}
			got := regexp.MustCompile(`<p class="coverage">.*</p>`).FindString(buf.String())
			if got != tc.want {
				t.Errorf("coverage:\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestText(t *testing.T) {
	cut := []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"one two three four", 12, "one two…"},
		{"ééééé", 5, "éé…"},
		{"word, word, word", 11, "word, word…"},
	}
	for _, tc := range cut {
		if got := excerpt(tc.in, tc.max); got != tc.want {
			t.Errorf("excerpt(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
	now := time.Date(2026, 7, 3, 12, 0, 0, 0, time.UTC)
	rel := []struct {
		ago  time.Duration
		want string
	}{
		{-time.Hour, "in the future"},
		{30 * time.Second, "just now"},
		{time.Minute, "1 minute ago"},
		{3*time.Hour + 59*time.Minute, "3 hours ago"},
		{36 * time.Hour, "1 day ago"},
		{15 * 24 * time.Hour, "2 weeks ago"},
		{800 * 24 * time.Hour, "2 years ago"},
	}
	for _, tc := range rel {
		if got := relativeTime(now.Add(-tc.ago), now); got != tc.want {
			t.Errorf("relativeTime(-%v) = %q, want %q", tc.ago, got, tc.want)
		}
	}
}

// TestContrast checks every text colour of the page's style against its
// backgrounds, in the light and the dark scheme: WCAG 2.x AA asks 4.5:1.
func TestContrast(t *testing.T) {
	css, err := os.ReadFile("templates/layout.html")
	if err != nil {
		t.Fatal(err)
	}
	schemes := regexp.MustCompile(`:root\{([^}]*)\}`).FindAllSubmatch(css, -1)
	if len(schemes) != 2 {
		t.Fatalf("found %d :root colour blocks, want light and dark", len(schemes))
	}
	for i, block := range schemes {
		vars := map[string]string{}
		for _, m := range regexp.MustCompile(`--(\w+):(#[0-9a-f]{6})`).FindAllSubmatch(block[1], -1) {
			vars[string(m[1])] = string(m[2])
		}
		for _, pair := range [][2]string{{"fg", "bg"}, {"muted", "bg"}, {"link", "bg"}, {"fg", "chip"}, {"link", "chip"}} {
			fg, bg := vars[pair[0]], vars[pair[1]]
			if fg == "" || bg == "" {
				t.Fatalf("scheme %d lacks --%s or --%s", i, pair[0], pair[1])
			}
			if r := contrast(fg, bg); r < 4.5 {
				t.Errorf("scheme %d: --%s %s on --%s %s: contrast %.2f, want >= 4.5", i, pair[0], fg, pair[1], bg, r)
			}
		}
	}
}

// contrast is the WCAG 2.x contrast ratio of two #rrggbb colours.
func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

func luminance(hex string) float64 {
	var l float64
	for i, w := range []float64{0.2126, 0.7152, 0.0722} {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		c := float64(v) / 255
		if c <= 0.03928 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		l += w * c
	}
	return l
}

func TestFavicon(t *testing.T) {
	s, _ := newTestServer(t, 1)
	if body := do(t, s, "/").Body.String(); !strings.Contains(body, `<link rel="icon" href="/favicon.svg" type="image/svg+xml">`) {
		t.Error("page does not link its icon")
	}
	for _, p := range []string{"/favicon.svg", "/favicon.ico"} {
		rec := do(t, s, p)
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "image/svg+xml" || rec.Header().Get("ETag") == "" {
			t.Fatalf("%s: %d %v", p, rec.Code, rec.Header())
		}
		if err := xml.Unmarshal(rec.Body.Bytes(), new(struct{})); err != nil || !strings.HasPrefix(rec.Body.String(), "<svg ") {
			t.Errorf("%s is not an SVG document: %v", p, err)
		}
	}
}

// TestPageSaysSourcesFail: when every source failed its last poll, the page
// says how many and why, from the stored states, instead of "the first
// poll has not finished".
func TestPageSaysSourcesFail(t *testing.T) {
	errs := map[string]string{
		"kernel-org": `fetch https://www.kernel.org/feeds/kdist.xml: dial tcp: lookup www.kernel.org on 127.0.0.53:53: no such host`,
		"lwn":        `fetch https://lwn.net/headlines/rss: dial tcp: lookup lwn.net: no such host`,
		"phoronix":   `fetch https://www.phoronix.com/rss.php: dial tcp 1.2.3.4:443: connect: connection refused`,
		"rust-blog":  `fetch https://blog.rust-lang.org/feed.xml: status 503 Service Unavailable`,
	}
	tests := []struct {
		name    string
		ok      string // a source whose last poll worked
		want    []string
		notWant []string
	}{
		{"all failing", "", []string{
			`<p class="notice" role="status">4 sources failing: DNS lookup failed (2), HTTP 503 (1), connection refused (1). See the <a href="/api/sources">source states</a>.</p>`,
		}, []string{"first poll", "127.0.0.53", "1.2.3.4"}},
		{"one working", "lwn", nil, []string{`class="notice"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := fixtureConfig()
			s, st := newFixtureServer(t, cfg)
			for _, src := range cfg.Sources {
				state := store.SourceState{Name: src.Name, URL: src.URL, ConfigURL: src.URL, Failures: 3, LastError: errs[src.Name]}
				if src.Name == tc.ok {
					state.Failures, state.LastError = 0, ""
				}
				if err := st.PutSourceState(t.Context(), state); err != nil {
					t.Fatal(err)
				}
			}
			body := do(t, s, "/").Body.String()
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %s", w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(body, w) {
					t.Errorf("page has %s", w)
				}
			}
		})
	}
}

func TestErrorClass(t *testing.T) {
	tests := []struct{ err, want string }{
		{"dial tcp: lookup x.example: no such host", "DNS lookup failed"},
		{"read tcp 10.0.0.1:5555->1.2.3.4:443: i/o timeout", "timed out"},
		{"fetch https://x/feed: status 404 Not Found", "HTTP 404"},
		{"tls: failed to verify certificate: x509: certificate signed by unknown authority", "TLS certificate problem"},
		{"something else entirely", "other errors"},
	}
	for _, tc := range tests {
		if got := errorClass(tc.err); got != tc.want {
			t.Errorf("errorClass(%q) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
