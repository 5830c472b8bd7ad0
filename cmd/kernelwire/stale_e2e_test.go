package main

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/kernelwire/kernelwire/internal/fetch/fetchtest"
)

// TestStaleWhileRedisDown kills the Redis under a serving process: feeds and
// the page it had rendered are still served (marked with a Warning), a feed
// it never rendered is a 503, /readyz says 503 until Redis is back, and then
// the warnings stop.
func TestStaleWhileRedisDown(t *testing.T) {
	rd := startPrivateRedis(t)
	up := fetchtest.NewServer(t)
	flags := []string{"--config", testConfig(t, up), "--log-level", "error", "--redis", rd.url(), "--redis-prefix", "kwtest:stale:"}
	if code, out, errOut := runCmd(t, t.Context(), append([]string{"poll", "--once"}, flags...)...); code != 0 {
		t.Fatalf("poll exit %d\n%s\n%s", code, out, errOut)
	}
	base, proc := serveBinary(t, append([]string{"--no-poll"}, flags...)...)

	cached := []string{"/feeds/all.atom", "/feeds/rust.json", "/"}
	before := map[string]response{}
	for _, p := range cached {
		r := httpGet(t, base+p)
		if r.code != http.StatusOK || r.header.Get("Warning") != "" {
			t.Fatalf("%s with Redis up: %d, Warning %q", p, r.code, r.header.Get("Warning"))
		}
		before[p] = r
	}
	if r := httpGet(t, base+"/readyz"); r.code != http.StatusOK {
		t.Fatalf("readyz with Redis up: %d", r.code)
	}

	rd.kill()
	// Within a second of the kill the version is still the one read
	// before it, and the copies are simply current.
	waitFor(t, "stale copies to be marked", func() bool {
		return httpGet(t, base+"/feeds/all.atom").header.Get("Warning") != ""
	})
	for _, p := range cached {
		r := httpGet(t, base+p)
		if r.code != http.StatusOK {
			t.Errorf("%s with Redis down: %d %s, want 200 from the cached copy\n%s", p, r.code, r.body, proc.stderr)
			continue
		}
		if !strings.HasPrefix(r.header.Get("Warning"), "111 ") {
			t.Errorf("%s with Redis down: Warning %q, want 111", p, r.header.Get("Warning"))
		}
		if r.header.Get("ETag") != before[p].header.Get("ETag") || r.body != before[p].body {
			t.Errorf("%s with Redis down: not the cached copy", p)
		}
	}
	if r := httpGet(t, base+"/feeds/security.rss"); r.code != http.StatusServiceUnavailable {
		t.Errorf("a never-rendered feed with Redis down: %d, want 503", r.code)
	}
	if r := httpGet(t, base+"/readyz"); r.code != http.StatusServiceUnavailable {
		t.Errorf("readyz with Redis down: %d, want 503", r.code)
	}

	rd.start()
	if r := httpGet(t, base+"/readyz"); r.code != http.StatusOK {
		t.Errorf("readyz with Redis back: %d, want 200", r.code)
	}
	// The version is re-read within a second; until then the copy is
	// still marked stale.
	waitFor(t, "the Warning to go once Redis is back", func() bool {
		r := httpGet(t, base+"/feeds/all.atom")
		return r.code == http.StatusOK && r.header.Get("Warning") == ""
	})
}

type response struct {
	code   int
	header http.Header
	body   string
}

func httpGet(t *testing.T, url string) response {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, string(body)}
}
