package web

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/store/boltstore"
)

// newHotServers are two servers over one store of n items: slow reads
// the store's version on every request (so every request takes the
// general path), hot once an hour (so repeated requests take the hot
// path of a cached copy). Both advertise a WebSub hub.
func newHotServers(t *testing.T, n int) (slow, hot *Server, st store.Store) {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "kw.db"), store.Options{SeenTTL: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	saveItems(t, st, 0, n)
	cfg := Config{
		Store: st, Topics: testTopics, Version: "test", HubURL: "https://hub.example/",
		Sources: []item.Source{{Name: "lwn", URL: "https://lwn.net/headlines/rss"}},
	}
	cfg.VersionTTL = time.Nanosecond
	slow = New(cfg)
	cfg.VersionTTL = time.Hour
	hot = New(cfg)
	return slow, hot, st
}

// TestFeedHotPathSameAnswer: a cached feed served by the hot path (no
// query string, version fresh) gets the answer the general path gives,
// header for header, for every kind of request a reader sends.
func TestFeedHotPathSameAnswer(t *testing.T) {
	slow, hot, _ := newHotServers(t, 12)
	etag := do(t, slow, "/feeds/all.atom").Header().Get("ETag")
	lastMod := do(t, slow, "/feeds/all.atom").Header().Get("Last-Modified")
	tests := []struct {
		name, target string
		method       string
		header       []string
	}{
		{"identity", "/feeds/all.atom", http.MethodGet, nil},
		{"gzip", "/feeds/all.atom", http.MethodGet, []string{"Accept-Encoding", "gzip, br"}},
		{"head", "/feeds/all.rss", http.MethodHead, nil},
		{"head gzip", "/feeds/all.rss", http.MethodHead, []string{"Accept-Encoding", "gzip"}},
		{"if-none-match", "/feeds/all.atom", http.MethodGet, []string{"If-None-Match", etag}},
		{"if-none-match gzip", "/feeds/all.atom", http.MethodGet, []string{"If-None-Match", strings.TrimSuffix(etag, `"`) + `-gzip"`, "Accept-Encoding", "gzip"}},
		{"if-modified-since", "/feeds/all.atom", http.MethodGet, []string{"If-Modified-Since", lastMod}},
		{"topic", "/feeds/releases.json", http.MethodGet, nil},
		{"spelt otherwise", "/feeds/all.xml", http.MethodGet, nil},
		{"other host", "/feeds/all.atom", http.MethodGet, []string{"Host", "other.example"}},
		{"https proxy", "/feeds/all.atom", http.MethodGet, []string{"X-Forwarded-Proto", "https"}},
		{"unknown feed", "/feeds/nope.atom", http.MethodGet, nil},
	}
	serve := func(s *Server, method, target string, header []string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, "http://kw.example"+target, nil)
		for i := 0; i+1 < len(header); i += 2 {
			if header[i] == "Host" {
				req.Host = header[i+1]
				continue
			}
			req.Header.Set(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		return rec
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := serve(slow, tc.method, tc.target, tc.header)
			serve(hot, tc.method, tc.target, tc.header) // cached now, if it can be
			got := serve(hot, tc.method, tc.target, tc.header)
			if got.Code != want.Code {
				t.Fatalf("status %d, want %d", got.Code, want.Code)
			}
			for _, h := range []string{"Content-Type", "Content-Encoding", "Content-Length", "Etag", "Last-Modified", "Vary", "Cache-Control", "Link"} {
				if g, w := got.Header().Values(h), want.Header().Values(h); !slices.Equal(g, w) {
					t.Errorf("%s: %q, want %q", h, g, w)
				}
			}
			if !bytes.Equal(got.Body.Bytes(), want.Body.Bytes()) {
				t.Errorf("body of %d bytes differs from the general path's %d", got.Body.Len(), want.Body.Len())
			}
		})
	}
}

// TestFeedCompressedOncePerVersion: however many readers ask, and in
// whichever coding, a feed is rendered and gzip-compressed once per store
// version, and the gzip bytes are those of the current version.
func TestFeedCompressedOncePerVersion(t *testing.T) {
	for _, ttl := range []time.Duration{time.Nanosecond, time.Hour} {
		t.Run(fmt.Sprint("version ttl ", ttl), func(t *testing.T) {
			slow, hot, st := newHotServers(t, 5)
			s := slow
			if ttl == time.Hour {
				s = hot
			}
			etag := do(t, s, "/feeds/all.atom").Header().Get("ETag")
			for range 20 {
				do(t, s, "/feeds/all.atom", "Accept-Encoding", "gzip")
				do(t, s, "/feeds/all.atom")
				do(t, s, "/feeds/all.atom", "If-None-Match", etag, "Accept-Encoding", "gzip")
			}
			if got := s.cache.Renders(); got != 1 {
				t.Errorf("60 requests of one version: %d renders and compressions, want 1", got)
			}
			if ttl == time.Hour {
				return // this server does not see the new version within the test
			}
			saveItems(t, st, 5, 6)
			for range 10 {
				rec := do(t, s, "/feeds/all.atom", "Accept-Encoding", "gzip")
				zr, err := gzip.NewReader(rec.Body)
				if err != nil {
					t.Fatal(err)
				}
				if body, _ := io.ReadAll(zr); !strings.Contains(string(body), "Article 5") {
					t.Fatal("gzip feed after a new item lacks it")
				}
			}
			if got := s.cache.Renders(); got != 2 {
				t.Errorf("after a store change: %d renders and compressions, want 2", got)
			}
		})
	}
}

