package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/config"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/web"
)

func TestAppendSources(t *testing.T) {
	add := []item.Source{{Name: "lwn", URL: "https://lwn.net/headlines/rss"}, {Name: "odd", URL: "https://x.example/feed?a=1#frag"}}
	tests := []struct {
		name, in, want, err string
	}{
		{"block list at the end, with a footer comment",
			"topics: {}\nsources:\n  # kernel first\n  - name: kernel-org\n    url: https://www.kernel.org/feeds/kdist.xml\n\n# footer\n",
			"topics: {}\nsources:\n  # kernel first\n  - name: kernel-org\n    url: https://www.kernel.org/feeds/kdist.xml\n" +
				"  # NOTE\n  - name: lwn\n    url: https://lwn.net/headlines/rss\n  - name: odd\n    url: https://x.example/feed?a=1#frag\n\n# footer\n", ""},
		{"flow entries before another key",
			"sources:\n    - {name: a, url: https://a.example/}   # first\n# about topics\ntopics: {}\n",
			"sources:\n    - {name: a, url: https://a.example/}   # first\n    # NOTE\n    - {name: lwn, url: https://lwn.net/headlines/rss}\n" +
				"    - {name: odd, url: https://x.example/feed?a=1#frag}\n# about topics\ntopics: {}\n", ""},
		{"no final newline", "sources:\n- name: a\n  url: https://a.example/",
			"sources:\n- name: a\n  url: https://a.example/\n# NOTE\n- name: lwn\n  url: https://lwn.net/headlines/rss\n- name: odd\n  url: https://x.example/feed?a=1#frag\n", ""},
		{"empty sources", "sources:\ntopics: {}\n",
			"sources:\n  # NOTE\n  - name: lwn\n    url: https://lwn.net/headlines/rss\n  - name: odd\n    url: https://x.example/feed?a=1#frag\ntopics: {}\n", ""},
		{"flow list", "sources: [{name: a, url: https://a.example/}]\n", "", "line 1: sources is not a block list"},
		{"no sources", "topics: {}\n", "", "no sources list"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := appendSources([]byte(tc.in), add, "NOTE")
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

const importConfig = `# my feeds
topics:
  rust:
    title: Rust
    rules:
      - {name: r, any: [rust]}
sources:
  - name: lwn          # the best
    url: https://lwn.net/headlines/rss
# the end
`

func TestOPMLImport(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "feeds.yaml")
	if err := os.WriteFile(cfgPath, []byte(importConfig), 0o640); err != nil {
		t.Fatal(err)
	}
	opmlPath := filepath.Join(dir, "reader.opml")
	if err := os.WriteFile(opmlPath, []byte(`<?xml version="1.0"?>
<opml version="2.0"><head><title>my reader</title></head><body>
<outline text="Kernel">
  <outline text="LWN again" xmlUrl="HTTPS://LWN.net/headlines/rss#x"/>
  <outline text="Phoronix: Linux Hardware Reviews" type="rss" xmlUrl="https://www.phoronix.com/rss.php"/>
  <outline text="lwn" xmlUrl="https://lwn.net/other"/>
  <outline text="Gopher" xmlUrl="gopher://old.example/feed"/>
  <outline text="" xmlUrl="https://www.kroah.com/log/index.rss"/>
  <outline text="Relative" xmlUrl="/feed.xml"/>
  <outline text="Phoronix: Linux Hardware Reviews" xmlUrl="https://www.phoronix.com/rss.php?twice"/>
  <outline text="Хабр" xmlUrl="feed://habr.com/ru/rss/hub/linux/"/>
  <outline text="開源中國" xmlUrl="feed:https://www.oschina.net/news/rss"/>
  <outline text="kernelwire: All news" xmlUrl="https://news.example.net/feeds/all.atom"/>
  <outline text="Our river" xmlUrl="https://news.example.org/feeds/rust.rss"/>
</outline></body></opml>`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd(t, t.Context(), "opml", "import", "--config", cfgPath, "--base-url", "https://news.example.org", opmlPath)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"skipped  lwn-again                      HTTPS://LWN.net/headlines/rss#x  (duplicate url: source lwn)",
		"added    phoronix-linux-hardware-reviews https://www.phoronix.com/rss.php",
		"added    lwn-2                          https://lwn.net/other  (the name lwn is taken by https://lwn.net/headlines/rss)",
		`invalid  gopher                         gopher://old.example/feed  (url scheme "gopher" is not http or https)`,
		"added    kroah-com                      https://www.kroah.com/log/index.rss",
		"invalid  relative                       /feed.xml  (url is relative: a feed needs its full https://... address)",
		"added    phoronix-linux-hardware-reviews-2 https://www.phoronix.com/rss.php?twice  (the name phoronix-linux-hardware-reviews is taken by https://www.phoronix.com/rss.php)",
		"added    khabr                          http://habr.com/ru/rss/hub/linux/",
		"added    oschina-net                    https://www.oschina.net/news/rss",
		"refused  kernelwire-all-news            https://news.example.net/feeds/all.atom  (a kernelwire feed: polling it would bring kernelwire's own items back in)",
		"refused  our-river                      https://news.example.org/feeds/rust.rss  (a URL of this kernelwire instance (https://news.example.org))",
		"6 added to " + cfgPath + ", 1 skipped as duplicates, 2 refused, 2 invalid",
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	data, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, comment := range []string{"# my feeds\n", "# the best\n", "# the end\n", "  # added by kernelwire opml import from reader.opml on "} {
		if !strings.Contains(string(data), comment) {
			t.Errorf("config lost %q:\n%s", comment, data)
		}
	}
	cfg, err := config.Parse(data, cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if got := sourceList(cfg.Sources); !slices.Equal(got, []string{"lwn https://lwn.net/headlines/rss",
		"phoronix-linux-hardware-reviews https://www.phoronix.com/rss.php", "lwn-2 https://lwn.net/other",
		"kroah-com https://www.kroah.com/log/index.rss", "phoronix-linux-hardware-reviews-2 https://www.phoronix.com/rss.php?twice",
		"khabr http://habr.com/ru/rss/hub/linux/", "oschina-net https://www.oschina.net/news/rss"}) {
		t.Errorf("sources %q", got)
	}
	if fi, err := os.Stat(cfgPath); err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("config mode changed: %v %v", fi.Mode(), err)
	}
	// Importing again adds nothing and leaves the file as it is.
	t.Setenv("KERNELWIRE_BASE_URL", "https://news.example.org") // the flag, from the environment
	if code, out, _ := runCmd(t, t.Context(), "opml", "import", "--config", cfgPath, opmlPath); code != 0 || !strings.Contains(out, "0 added") {
		t.Errorf("second import: exit %d\n%s", code, out)
	}
	if again, _ := os.ReadFile(cfgPath); string(again) != string(data) {
		t.Error("a second import changed the config")
	}
}

// TestOPMLRoundTrip exports the shipped sources with GET /opml and imports
// them into a copy of feeds.yaml that keeps only the first source: the
// result has the same sources, in the same order.
func TestOPMLRoundTrip(t *testing.T) {
	shipped, err := os.ReadFile("../../feeds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(shipped, "feeds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	srv := web.New(web.Config{Sources: cfg.Sources, Now: func() time.Time { return time.Unix(0, 0) }})
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://kw.example/opml", nil))
	dir := t.TempDir()
	opmlPath := filepath.Join(dir, "sources.opml")
	if err := os.WriteFile(opmlPath, rec.Body.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	text := string(shipped)
	first := cfg.Sources[0]
	text = text[:strings.Index(text, "\nsources:")] + "\nsources:\n  # only the first one\n  - name: " + first.Name + "\n    url: " + first.URL + "\n"
	cfgPath := filepath.Join(dir, "feeds.yaml")
	if err := os.WriteFile(cfgPath, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd(t, t.Context(), "opml", "import", "--config", cfgPath, opmlPath)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	t.Logf("import report:\n%s", out)
	after, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sourceList(after.Sources), sourceList(cfg.Sources); !slices.Equal(got, want) {
		t.Errorf("after the round trip:\n%q\nwant\n%q", got, want)
	}
	data, _ := os.ReadFile(cfgPath)
	if !strings.HasPrefix(string(data), text[:len(text)-1]) {
		t.Error("the import changed the file before the end of the sources list")
	}
}

func sourceList(srcs []item.Source) []string {
	var out []string
	for _, s := range srcs {
		out = append(out, s.Name+" "+s.URL)
	}
	return out
}

func TestFeedScheme(t *testing.T) {
	tests := []struct{ in, want string }{
		{"feed://lwn.net/headlines/rss", "http://lwn.net/headlines/rss"},
		{"FEED://lwn.net/x", "http://lwn.net/x"},
		{"feed:https://lwn.net/headlines/rss", "https://lwn.net/headlines/rss"},
		{"https://lwn.net/", "https://lwn.net/"},
		{"feed", "feed"},
	}
	for _, tc := range tests {
		if got := feedScheme(tc.in); got != tc.want {
			t.Errorf("feedScheme(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSourceName(t *testing.T) {
	tests := []struct{ title, url, want string }{
		{"LWN.net: Headlines", "", "lwn-net-headlines"},
		{"  Ünïcode—Blog!! ", "", "unicode-blog"},
		{"Café Über Straße", "", "cafe-uber-strasse"},
		{"Хабр: Linux", "", "khabr-linux"},
		{"Новости ядра Linux", "", "novosti-yadra-linux"},
		{"Україна їжак", "", "ukrayina-yizhak"},
		{"Πύλη του Linux", "", "pyli-tou-linux"},
		{"Linux 内核", "", "linux"},
		{"開源中國", "https://www.oschina.net/news/rss", "oschina-net"},
		{"Łódź", "", "lodz"},
		{"", "https://www.kroah.com/log/index.rss", "kroah-com"},
		{"All", "", "all-feed"},
		{"", "", "feed"},
		{strings.Repeat("long ", 20), "", "long-long-long-long-long-long-long-long"},
	}
	for _, tc := range tests {
		if got := sourceName(tc.title, tc.url); got != tc.want {
			t.Errorf("sourceName(%q, %q) = %q, want %q", tc.title, tc.url, got, tc.want)
		}
	}
}
