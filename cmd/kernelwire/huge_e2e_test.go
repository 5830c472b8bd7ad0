package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// loreArchive is a lore-style Atom archive of n mails a minute apart,
// newest first, with formulaic titles ("[PATCH v3 07/12] amd: fix ring 6
// fence") that differ only in their numbers: the shape that made ingest
// quadratic. 50,000 mails are about 9.4 MB.
func loreArchive(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n" +
		`<feed xmlns="http://www.w3.org/2005/Atom"><title>dri-devel</title><id>https://lore.kernel.org/dri-devel/</id>` +
		`<updated>2026-11-01T00:00:00Z</updated>` + "\n")
	newest := time.Now().UTC().Truncate(time.Minute)
	for i := range n {
		fmt.Fprintf(&b, "<entry><title>[PATCH v%d %02d/12] amd: fix ring %d fence</title><updated>%s</updated>"+
			"<link href=\"https://lore.kernel.org/dri-devel/2026%07d.%d-amd@x/\"/><id>urn:lore:%d</id></entry>\n",
			i%5+1, i%12+1, i, newest.Add(-time.Duration(i)*time.Minute).Format(time.RFC3339), i, i%1000, i)
	}
	b.WriteString("</feed>\n")
	return b.Bytes()
}

// hostServer serves h on 127.0.0.<n>: a host of its own for kernelwire's
// per-host gate, which keys on the host name, not the port. It stops when
// the test ends.
func hostServer(t testing.TB, n int, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", n))
	if err != nil {
		t.Fatalf("listen on 127.0.0.%d (Linux routes 127/8 to lo): %v", n, err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	return srv.URL
}

// served is a feed body with Content-Length, served to every request, the
// upstream's record of when each request started and ended, and, when
// hold is set, a pause halfway through the body until hold is closed (or
// a bound passes, so a broken scheduler fails a test instead of hanging
// it).
type served struct {
	body []byte
	hold chan struct{}

	mu    sync.Mutex
	spans [][2]time.Time
}

func (s *served) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	w.Header().Set("Content-Type", "application/atom+xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(s.body)))
	half := len(s.body) / 2
	_, _ = w.Write(s.body[:half])
	if s.hold != nil {
		w.(http.Flusher).Flush()
		select {
		case <-s.hold:
		case <-time.After(20 * time.Second): // under fetch's 30 s timeout
		case <-r.Context().Done():
		}
	}
	_, _ = w.Write(s.body[half:])
	s.mu.Lock()
	s.spans = append(s.spans, [2]time.Time{start, time.Now()})
	s.mu.Unlock()
}

func (s *served) requests() [][2]time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][2]time.Time(nil), s.spans...)
}

// upstreams is a huge lore archive and ordinary feeds, on one host
// (127.0.0.1) or each on a host of its own (127.0.0.2 for the archive,
// 127.0.0.10... for the others), with the config that polls them: the
// archive first, so it is the first dispatched. held holds the archive's
// answer halfway (see served) until u.huge.hold is closed; tune edits
// the config's shipped part (min_host_gap is 0s there).
type upstreams struct {
	cfg    string
	huge   *served // nil without the archive
	normal []*served
	names  []string // the ordinary sources' names
}

func newUpstreams(t testing.TB, hugeItems, normals int, separate, held bool, tune func(string) string) *upstreams {
	t.Helper()
	u := &upstreams{}
	var b strings.Builder
	cfg := shippedWithoutSources(t)
	if tune != nil {
		cfg = tune(cfg)
	}
	b.WriteString(cfg)
	b.WriteString("\nsources:\n")
	var shared *http.ServeMux
	var sharedURL string
	if !separate {
		shared = http.NewServeMux()
		sharedURL = hostServer(t, 1, shared)
	}
	add := func(name string, s *served, n int) {
		url := sharedURL + "/" + name
		if separate {
			url = hostServer(t, n, s) + "/" + name
		} else {
			shared.Handle("/"+name, s)
		}
		fmt.Fprintf(&b, "  - {name: %s, url: %q}\n", name, url)
	}
	if hugeItems > 0 {
		u.huge = &served{body: loreArchive(hugeItems)}
		if held {
			u.huge.hold = make(chan struct{})
		}
		add("huge", u.huge, 2)
	}
	now := time.Now().UTC().Truncate(time.Minute)
	for i := range normals {
		name := fmt.Sprintf("normal%d", i)
		s := &served{body: floodFeed(name, fmt.Sprintf("Regular column %c", 'A'+i), 20, now.Add(-time.Duration(i)*time.Hour))}
		u.normal = append(u.normal, s)
		u.names = append(u.names, name)
		add(name, s, 10+i)
	}
	u.cfg = filepath.Join(t.TempDir(), "feeds.yaml")
	if err := os.WriteFile(u.cfg, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return u
}

// line is one line kernelwire printed and when it arrived, from the
// process's start.
type line struct {
	text string
	at   time.Duration
}

// ran is a finished kernelwire process as an operator sees it.
type ran struct {
	code   int
	lines  []line
	stderr string
	wall   time.Duration
	cpu    time.Duration // user and system
	rss    int64         // peak resident set, bytes (what /usr/bin/time -v says)
}

// runStream runs kernelwire with args as a process of its own and hands
// each line of its stdout to onLine as it arrives (poll --once prints a
// source's line when its poll ends).
func runStream(t testing.TB, onLine func(string), args ...string) ran {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), envRunMain+"=1")
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var r ran
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		r.lines = append(r.lines, line{sc.Text(), time.Since(start)})
		if onLine != nil {
			onLine(sc.Text())
		}
	}
	err = cmd.Wait()
	r.wall = time.Since(start)
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("run kernelwire %v: %v", args, err)
	}
	st := cmd.ProcessState
	r.code, r.stderr, r.cpu = st.ExitCode(), errOut.String(), st.UserTime()+st.SystemTime()
	if ru, ok := st.SysUsage().(*syscall.Rusage); ok {
		r.rss = ru.Maxrss << 10 // kilobytes on Linux
	}
	return r
}

