package main

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/kernelwire/kernelwire/internal/fetch/fetchtest"
)

// TestBaseURLThroughTheBinary: with --base-url set, every id, self link
// and page link the served documents carry is under it; nothing comes from
// the request's Host or X-Forwarded-* headers. Without it, the Host names
// the links (the documented default).
func TestBaseURLThroughTheBinary(t *testing.T) {
	up := fetchtest.NewServer(t)
	flags := []string{"--config", testConfig(t, up), "--log-level", "error", "--data", t.TempDir()}
	if code, out, errOut := runCmd(t, t.Context(), append([]string{"poll", "--once"}, flags...)...); code != 0 {
		t.Fatalf("poll exit %d\n%s\n%s", code, out, errOut)
	}
	fetch := func(t *testing.T, url string) string {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = "evil.example"
		req.Header.Set("X-Forwarded-Host", "evil.example")
		req.Header.Set("X-Forwarded-Proto", "http")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %v\n%.500s", url, resp.StatusCode, err, body)
		}
		return string(body)
	}
	paths := []string{"/feeds/all.atom", "/feeds/all.rss", "/feeds/all.json", "/feeds/everything.atom?source=lwn",
		"/feeds/releases.rss?q=linux", "/", "/everything", "/topics/security", "/feeds", "/feeds.json", "/feeds.opml"}
	t.Run("set", func(t *testing.T) {
		base, _ := serveBinary(t, append([]string{"--no-poll", "--base-url", "https://news.example.org/kw"}, flags...)...)
		for _, p := range paths {
			body := fetch(t, base+p)
			if strings.Contains(body, "evil.example") {
				t.Errorf("%s: the request's Host reached the document", p)
			}
			if !strings.Contains(body, "https://news.example.org/kw/") {
				t.Errorf("%s: no link under the base URL:\n%.800s", p, body)
			}
		}
		for _, p := range []string{"/feeds/all.atom", "/feeds/all.rss", "/feeds/all.json"} {
			body := fetch(t, base+p)
			if !strings.Contains(body, "https://news.example.org/kw"+p) {
				t.Errorf("%s: the self link is not under the base URL:\n%.800s", p, body)
			}
		}
	})
	t.Run("unset", func(t *testing.T) {
		base, _ := serveBinary(t, append([]string{"--no-poll"}, flags...)...)
		if body := fetch(t, base+"/feeds/all.atom"); !strings.Contains(body, `href="http://evil.example/feeds/all.atom"`) {
			t.Errorf("without --base-url the self link should follow the Host:\n%.800s", body)
		}
	})
}
