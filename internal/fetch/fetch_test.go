package fetch

import (
	"bytes"
	"compress/gzip"
	"errors"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/fetch/fetchtest"
)

const feedXML = `<?xml version="1.0"?><rss version="2.0"><channel><title>LWN</title><item><title>6.13-rc1</title></item></channel></rss>`

func TestGetSendsPoliteHeaders(t *testing.T) {
	rss := []byte(feedXML)
	up := fetchtest.NewServer(t)
	up.Feed("/feed", rss, "application/rss+xml")
	tests := []struct {
		name   string
		cfg    Config
		wantUA string
	}{
		{"default agent", Config{AllowPrivateNetworks: true}, DefaultUserAgent},
		{"own agent", Config{AllowPrivateNetworks: true, UserAgent: "probe/1"}, "probe/1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.cfg).Get(t.Context(), Request{URL: up.URL("/feed")}); err != nil {
				t.Fatal(err)
			}
			h := up.LastRequest("/feed")
			for k, want := range map[string]string{
				"User-Agent":      tc.wantUA,
				"Accept":          "application/atom+xml, application/rss+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
				"Accept-Encoding": "gzip",
			} {
				if got := h.Get(k); got != want {
					t.Errorf("%s: got %q, want %q", k, got, want)
				}
			}
		})
	}
}

func TestGetConditional(t *testing.T) {
	rss := []byte(feedXML)
	up := fetchtest.NewServer(t)
	feed := up.Feed("/feed", rss, "application/rss+xml")
	bare := up.Feed("/bare", rss, "application/rss+xml")
	bare.SetBare304(true)
	const oldDate = "Mon, 02 Jan 2006 15:04:05 GMT"

	tests := []struct {
		name        string
		req         Request
		wantINM     string
		wantIMS     string
		wantNotMod  bool
		wantETag    string
		wantLastMod string
	}{
		{
			name:        "no validators",
			req:         Request{URL: up.URL("/feed")},
			wantETag:    feed.ETag(),
			wantLastMod: feed.LastModified(),
		},
		{
			name:        "matching etag",
			req:         Request{URL: up.URL("/feed"), ETag: feed.ETag()},
			wantINM:     feed.ETag(),
			wantNotMod:  true,
			wantETag:    feed.ETag(),
			wantLastMod: feed.LastModified(),
		},
		{
			name:        "current last-modified",
			req:         Request{URL: up.URL("/feed"), LastModified: feed.LastModified()},
			wantIMS:     feed.LastModified(),
			wantNotMod:  true,
			wantETag:    feed.ETag(),
			wantLastMod: feed.LastModified(),
		},
		{
			name:        "stale etag wins over current date",
			req:         Request{URL: up.URL("/feed"), ETag: `"old"`, LastModified: feed.LastModified()},
			wantINM:     `"old"`,
			wantIMS:     feed.LastModified(),
			wantETag:    feed.ETag(),
			wantLastMod: feed.LastModified(),
		},
		{
			name:        "old date",
			req:         Request{URL: up.URL("/feed"), LastModified: oldDate},
			wantIMS:     oldDate,
			wantETag:    feed.ETag(),
			wantLastMod: feed.LastModified(),
		},
		{
			name:        "bare 304 keeps the request's validators",
			req:         Request{URL: up.URL("/bare"), ETag: bare.ETag(), LastModified: "kept as is"},
			wantINM:     bare.ETag(),
			wantIMS:     "kept as is",
			wantNotMod:  true,
			wantETag:    bare.ETag(),
			wantLastMod: "kept as is",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := New(Config{AllowPrivateNetworks: true}).Get(t.Context(), tc.req)
			if err != nil {
				t.Fatal(err)
			}
			path := strings.TrimPrefix(tc.req.URL, up.URL(""))
			h := up.LastRequest(path)
			if got := h.Get("If-None-Match"); got != tc.wantINM {
				t.Errorf("If-None-Match sent: got %q, want %q", got, tc.wantINM)
			}
			if got := h.Get("If-Modified-Since"); got != tc.wantIMS {
				t.Errorf("If-Modified-Since sent: got %q, want %q", got, tc.wantIMS)
			}
			if resp.NotModified != tc.wantNotMod {
				t.Errorf("NotModified: got %v, want %v", resp.NotModified, tc.wantNotMod)
			}
			wantStatus, wantBody := http.StatusOK, rss
			if tc.wantNotMod {
				wantStatus, wantBody = http.StatusNotModified, nil
			}
			if resp.Status != wantStatus {
				t.Errorf("Status: got %d, want %d", resp.Status, wantStatus)
			}
			if !bytes.Equal(resp.Body, wantBody) || (wantBody == nil) != (resp.Body == nil) {
				t.Errorf("Body: got %q, want %q", resp.Body, wantBody)
			}
			if resp.ETag != tc.wantETag || resp.LastModified != tc.wantLastMod {
				t.Errorf("validators: got %q, %q; want %q, %q", resp.ETag, resp.LastModified, tc.wantETag, tc.wantLastMod)
			}
			if resp.FinalURL != tc.req.URL || resp.PermanentURL != "" {
				t.Errorf("FinalURL %q PermanentURL %q; want %q and empty", resp.FinalURL, resp.PermanentURL, tc.req.URL)
			}
		})
	}
}

