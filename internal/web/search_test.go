package web

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestTokens(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"Arm64 support", []string{"arm", "64", "support"}},
		{"Linux 6.17-rc3,", []string{"linux", "6", "17", "rc", "3"}},
		{"Café CRÈME", []string{"cafe", "creme"}},
		{"Ünïcödé — x86_64", []string{"unicode", "x", "86", "64"}},
		{"Rust-for-Linux", []string{"rust", "for", "linux"}},
		{"Ядро Linux", []string{"ядро", "linux"}},
		{"内核更新", []string{"内", "核", "更", "新"}},
		{"  ...!!  ", nil},
	}
	for _, tc := range tests {
		if got := tokens(tc.text); !slices.Equal(got, tc.want) {
			t.Errorf("tokens(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestSearchMatch(t *testing.T) {
	tests := []struct {
		q      string
		fields []string
		want   bool
	}{
		{"arm", []string{"Arm64 gains a new feature"}, true},
		{"arm", []string{"A false alarm in the scheduler"}, false},
		{"arm", []string{"An army of bots"}, false},
		{"ARM", []string{"arm: fix a boot hang"}, true},
		{"cafe", []string{"Le café du noyau"}, true},
		{"café", []string{"Cafe talk"}, true},
		{"6.17", []string{"Linux 6.17 released"}, true},
		{"6.17", []string{"Linux 6.1 and 17 more"}, false},
		{"linux 6.17", []string{"6.17 is out", "", "the linux source"}, true}, // words may be in different fields
		{`"rust for linux"`, []string{"Rust for Linux news"}, true},
		{`"rust for linux"`, []string{"Linux for Rust people"}, false},
		{`"rust for linux"`, []string{"Rust for", "Linux"}, false}, // a phrase stays in one field
		{`nova "rust for linux"`, []string{"Nova, a Rust for Linux driver"}, true},
		{"lwn", []string{"An article", "summary", "lwn"}, true}, // the source is searched
		{"nova", []string{"November", "", "lwn"}, false},
		{"内核", []string{"Linux 内核更新"}, true},
	}
	for _, tc := range tests {
		s, err := parseSearch(tc.q)
		if err != nil {
			t.Fatalf("parseSearch(%q): %v", tc.q, err)
		}
		if got := s.match(tc.fields...); got != tc.want {
			t.Errorf("%s in %q: %v, want %v", tc.q, tc.fields, got, tc.want)
		}
	}
}

func TestSearchBadQueries(t *testing.T) {
	for _, q := range []string{`"rust for linux`, `nova "`, `""`, `" "`, `!!!`, `—`} {
		_, err := parseSearch(q)
		if err == nil {
			t.Errorf("parseSearch(%q) accepted it", q)
			continue
		}
		if !strings.Contains(err.Error(), "bad q") {
			t.Errorf("parseSearch(%q): %v, want it to name q", q, err)
		}
	}
	s, _ := newTestServer(t, 1)
	checkErrors(t, s, []errorCase{
		{`/?q=%22rust`, 400, []string{`bad q "\"rust"`, "quote"}},
		{`/feeds/all.atom?q=%22%22`, 400, []string{"bad q", "empty phrase"}},
		{`/feeds/rust.json?q=%21%21`, 400, []string{`bad q "!!"`, "no words"}},
	})
}

// TestSearchOnPage checks word search through the page on the fixture.
func TestSearchOnPage(t *testing.T) {
	cfg := fixtureConfig()
	cfg.Sources[3].Title = "The Rust Programming Language Blog"
	s, _ := newFixtureServer(t, cfg)
	for _, tc := range []struct {
		q    string
		want int
	}{
		{"nova", 1},
		{"NÓVA", 1},
		{"ova", 0}, // a substring of Nova, not a word
		{"6.17", 4},
		{"linux 6.17", 4},
		{"bpf", 2},
		{"arena", 0}, // no stemming: "arenas" is another word
		{`"pair of workqueue"`, 1},
		{`"workqueue pair"`, 0},
		{"phoronix memory", 1},             // the source is searched too
		{`"programming language blog"`, 2}, // by its display name (feeds.yaml title)
	} {
		rec := do(t, s, "/?q="+url.QueryEscape(tc.q))
		if rec.Code != 200 {
			t.Fatalf("q=%s: status %d %s", tc.q, rec.Code, rec.Body)
		}
		if got := strings.Count(rec.Body.String(), "<article "); got != tc.want {
			t.Errorf("q=%s: %d items, want %d", tc.q, got, tc.want)
		}
	}
}