// reusedWriter is a ResponseWriter that keeps one header map across
// requests, as net/http's does for a connection's requests.
type reusedWriter struct{ h http.Header }

func (d *reusedWriter) Header() http.Header         { return d.h }
func (d *reusedWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *reusedWriter) WriteHeader(int)             {}

// TestCachedFeedAllocations: serving a cached feed allocates neither its
// body nor its gzip copy nor a cache key; what is left is the status
// recorder of the metrics and the mux's path match.
func TestCachedFeedAllocations(t *testing.T) {
	_, hot, _ := newHotServers(t, 5)
	hot.cfg.HubURL = "" // the Link headers are strings made per request
	for _, ae := range []string{"", "gzip"} {
		req := httptest.NewRequest(http.MethodGet, "http://kw.example/feeds/all.atom", nil)
		if ae != "" {
			req.Header.Set("Accept-Encoding", ae)
		}
		w := &reusedWriter{h: http.Header{}}
		hot.ServeHTTP(w, req) // renders
		hot.ServeHTTP(w, req) // the header map's buckets
		allocs := testing.AllocsPerRun(200, func() {
			clear(w.h)
			hot.ServeHTTP(w, req)
		})
		t.Logf("Accept-Encoding %q: %.1f allocations per request", ae, allocs)
		if allocs > 2 {
			t.Errorf("Accept-Encoding %q: %.1f allocations per request, want at most 2", ae, allocs)
		}
		if got := hot.cache.Renders(); got != 1 {
			t.Errorf("Accept-Encoding %q: %d renders, want 1", ae, got)
		}
		if w.h.Get("Etag") == "" {
			t.Errorf("Accept-Encoding %q: served no ETag: %v", ae, w.h)
		}
	}
}

// TestListenerConnCloseWrite: a connection of Listener half-closes like
// the TCP connection it wraps, which net/http does before closing one
// whose client may still be sending.
func TestListenerConnCloseWrite(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln = Listener(ln)
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	cw, ok := server.(interface{ CloseWrite() error })
	if !ok {
		t.Fatalf("%T has no CloseWrite", server)
	}
	server.Write([]byte("bye"))
	if err := cw.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(client) // ends at the half-close
	if err != nil || string(got) != "bye" {
		t.Fatalf("client read %q, %v; want bye then EOF", got, err)
	}
	// The other direction is still open.
	client.Write([]byte("ok"))
	buf := make([]byte, 2)
	if _, err := io.ReadFull(server, buf); err != nil || string(buf) != "ok" {
		t.Fatalf("server read %q, %v after its half-close", buf, err)
	}
}