func TestGetContent(t *testing.T) {
	rss := []byte(feedXML)
	up := fetchtest.NewServer(t)
	up.Feed("/plain", rss, "application/rss+xml")
	up.Feed("/gzip", rss, "application/rss+xml").SetGzip(true)
	up.Feed("/page", []byte(fetchtest.HTMLPage), "text/html; charset=utf-8")
	exact := bytes.Repeat([]byte("x"), 4096)
	up.Feed("/exact", exact, "text/plain")
	gzExact := up.Feed("/gzexact", exact, "text/plain")
	gzExact.SetGzip(true)

	tests := []struct {
		path     string
		wantBody []byte
		wantType string
		wantEnc  string
	}{
		{"/plain", rss, "application/rss+xml", ""},
		{"/gzip", rss, "application/rss+xml", "gzip"},
		// fetch does not judge content: parse rejects a page, fetch returns it.
		{"/page", []byte(fetchtest.HTMLPage), "text/html; charset=utf-8", ""},
		{"/exact", exact, "text/plain", ""},
		{"/gzexact", exact, "text/plain", "gzip"},
	}
	c := New(Config{AllowPrivateNetworks: true, MaxBodyBytes: int64(len(exact))})
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			resp, err := c.Get(t.Context(), Request{URL: up.URL(tc.path)})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(resp.Body, tc.wantBody) {
				t.Errorf("Body: got %d bytes %.40q, want %d bytes", len(resp.Body), resp.Body, len(tc.wantBody))
			}
			if resp.ContentType != tc.wantType {
				t.Errorf("ContentType: got %q, want %q", resp.ContentType, tc.wantType)
			}
			if got := resp.Header.Get("Content-Encoding"); got != tc.wantEnc {
				t.Errorf("Content-Encoding: got %q, want %q", got, tc.wantEnc)
			}
			if resp.Duration <= 0 {
				t.Errorf("Duration: got %v, want > 0", resp.Duration)
			}
		})
	}
}

func TestGetTooLarge(t *testing.T) {
	const limit = 1 << 20
	up := fetchtest.NewServer(t)
	up.Handle("/declared", fetchtest.Huge(limit+1, true))
	up.Handle("/chunked", fetchtest.Huge(64<<20, false))
	up.Handle("/bomb", fetchtest.GzipBomb(64*limit))
	up.Feed("/one-over", bytes.Repeat([]byte("y"), limit+1), "text/plain").SetGzip(true)
	up.Handle("/padded", emptyGzipMembers(8*limit))

	tests := []string{"/declared", "/chunked", "/bomb", "/one-over", "/padded"}
	c := New(Config{AllowPrivateNetworks: true, MaxBodyBytes: limit})
	for _, path := range tests {
		t.Run(path, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			resp, err := c.Get(t.Context(), Request{URL: up.URL(path)})
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("got %v, %v; want ErrTooLarge", resp, err)
			}
			if !strings.Contains(err.Error(), up.URL(path)) {
				t.Errorf("error %q does not name the URL", err)
			}
			if elapsed > 5*time.Second {
				t.Errorf("took %v; a capped read should stop at the cap", elapsed)
			}
			// The server shares the process, so allow it slack; a
			// read without the cap would allocate hundreds of MiB.
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 48<<20 {
				t.Errorf("allocated %d MiB for a %d MiB cap", alloc>>20, limit>>20)
			}
		})
	}
}

// emptyGzipMembers sends about n bytes of concatenated empty gzip members:
// nothing once decompressed, so only the cap on raw bytes stops it.
func emptyGzipMembers(n int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var member bytes.Buffer
		_ = gzip.NewWriter(&member).Close()
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(bytes.Repeat(member.Bytes(), n/member.Len()))
	})
}

