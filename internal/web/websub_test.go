package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/kernelwire/kernelwire/internal/dedup"
	"github.com/kernelwire/kernelwire/internal/item"
)

// hub is an in-process WebSub hub that records publish pings.
type hub struct {
	*httptest.Server
	pings chan string // hub.url of each ping
}

func newHub(t *testing.T) *hub {
	h := &hub{pings: make(chan string, 100)}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, err := url.ParseQuery(string(body))
		if r.Method != http.MethodPost || err != nil || form.Get("hub.mode") != "publish" ||
			r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			t.Errorf("bad ping: %s %s %q", r.Method, r.Header.Get("Content-Type"), body)
			http.Error(w, "bad ping", http.StatusBadRequest)
			return
		}
		h.pings <- form.Get("hub.url")
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(h.Close)
	return h
}

func TestWebSubAdvertised(t *testing.T) {
	cfg := fixtureConfig()
	cfg.HubURL = "https://hub.example/"
	s, _ := newFixtureServer(t, cfg)
	for _, path := range []string{"/feeds/all.atom", "/feeds/security.rss", "/feeds/rust-people.json?q=nova"} {
		t.Run(path, func(t *testing.T) {
			rec := do(t, s, path)
			body := rec.Body.String()
			self := "http://kw.example" + path
			var hubs, selfs []string
			switch {
			case strings.Contains(path, ".json"):
				var f struct {
					FeedURL string `json:"feed_url"`
					Hubs    []struct{ Type, URL string }
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &f); err != nil {
					t.Fatal(err)
				}
				selfs = []string{f.FeedURL}
				for _, h := range f.Hubs {
					if h.Type == "WebSub" {
						hubs = append(hubs, h.URL)
					}
				}
			default:
				f, err := gofeed.NewParser().ParseString(body)
				if err != nil {
					t.Fatal(err)
				}
				selfs = []string{f.FeedLink}
				// gofeed does not surface rel="hub"; the element is checked as written.
				if strings.Contains(body, `<atom:link href="https://hub.example/" rel="hub"`) ||
					strings.Contains(body, `<link href="https://hub.example/" rel="hub"`) {
					hubs = []string{cfg.HubURL}
				}
			}
			if !slices.Equal(hubs, []string{cfg.HubURL}) {
				t.Errorf("hubs %q, want the hub:\n%s", hubs, body[:min(len(body), 1200)])
			}
			if !slices.Equal(selfs, []string{self}) {
				t.Errorf("self %q, want %q", selfs, self)
			}
			links := rec.Header().Values("Link")
			if !slices.Contains(links, `<https://hub.example/>; rel="hub"`) || !slices.Contains(links, "<"+self+`>; rel="self"`) {
				t.Errorf("Link headers %q", links)
			}
		})
	}
}

func TestWebSubPing(t *testing.T) {
	h := newHub(t)
	cfg := fixtureConfig()
	cfg.HubURL, cfg.BaseURL, cfg.PingInterval = h.URL, "https://kw.example", 10*time.Millisecond
	s, st := newFixtureServer(t, cfg)
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	// Starting pings nothing: the store as found is the baseline.
	select {
	case u := <-h.pings:
		t.Fatalf("ping %s without a change", u)
	case <-time.After(100 * time.Millisecond):
	}
	items := []item.Item{{Source: "lwn", GUID: "new", Link: "https://lwn.net/Articles/2000000/", Title: "Security updates for Friday",
		Topics: []string{"security"}, Published: fixtureNow}}
	dedup.Assign(items, "lwn")
	if _, err := st.SaveItems(t.Context(), "lwn", items); err != nil {
		t.Fatal(err)
	}
	var want []string
	// series selects by kind, not topic: like every named feed without
	// topics it is pinged whenever everything gains an item
	// (changedFeeds). Leaving it out made the test pass only when Stop
	// cancelled its pings before they were sent.
	for _, name := range []string{"everything", "all", "security", "series"} {
		for _, ext := range []string{"atom", "rss", "json"} {
			want = append(want, "https://kw.example/feeds/"+name+"."+ext)
		}
	}
	var got []string
	deadline := time.After(5 * time.Second)
	for len(got) < len(want) {
		select {
		case u := <-h.pings:
			got = append(got, u)
		case <-deadline:
			t.Fatalf("pings %q after 5s, want %q", got, want)
		}
	}
	// Stop waits for a ping in flight, so anything extra is queued by now.
	s.Stop()
	close(h.pings)
	for u := range h.pings {
		got = append(got, u)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		// rust-people (maintainers, rust-for-linux) and releases gained nothing.
		t.Errorf("pings %q, want %q", got, want)
	}
}

func TestWebSubStart(t *testing.T) {
	tests := []struct {
		name, hub, base string
		wantErr         string
	}{
		{"no hub: nothing to do", "", "", ""},
		{"hub without base URL", "https://hub.example/", "", "needs the public base URL"},
		{"hub and base URL", "https://hub.example/", "https://kw.example", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := fixtureConfig()
			cfg.HubURL, cfg.BaseURL = tc.hub, tc.base
			s, _ := newFixtureServer(t, cfg)
			err := s.Start(t.Context())
			defer s.Stop()
			if (err == nil) != (tc.wantErr == "") || err != nil && !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Start() = %v, want %q", err, tc.wantErr)
			}
		})
	}
}