// TestListenerServesOneConnection: through Listener, a keep-alive
// connection carries feeds, their gzip copies, HEAD, 304, errors and the
// page in a row, each answer framed and equal to what the handler gives
// without Listener.
func TestListenerServesOneConnection(t *testing.T) {
	slow, _, _ := newHotServers(t, 30)
	ts := httptest.NewUnstartedServer(slow)
	ts.Listener = Listener(ts.Listener)
	ts.Config.ConnContext = ConnContext
	ts.Start()
	defer ts.Close()
	etag := do(t, slow, "/feeds/all.atom").Header().Get("ETag")
	requests := []struct {
		method, target string
		header         []string
	}{
		{http.MethodGet, "/feeds/all.atom", []string{"Accept-Encoding", "gzip"}},
		{http.MethodGet, "/feeds/all.atom", nil},
		{http.MethodHead, "/feeds/all.atom", nil},
		{http.MethodGet, "/feeds/all.atom", []string{"If-None-Match", etag}},
		{http.MethodGet, "/feeds/nope.atom", nil},
		{http.MethodGet, "/feeds/releases.rss", []string{"Accept-Encoding", "gzip"}},
		{http.MethodGet, "/", nil},
		{http.MethodGet, "/", []string{"Accept-Encoding", "gzip"}},
		{http.MethodGet, "/favicon.svg", nil},
		{http.MethodGet, "/feeds/all.json", nil},
	}
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	for round := range 2 {
		for _, rq := range requests {
			req := httptest.NewRequest(rq.method, "http://"+ts.Listener.Addr().String()+rq.target, nil)
			for i := 0; i+1 < len(rq.header); i += 2 {
				req.Header.Set(rq.header[i], rq.header[i+1])
			}
			want := httptest.NewRecorder()
			slow.ServeHTTP(want, req.Clone(t.Context()))
			req.RequestURI = ""
			if err := req.Write(conn); err != nil {
				t.Fatal(err)
			}
			resp, err := http.ReadResponse(br, req)
			if err != nil {
				t.Fatalf("round %d, %s %s %v: %v", round, rq.method, rq.target, rq.header, err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("round %d, %s %s %v", round, rq.method, rq.target, rq.header)
			if resp.StatusCode != want.Code || !bytes.Equal(body, want.Body.Bytes()) {
				t.Errorf("%s: %d with %d bytes, want %d with %d", name, resp.StatusCode, len(body), want.Code, want.Body.Len())
			}
			if g, w := resp.Header.Get("Content-Length"), want.Header().Get("Content-Length"); w != "" && g != w && rq.method != http.MethodHead {
				t.Errorf("%s: Content-Length %q, want %q", name, g, w)
			}
			if resp.Close {
				t.Fatalf("%s: the server closed the connection", name)
			}
		}
	}
}

// recordingConn is a connection that records its writes, failing them
// once fail is set.
type recordingConn struct {
	net.Conn
	writes [][]byte
	fail   error
}

func (c *recordingConn) Write(p []byte) (int, error) {
	if c.fail != nil {
		return 0, c.fail
	}
	c.writes = append(c.writes, bytes.Clone(p))
	return len(p), nil
}

// TestCoalescingConn: while held, a write waits for the next one and
// both leave together, in order; release sends what is still held; a
// write too large to be worth holding, and any write not held, goes at
// once; a failure to send held bytes is returned by the next write.
func TestCoalescingConn(t *testing.T) {
	rec := &recordingConn{}
	c := &coalescingConn{Conn: rec}
	sent := func() string {
		var b strings.Builder
		for _, w := range rec.writes {
			b.Write(w)
			b.WriteByte('|')
		}
		return b.String()
	}
	buf := []byte("head")
	c.hold()
	if n, err := c.Write(buf); n != 4 || err != nil {
		t.Fatalf("held write: %d, %v", n, err)
	}
	copy(buf, "XXXX") // net/http reuses its buffer once Write returns
	if got := sent(); got != "" {
		t.Fatalf("sent %q while holding one write", got)
	}
	if n, err := c.Write([]byte("body")); n != 4 || err != nil {
		t.Fatalf("second write: %d, %v", n, err)
	}
	// net.Buffers writes to a connection that is not the runtime's one
	// buffer at a time: what matters here is the order.
	if got := sent(); got != "head|body|" {
		t.Fatalf("sent %q, want head then body", got)
	}
	c.Write([]byte("tail"))
	c.release()
	if got := sent(); got != "head|body|tail|" {
		t.Fatalf("after release: sent %q", got)
	}
	c.Write([]byte("free"))
	if got := sent(); got != "head|body|tail|free|" {
		t.Fatalf("a write not held: sent %q", got)
	}
	rec.writes = nil
	c.hold()
	big := bytes.Repeat([]byte("b"), maxHeld+1)
	c.Write(big)
	if len(rec.writes) != 1 {
		t.Fatalf("a first write of %d bytes was held", len(big))
	}
	c.release()

	rec.writes = nil
	c.hold()
	c.Write([]byte("head"))
	rec.fail = net.ErrClosed
	c.release()
	rec.fail = nil
	if _, err := c.Write([]byte("next")); err != net.ErrClosed {
		t.Fatalf("write after a failed release: %v, want %v", err, net.ErrClosed)
	}
	if len(rec.writes) != 0 {
		t.Fatalf("wrote %q after a failure", sent())
	}
	// ReadFrom (net/http's sendfile path) sends what is held first.
	rec.writes = nil
	c2 := &coalescingConn{Conn: rec}
	c2.hold()
	c2.Write([]byte("head"))
	if _, err := c2.ReadFrom(strings.NewReader("file")); err != nil {
		t.Fatal(err)
	}
	c2.release()
	if got := sent(); got != "head|file|" {
		t.Fatalf("ReadFrom after a held write: sent %q", got)
	}
	// A nil connection (a request from another listener) holds nothing.
	var none *coalescingConn
	none.hold()
	none.release()
}
