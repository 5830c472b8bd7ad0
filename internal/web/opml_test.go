package web

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kernelwire/kernelwire/internal/opml"
)

func TestOPML(t *testing.T) {
	s, _ := newFixtureServer(t, fixtureConfig())
	tests := []struct {
		path string
		urls []string // xmlUrls, in order
	}{
		{"/opml", []string{"https://www.kernel.org/feeds/kdist.xml", "https://lwn.net/headlines/rss",
			"https://www.phoronix.com/rss.php", "https://blog.rust-lang.org/feed.xml"}},
		{"/feeds.opml", []string{"http://kw.example/feeds/all.atom", "http://kw.example/feeds/everything.atom", "http://kw.example/feeds/rust-for-linux.atom",
			"http://kw.example/feeds/releases.atom", "http://kw.example/feeds/security.atom", "http://kw.example/feeds/subsystems.atom",
			"http://kw.example/feeds/maintainers.atom", "http://kw.example/feeds/patches.atom", "http://kw.example/feeds/rust-people.atom",
			"http://kw.example/feeds/series.atom"}},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			rec := do(t, s, tc.path)
			if rec.Code != 200 || rec.Header().Get("Content-Type") != "text/x-opml; charset=utf-8" {
				t.Fatalf("status %d, type %q", rec.Code, rec.Header().Get("Content-Type"))
			}
			body := rec.Body.Bytes()
			d, err := opml.Parse(rec.Body)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, o := range d.Feeds() {
				if o.Type != "rss" || o.Text == "" {
					t.Errorf("outline %+v lacks type or text", o)
				}
				got = append(got, o.XMLURL)
			}
			if d.Version != "2.0" || !slices.Equal(got, tc.urls) {
				t.Errorf("version %q, feeds %q, want 2.0 and %q", d.Version, got, tc.urls)
			}
			// A real reader's importer: newsboat -i writes what it understood
			// to its urls file.
			urls := newsboatImport(t, body)
			if !slices.Equal(urls, tc.urls) {
				t.Errorf("newsboat imported %q, want %q", urls, tc.urls)
			}
		})
	}
}

// newsboatImport runs `newsboat -i` on an OPML document in a fresh HOME and
// returns the URLs of the urls file it writes. Without newsboat the test
// fails (CI installs it) unless -short.
func newsboatImport(t *testing.T, doc []byte) []string {
	t.Helper()
	bin, err := exec.LookPath("newsboat")
	if err != nil {
		if testing.Short() {
			t.Skip("newsboat not installed; -short leaves the reader check out")
		}
		t.Fatalf("newsboat is needed to check OPML in a real reader (apt-get install newsboat, or -short): %v", err)
	}
	home := t.TempDir()
	file := filepath.Join(home, "export.opml")
	if err := os.WriteFile(file, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), bin, "-i", file)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME=", "XDG_DATA_HOME=")
	out, err := cmd.CombinedOutput()
	t.Logf("newsboat -i: %s", strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("newsboat -i: %v", err)
	}
	data, err := os.ReadFile(filepath.Join(home, ".newsboat", "urls"))
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for line := range strings.Lines(string(data)) {
		if f := strings.Fields(line); len(f) > 0 {
			urls = append(urls, f[0])
		}
	}
	return urls
}

func TestFeedList(t *testing.T) {
	s, _ := newFixtureServer(t, fixtureConfig())
	var list feedList
	rec := do(t, s, "/feeds.json")
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range list.Feeds {
		names = append(names, f.Kind+":"+f.Name)
		if f.URLs.Atom != "http://kw.example/feeds/"+f.Name+".atom" || f.URLs.RSS == "" || f.URLs.JSON == "" {
			t.Errorf("feed %s urls %+v", f.Name, f.URLs)
		}
	}
	want := []string{"all:all", "everything:everything", "topic:rust-for-linux", "topic:releases", "topic:security", "topic:subsystems",
		"topic:maintainers", "topic:patches", "named:rust-people", "named:series"}
	if !slices.Equal(names, want) {
		t.Errorf("feeds %q, want %q", names, want)
	}
	if list.Parameters["topics"] == "" || list.OPML != "http://kw.example/feeds.opml" {
		t.Errorf("parameters or opml missing: %+v", list)
	}
	html := do(t, s, "/feeds").Body.String()
	for _, w := range []string{
		`<a href="http://kw.example/feeds/patches.json" aria-label="Patches as JSON Feed">JSON Feed</a>`,
		`<a href="http://kw.example/?not=releases&amp;topics=maintainers,rust-for-linux">Rust and the people</a>`,
		`<dt><code>since=2026-11-01</code></dt>`,
	} {
		if !strings.Contains(html, w) {
			t.Errorf("/feeds lacks %s", w)
		}
	}
}