// sourceOf is the source a poll --once line is about ("" for the summary).
func sourceOf(l string) string {
	if f := strings.Fields(l); len(f) > 2 && (f[1] == "ok" || strings.Contains(l, " new ")) {
		return f[0]
	}
	return ""
}

func (r ran) out() string {
	var b strings.Builder
	for _, l := range r.lines {
		b.WriteString(l.text + "\n")
	}
	return b.String()
}

// A 50,000-mail archive among ten ordinary feeds, polled by the binary:
// the ordinary sources are polled while the archive is still in flight
// (on hosts of their own: it is held halfway through its body until all
// ten have been reported), never alongside it on a shared host (one
// request at a time there), and the archive is cut to its newest
// max_items_per_poll (300), the rest counted on its line, in the summary
// and in the log, and the store keeps those 300 and no more. It asserts no
// timing; `make bench-huge` prints the figures.
func TestHugeFeedEndToEnd(t *testing.T) {
	for _, separate := range []bool{true, false} {
		name := "one-host"
		if separate {
			name = "separate-hosts"
		}
		t.Run(name, func(t *testing.T) {
			eachBackend(t, func(t *testing.T, backend string) {
				// Held on a host of its own; on the shared host a held
				// answer would rightly hold the others back.
				u := newUpstreams(t, 50000, 10, separate, separate, nil)
				flags := append([]string{"--config", u.cfg, "--log-level", "warn"}, storeFlags(t, backend)...)
				normal := map[string]bool{}
				for _, n := range u.names {
					normal[n] = true
				}
				okBefore := 0
				r := runStream(t, func(l string) {
					if src := sourceOf(l); normal[src] && strings.Contains(l, " ok ") {
						if okBefore++; okBefore == len(u.names) && separate {
							close(u.huge.hold)
						}
					}
				}, append([]string{"poll", "--once"}, flags...)...)
				out := r.out()
				if r.code != 0 {
					t.Fatalf("poll --once: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, out, r.stderr)
				}
				var hugeLine string
				normalAfter := 0
				for _, l := range r.lines {
					switch src := sourceOf(l.text); {
					case src == "huge":
						hugeLine = l.text
					case normal[src] && hugeLine != "":
						normalAfter++
					}
				}
				if separate && normalAfter > 0 {
					t.Errorf("%d ordinary sources were reported after the archive: they waited for it\n%s", normalAfter, out)
				}
				if !strings.Contains(hugeLine, " ok ") || !strings.Contains(hugeLine, "new 300 ") ||
					!strings.Contains(hugeLine, "(49700 over-cap (max_items_per_poll))") {
					t.Errorf("archive's line %q, want ok, new 300 and 49700 over-cap", hugeLine)
				}
				if !strings.Contains(out, "11 sources, 0 failed: ") || !strings.Contains(out, "49700 over-cap (max_items_per_poll)") {
					t.Errorf("summary does not count the 49700 items over the cap:\n%s", out)
				}
				if !regexp.MustCompile(`level=WARN msg="polled, items over the per-poll cap left out" source=huge .*over_cap=49700`).MatchString(r.stderr) {
					t.Errorf("log does not warn of the archive's 49700 items over the cap:\n%s", r.stderr)
				}
				// The upstream's view: every source fetched once; on one
				// host one request at a time, the archive's first.
				hugeSpans := u.huge.requests()
				if len(hugeSpans) != 1 {
					t.Fatalf("archive fetched %d times, want 1", len(hugeSpans))
				}
				for i, s := range u.normal {
					spans := s.requests()
					if len(spans) != 1 {
						t.Errorf("%s fetched %d times, want 1", u.names[i], len(spans))
						continue
					}
					if !separate && spans[0][0].Before(hugeSpans[0][1]) {
						t.Errorf("%s was requested while the archive's answer was in transfer on the same host", u.names[i])
					}
				}
				if !separate {
					all := [][2]time.Time{}
					for _, s := range u.normal {
						all = append(all, s.requests()...)
					}
					for i, a := range all {
						for _, b := range all[i+1:] {
							if a[0].Before(b[1]) && b[0].Before(a[1]) {
								t.Errorf("two requests to one host overlapped: %v and %v", a, b)
							}
						}
					}
				}

				base, _ := serveBinary(t, append([]string{"--no-poll"}, flags...)...)
				var feed struct {
					Items []struct {
						Title string `json:"title"`
					} `json:"items"`
				}
				if err := json.Unmarshal([]byte(get(t, base+"/feeds/all.json?source=huge&limit=1000")), &feed); err != nil {
					t.Fatal(err)
				}
				if len(feed.Items) != 300 {
					t.Errorf("the store keeps %d of the archive's items, want its newest 300", len(feed.Items))
				} else if feed.Items[0].Title != "[PATCH v1 01/12] amd: fix ring 0 fence" {
					t.Errorf("newest kept %q, want the archive's newest mail", feed.Items[0].Title)
				}
			})
		})
	}
}