func TestGetRedirects(t *testing.T) {
	rss := []byte(feedXML)
	up := fetchtest.NewServer(t)
	up.Feed("/feed", rss, "application/rss+xml")
	up.RedirectChain("/perm", "/feed", 301, 308)
	up.RedirectChain("/mixed", "/feed", 301, 302, 308)
	up.RedirectChain("/temp", "/feed", 307)
	up.RedirectChain("/five", "/feed", 301, 301, 301, 301, 301)
	up.RedirectChain("/six", "/feed", 301, 301, 301, 301, 301, 301)
	up.Handle("/self", fetchtest.Redirect(http.StatusFound, "/self"))
	up.Handle("/ping", fetchtest.Redirect(http.StatusMovedPermanently, "/pong"))
	up.Handle("/pong", fetchtest.Redirect(http.StatusMovedPermanently, "/ping"))

	tests := []struct {
		path         string
		maxRedirects int
		wantPerm     bool
		wantErr      error
		wantCount    int // requests to path
	}{
		{"/perm", 0, true, nil, 1},
		{"/mixed", 0, false, nil, 1},
		{"/temp", 0, false, nil, 1},
		{"/five", 5, true, nil, 1},
		{"/six", 5, false, ErrTooManyRedirects, 1},
		{"/perm", -1, false, ErrTooManyRedirects, 1},
		{"/self", 5, false, ErrTooManyRedirects, 1},
		// A loop is caught when it closes, not after MaxRedirects hops.
		{"/ping", 50, false, ErrTooManyRedirects, 1},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			before := up.Count(tc.path)
			resp, err := New(Config{AllowPrivateNetworks: true, MaxRedirects: tc.maxRedirects}).Get(t.Context(), Request{URL: up.URL(tc.path)})
			if got := up.Count(tc.path) - before; got != tc.wantCount {
				t.Errorf("requests to %s: got %d, want %d", tc.path, got, tc.wantCount)
			}
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("got %v, %v; want %v", resp, err, tc.wantErr)
				}
				if !strings.HasPrefix(err.Error(), "fetch "+up.URL(tc.path)+": ") {
					t.Errorf("error %q does not start with fetch URL", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(resp.Body, rss) {
				t.Errorf("Body: got %q", resp.Body)
			}
			if resp.FinalURL != up.URL("/feed") {
				t.Errorf("FinalURL: got %q, want %q", resp.FinalURL, up.URL("/feed"))
			}
			wantPerm := ""
			if tc.wantPerm {
				wantPerm = up.URL("/feed")
			}
			if resp.PermanentURL != wantPerm {
				t.Errorf("PermanentURL: got %q, want %q", resp.PermanentURL, wantPerm)
			}
		})
	}
}

func TestGetStatusError(t *testing.T) {
	up := fetchtest.NewServer(t)
	date := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	up.Handle("/busy", fetchtest.Status(http.StatusServiceUnavailable, "120"))
	up.Handle("/slow-down", fetchtest.Status(http.StatusTooManyRequests, date))
	up.Handle("/bad-header", fetchtest.Status(http.StatusTooManyRequests, "soon"))
	up.Handle("/broken", fetchtest.Status(http.StatusInternalServerError, "120"))
	up.Handle("/gone", fetchtest.Status(http.StatusGone, ""))

	tests := []struct {
		path     string
		code     int
		minRetry time.Duration
		maxRetry time.Duration
	}{
		{"/busy", 503, 120 * time.Second, 120 * time.Second},
		{"/slow-down", 429, 85 * time.Second, 90 * time.Second},
		{"/bad-header", 429, 0, 0},
		{"/broken", 500, 0, 0}, // Retry-After only counts on 429/503
		{"/gone", 410, 0, 0},
		{"/missing", 404, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			// A fresh client each time: the holds must not leak across cases.
			c := New(Config{AllowPrivateNetworks: true})
			_, err := c.Get(t.Context(), Request{URL: up.URL(tc.path)})
			var se *StatusError
			if !errors.As(err, &se) {
				t.Fatalf("got %v (%T), want *StatusError", err, err)
			}
			if se.Code != tc.code || se.URL != up.URL(tc.path) {
				t.Errorf("got code %d url %q, want %d %q", se.Code, se.URL, tc.code, up.URL(tc.path))
			}
			if se.RetryAfter < tc.minRetry || se.RetryAfter > tc.maxRetry {
				t.Errorf("RetryAfter: got %v, want in [%v, %v]", se.RetryAfter, tc.minRetry, tc.maxRetry)
			}
			if !strings.HasPrefix(err.Error(), "fetch "+up.URL(tc.path)+": status ") {
				t.Errorf("error %q does not name the URL", err)
			}
			held := time.Until(c.Gate().NotBefore("127.0.0.1"))
			if tc.minRetry > 0 && held < tc.minRetry-10*time.Second {
				t.Errorf("host held for %v, want about %v", held, tc.minRetry)
			}
			if tc.minRetry == 0 && held > time.Second {
				t.Errorf("host held for %v after a %d without Retry-After", held, tc.code)
			}
		})
	}
}

