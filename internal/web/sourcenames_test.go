package web

import (
	"strings"
	"testing"

	"github.com/kernelwire/kernelwire/internal/store"
)

// TestSourceNames: the page, the feeds and /opml show a source by its
// display name and link its site, never the config slug or the raw XML.
func TestSourceNames(t *testing.T) {
	tests := []struct {
		name      string
		state     store.SourceState
		title     string // feeds.yaml title:
		wantName  string
		wantSite  string
		notInPage string
	}{
		{"feed's own title and link", store.SourceState{Name: "lwn", ConfigURL: "https://lwn.net/headlines/rss", Title: "LWN.net", SiteURL: "https://lwn.net/"},
			"", "LWN.net", "https://lwn.net/", `href="https://lwn.net/headlines/rss"`},
		{"feeds.yaml title wins", store.SourceState{Name: "lwn", Title: "LWN.net", SiteURL: "https://lwn.net/"},
			"Linux Weekly News", "Linux Weekly News", "https://lwn.net/", `>lwn<`},
		{"never polled: the host's root", store.SourceState{}, "", "lwn", "https://lwn.net/", `href="https://lwn.net/headlines/rss"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, st := newTestServer(t, 3)
			s.cfg.Sources[0].Title = tc.title
			if tc.state.Name != "" {
				if err := st.PutSourceState(t.Context(), tc.state); err != nil {
					t.Fatal(err)
				}
			}
			page := do(t, s, "/").Body.String()
			if want := `<a href="` + tc.wantSite + `" class="source">` + tc.wantName + `</a>`; !strings.Contains(page, want) {
				t.Errorf("page lacks %s", want)
			}
			if strings.Contains(page, tc.notInPage) {
				t.Errorf("page has %s", tc.notInPage)
			}
			atom := do(t, s, "/feeds/all.atom").Body.String()
			for _, want := range []string{"<title>" + tc.wantName + "</title>", `<link href="` + tc.wantSite + `" rel="alternate" type="text/html">`} {
				if !strings.Contains(atom, want) {
					t.Errorf("atom lacks %s", want)
				}
			}
			rss := do(t, s, "/feeds/all.rss").Body.String()
			if want := `<source url="https://lwn.net/headlines/rss">` + tc.wantName + `</source>`; !strings.Contains(rss, want) {
				t.Errorf("rss lacks %s", want)
			}
			o := do(t, s, "/opml").Body.String()
			if want := `text="` + tc.wantName + `" title="` + tc.wantName + `" type="rss" xmlUrl="https://lwn.net/headlines/rss" htmlUrl="` + tc.wantSite + `"`; !strings.Contains(o, want) {
				t.Errorf("opml lacks %s:\n%s", want, o)
			}
		})
	}
}