func TestGetTimeouts(t *testing.T) {
	up := fetchtest.NewServer(t)
	up.Handle("/hang", fetchtest.Hang())
	up.Handle("/drip", fetchtest.Drip(20*time.Millisecond))

	tests := []struct {
		path    string
		cfg     Config
		wantMsg string
	}{
		{"/hang", Config{AllowPrivateNetworks: true, HeaderTimeout: 100 * time.Millisecond, Timeout: 10 * time.Second}, "timeout awaiting response headers"},
		{"/hang", Config{AllowPrivateNetworks: true, HeaderTimeout: 10 * time.Second, Timeout: 150 * time.Millisecond}, "deadline exceeded"},
		{"/drip", Config{AllowPrivateNetworks: true, HeaderTimeout: 10 * time.Second, Timeout: 300 * time.Millisecond}, "deadline exceeded"},
	}
	for _, tc := range tests {
		t.Run(tc.path+"/"+tc.wantMsg, func(t *testing.T) {
			start := time.Now()
			resp, err := New(tc.cfg).Get(t.Context(), Request{URL: up.URL(tc.path)})
			elapsed := time.Since(start)
			if err == nil {
				t.Fatalf("got %d bytes, want a timeout", len(resp.Body))
			}
			if !strings.Contains(err.Error(), tc.wantMsg) || !strings.HasPrefix(err.Error(), "fetch "+up.URL(tc.path)+": ") {
				t.Errorf("error %q: want it to name the URL and contain %q", err, tc.wantMsg)
			}
			if elapsed > 3*time.Second {
				t.Errorf("took %v, want the configured timeout", elapsed)
			}
		})
	}
}

// Private addresses are refused unless the client or the request allows
// them; the refusal happens at dial time, so names and redirects cannot get
// around it.
func TestGetPrivateNetworks(t *testing.T) {
	rss := []byte(feedXML)
	up := fetchtest.NewServer(t)
	up.Feed("/feed", rss, "application/rss+xml")
	other := fetchtest.NewServer(t)
	other.Handle("/away", fetchtest.Redirect(http.StatusFound, up.URL("/feed")))

	tests := []struct {
		name     string
		url      string
		cfgAllow bool
		reqAllow bool
		wantErr  error
	}{
		{"refused by default", up.URL("/feed"), false, false, ErrPrivateAddress},
		{"name resolving to loopback", strings.Replace(up.URL("/feed"), "127.0.0.1", "localhost", 1), false, false, ErrPrivateAddress},
		{"redirect hop", other.URL("/away"), false, false, ErrPrivateAddress},
		{"allowed by the client", up.URL("/feed"), true, false, nil},
		{"allowed by the request", up.URL("/feed"), false, true, nil},
		{"redirect allowed by the request", other.URL("/away"), false, true, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := up.Count("/feed")
			_, err := New(Config{AllowPrivateNetworks: tc.cfgAllow}).Get(t.Context(), Request{URL: tc.url, AllowPrivateNetworks: tc.reqAllow})
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("got %v, want %v", err, tc.wantErr)
			}
			wantCount := 1
			if tc.wantErr != nil {
				wantCount = 0
				if !strings.HasPrefix(err.Error(), "fetch "+tc.url+": ") {
					t.Errorf("error %q does not name the URL", err)
				}
				if c := Classify(err); c != ClassPrivate {
					t.Errorf("class %q, want %q", c, ClassPrivate)
				}
			}
			if got := up.Count("/feed") - before; got != wantCount {
				t.Errorf("requests reaching the server: got %d, want %d", got, wantCount)
			}
		})
	}
}

// A connection an allowed request opened to a private address is not
// reused by a request that is not allowed.
func TestPrivateConnectionNotShared(t *testing.T) {
	up := fetchtest.NewServer(t)
	up.Feed("/feed", []byte(feedXML), "application/rss+xml")
	c := New(Config{})
	if _, err := c.Get(t.Context(), Request{URL: up.URL("/feed"), AllowPrivateNetworks: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(t.Context(), Request{URL: up.URL("/feed")}); !errors.Is(err, ErrPrivateAddress) {
		t.Fatalf("second request over the first one's connection: got %v, want ErrPrivateAddress", err)
	}
}

func TestGetBadURL(t *testing.T) {
	closed := fetchtest.NewServer(t)
	dead := closed.URL("/feed")
	closed.Close()

	tests := []struct{ url, wantMsg string }{
		{"ftp://example.org/feed", "unsupported scheme"},
		{"http:///feed", "no host"},
		{"http://exa mple.org/", "invalid character"},
		{dead, "connection refused"},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			_, err := New(Config{AllowPrivateNetworks: true}).Get(t.Context(), Request{URL: tc.url})
			if err == nil || !strings.HasPrefix(err.Error(), "fetch "+tc.url+": ") || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("got %v, want fetch %s: ...%s...", err, tc.url, tc.wantMsg)
			}
		})
	}
}
