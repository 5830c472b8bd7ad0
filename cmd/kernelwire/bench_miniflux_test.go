package main

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/fetch/fetchtest"
	"github.com/kernelwire/kernelwire/internal/poll/ingestbench"
)

// BenchmarkMiniflux is issue 12's comparison with Miniflux: the whole
// ingestbench workload (561 feeds, 11,952 real items) served on loopback,
// polled cold and then again when every upstream answers 304 Not Modified
// to the conditional request, by kernelwire (`poll --once`, a process of
// its own, embedded store) and by Miniflux with PostgreSQL, in the same
// iteration on the same served feeds.
//
// Kernelwire's figures are its process's wall and CPU time. Miniflux's
// are taken from its refresh request (`PUT /v1/feeds/refresh`) until
// every feed's checked_at is past the request and the entry count has
// stopped growing; its CPU is the miniflux process's plus that of the
// PostgreSQL backends serving its database over that interval. It starts
// on a fresh database (migrations, admin user, OPML import of the feeds:
// not timed), its scheduler off so that only the refresh polls.
//
// It reports kw_*_s and mf_*_s (wall), kw_*_cpu_s and mf_*_cpu_s (CPU,
// mf_*_pg_cpu_s the PostgreSQL part of it) and the ratios kw/miniflux of
// both: below 1, kernelwire took less. It skips unless MINIFLUX_BIN names
// a Miniflux binary and psql reaches PostgreSQL at MINIFLUX_PG:
//
//	GOBIN=/tmp/mfbin go install miniflux.app/v2@v2.3.5
//	MINIFLUX_BIN=/tmp/mfbin/miniflux.app make bench-miniflux
func BenchmarkMiniflux(b *testing.B) {
	mf := newMinifluxEnv(b)
	feeds := ingestbench.Feeds(b)
	up := fetchtest.NewServer(b)
	cfg := benchConfig(b, up, feeds)
	items := ingestbench.Count(feeds)
	var kwCold, kwCold304, mfCold, mfCold304 cycle
	var entries int
	for b.Loop() {
		data := []string{"--data", b.TempDir()}
		kwCold.add(kwCycle(b, cfg, data, items))
		before := requestCounts(up, feeds)
		kwCold304.add(kwCycle(b, cfg, data, 0))
		allConditional(b, up, feeds, before)

		run := mf.start(b, up, feeds)
		c, n := run.refresh(b, "cold")
		mfCold.add(c)
		entries = n
		run.expire(b)
		before = requestCounts(up, feeds)
		c, n = run.refresh(b, "all-304")
		mfCold304.add(c)
		if n != entries {
			b.Fatalf("miniflux: the all-304 cycle changed the entries from %d to %d", entries, n)
		}
		allConditional(b, up, feeds, before)
		run.stop(b)
	}
	n := float64(b.N)
	for _, r := range []struct {
		name   string
		kw, mf cycle
	}{{"cold", kwCold, mfCold}, {"304", kwCold304, mfCold304}} {
		b.ReportMetric(r.kw.wall.Seconds()/n, "kw_"+r.name+"_s")
		b.ReportMetric(r.kw.cpu.Seconds()/n, "kw_"+r.name+"_cpu_s")
		b.ReportMetric(r.mf.wall.Seconds()/n, "mf_"+r.name+"_s")
		b.ReportMetric(r.mf.cpu.Seconds()/n, "mf_"+r.name+"_cpu_s")
		b.ReportMetric(r.mf.pg.Seconds()/n, "mf_"+r.name+"_pg_cpu_s")
		b.ReportMetric(r.kw.wall.Seconds()/r.mf.wall.Seconds(), r.name+"_wall_kw/mf")
		b.ReportMetric(r.kw.cpu.Seconds()/r.mf.cpu.Seconds(), r.name+"_cpu_kw/mf")
	}
	b.ReportMetric(float64(entries), "mf_entries")
}

// cycle sums the time of polls: wall, CPU, and the PostgreSQL part of
// the CPU (Miniflux only).
type cycle struct{ wall, cpu, pg time.Duration }

func (c *cycle) add(o cycle) {
	c.wall += o.wall
	c.cpu += o.cpu
	c.pg += o.pg
}

// kwCycle is one `kernelwire poll --once` on the store of data.
func kwCycle(b *testing.B, cfg string, data []string, items int) cycle {
	wall, cpu, _ := pollStore(b, cfg, data, items)
	return cycle{wall: wall, cpu: cpu}
}

// requestCounts is how many requests each feed has had so far.
func requestCounts(up *fetchtest.Server, feeds []ingestbench.Feed) []int {
	counts := make([]int, len(feeds))
	for i, f := range feeds {
		counts[i] = up.Count("/" + f.Name)
	}
	return counts
}

// allConditional fails unless every feed was requested once more since
// before, conditionally: the fetchtest feed answers such a request with
// 304, its body being unchanged.
func allConditional(b *testing.B, up *fetchtest.Server, feeds []ingestbench.Feed, before []int) {
	b.Helper()
	for i, f := range feeds {
		path := "/" + f.Name
		if got := up.Count(path) - before[i]; got != 1 {
			b.Fatalf("%s: %d requests in the all-304 cycle, want 1", path, got)
		}
		h := up.LastRequest(path)
		if h.Get("If-None-Match") == "" && h.Get("If-Modified-Since") == "" {
			b.Fatalf("%s: the all-304 cycle's request was not conditional: %v", path, h)
		}
	}
}

// minifluxEnv is what the benchmark needs to run Miniflux: its binary,
// psql, and a PostgreSQL URL (of a database it may connect to, to create
// its own).
type minifluxEnv struct {
	bin, psql, pg string
}

func newMinifluxEnv(b *testing.B) minifluxEnv {
	env := minifluxEnv{bin: os.Getenv("MINIFLUX_BIN"), pg: os.Getenv("MINIFLUX_PG")}
	if env.bin == "" {
		b.Skip("MINIFLUX_BIN is not set: GOBIN=/tmp/mfbin go install miniflux.app/v2@v2.3.5, then MINIFLUX_BIN=/tmp/mfbin/miniflux.app")
	}
	if _, err := os.Stat(env.bin); err != nil {
		b.Skipf("MINIFLUX_BIN: %v", err)
	}
	if env.pg == "" {
		env.pg = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	psql, err := exec.LookPath("psql")
	if err != nil {
		b.Skip("psql is not installed: the Miniflux comparison needs PostgreSQL")
	}
	env.psql = psql
	if out, err := exec.Command(psql, "-X", "-At", "-c", "select 1", env.pg).CombinedOutput(); err != nil {
		b.Skipf("PostgreSQL at MINIFLUX_PG=%s: %v: %s", env.pg, err, out)
	}
	return env
}

// dbURL is the PostgreSQL URL with db as its database.
func (e minifluxEnv) dbURL(b *testing.B, db string) string {
	head, query, _ := strings.Cut(e.pg, "?")
	i := strings.LastIndexByte(head, '/')
	if i < len("postgres://") {
		b.Fatalf("MINIFLUX_PG=%s: no database in the URL", e.pg)
	}
	u := head[:i+1] + db
	if query != "" {
		u += "?" + query
	}
	return u
}

func (e minifluxEnv) exec(b *testing.B, url, sql string) string {
	out, err := exec.Command(e.psql, "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql, url).CombinedOutput()
	if err != nil {
		b.Fatalf("psql %q: %v: %s", sql, err, out)
	}
	return strings.TrimSpace(string(out))
}

// minifluxRun is one Miniflux process on a database of its own.
type minifluxRun struct {
	env    minifluxEnv
	url    string // of its database
	base   string // of its HTTP server
	cmd    *exec.Cmd
	exited chan struct{} // closed when cmd has exited
	logs   *syncBuffer
	feeds  int
	poller *sqlSession
}

// minifluxUser and minifluxPassword are the admin the run creates.
const minifluxUser, minifluxPassword = "kwbench", "kwbench-password"

// start creates a fresh database, starts Miniflux on it and imports the
// feeds as OPML. Its settings are Miniflux's defaults (16 workers among
// them) but for these: fetching loopback is allowed (the upstream is
// there), the scheduler is off (the benchmark asks for each refresh), the
// connection pool keeps its 20 connections open (so that the backends
// whose CPU is counted live until the end of the cycle) and every other
// host is reached through a proxy that refuses, so the icon lookups of the
// feeds' real sites fail at once whatever the network.
func (e minifluxEnv) start(b *testing.B, up *fetchtest.Server, feeds []ingestbench.Feed) *minifluxRun {
	db := fmt.Sprintf("kw_miniflux_bench_%d_%d", os.Getpid(), time.Now().UnixNano())
	e.exec(b, e.pg, "CREATE DATABASE "+db)
	b.Cleanup(func() { e.exec(b, e.pg, "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)") })
	r := &minifluxRun{env: e, url: e.dbURL(b, db), feeds: len(feeds), logs: &syncBuffer{}, exited: make(chan struct{})}
	addr := freeAddr(b)
	r.base = "http://" + addr
	r.cmd = exec.Command(e.bin)
	r.cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + b.TempDir(),
		"DATABASE_URL=" + r.url,
		"RUN_MIGRATIONS=1",
		"CREATE_ADMIN=1",
		"ADMIN_USERNAME=" + minifluxUser,
		"ADMIN_PASSWORD=" + minifluxPassword,
		"LISTEN_ADDR=" + addr,
		"LOG_LEVEL=error",
		"DISABLE_SCHEDULER_SERVICE=1",
		"WORKER_POOL_SIZE=16",
		"BATCH_SIZE=" + strconv.Itoa(len(feeds)),
		"FETCHER_ALLOW_PRIVATE_NETWORKS=1",
		"DATABASE_MIN_CONNS=20",
		"DATABASE_MAX_CONNS=20",
		"DATABASE_CONNECTION_LIFETIME=600",
		"HTTP_PROXY=http://127.0.0.1:9",
		"HTTPS_PROXY=http://127.0.0.1:9",
	}
	r.cmd.Stdout, r.cmd.Stderr = r.logs, r.logs
	if err := r.cmd.Start(); err != nil {
		b.Fatal(err)
	}
	go func() { _ = r.cmd.Wait(); close(r.exited) }()
	b.Cleanup(func() { r.stop(b) })
	deadline := time.Now().Add(time.Minute)
	for {
		resp, err := http.Get(r.base + "/healthcheck")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) || r.hasExited() {
			b.Fatalf("miniflux did not come up: %v\n%s", err, r.logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	r.api(b, http.MethodPost, "/v1/import", opmlOf(up, feeds), http.StatusCreated)
	if got := e.exec(b, r.url, "select count(*) from feeds"); got != strconv.Itoa(len(feeds)) {
		b.Fatalf("miniflux imported %s feeds, want %d\n%s", got, len(feeds), r.logs.String())
	}
	r.poller = openSQL(b, e.psql, r.url)
	return r
}

// opmlOf lists the feeds as an OPML document.
func opmlOf(up *fetchtest.Server, feeds []ingestbench.Feed) []byte {
	var buf bytes.Buffer
	buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<opml version="2.0"><head><title>bench</title></head><body>` + "\n")
	for _, f := range feeds {
		buf.WriteString(`<outline type="rss" text="`)
		_ = xml.EscapeText(&buf, []byte(f.Name))
		buf.WriteString(`" xmlUrl="`)
		_ = xml.EscapeText(&buf, []byte(up.URL("/"+f.Name)))
		buf.WriteString(`"/>` + "\n")
	}
	buf.WriteString("</body></opml>\n")
	return buf.Bytes()
}

func (r *minifluxRun) api(b *testing.B, method, path string, body []byte, want int) {
	req, err := http.NewRequestWithContext(b.Context(), method, r.base+path, bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.SetBasicAuth(minifluxUser, minifluxPassword)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatalf("miniflux %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		b.Fatalf("miniflux %s %s: %s, want %d: %s", method, path, resp.Status, want, msg)
	}
}

// refresh asks Miniflux to refresh every feed due and waits until each
// has been checked since and the entry count has stopped growing. It
// returns the cycle's figures and the entry count. The PostgreSQL CPU
// counted is that of the client backends of Miniflux's database (not the
// server's shared processes: WAL writer, checkpointer, autovacuum).
func (r *minifluxRun) refresh(b *testing.B, name string) (cycle, int) {
	backends := map[int][2]time.Duration{} // pid: CPU before the cycle, CPU last seen
	sample := func(first bool) (checked, entries, failing int) {
		row := r.poller.query(b, "select (select count(*) from feeds where checked_at >= :'t0'), "+
			"(select count(*) from entries), (select count(*) from feeds where parsing_error_count > 0), "+
			"(select string_agg(pid::text, ' ') from pg_stat_activity where datname = current_database() and backend_type = 'client backend' and pid <> pg_backend_pid())")
		f := strings.SplitN(row, "|", 4)
		if len(f) != 4 {
			b.Fatalf("miniflux progress: %q", row)
		}
		checked, _ = strconv.Atoi(f[0])
		entries, _ = strconv.Atoi(f[1])
		failing, _ = strconv.Atoi(f[2])
		for _, p := range strings.Fields(f[3]) {
			pid, _ := strconv.Atoi(p)
			st, err := readStat(fmt.Sprintf("/proc/%d/stat", pid))
			if err != nil {
				continue // exited since the query; its last sample stands
			}
			seen, ok := backends[pid]
			if !ok && first {
				seen[0] = st.cpu
			}
			seen[1] = st.cpu
			backends[pid] = seen
		}
		return checked, entries, failing
	}
	r.poller.query(b, `select now() as t0 \gset`)
	sample(true)
	mfBefore := r.cpu(b)
	start := time.Now()
	r.api(b, http.MethodPut, "/v1/feeds/refresh", nil, http.StatusNoContent)
	// The cycle ends at the first sample where every feed has been
	// checked, provided the next one finds no more entries.
	var done *cycle
	var doneEntries int
	for {
		checked, entries, failing := sample(false)
		if failing > 0 {
			b.Fatalf("miniflux %s: %d feeds failed to parse\n%s", name, failing, r.logs.String())
		}
		if done != nil && entries == doneEntries {
			break
		}
		done = nil
		if checked == r.feeds {
			done = &cycle{wall: time.Since(start), cpu: r.cpu(b) - mfBefore}
			doneEntries = entries
			for _, seen := range backends {
				done.pg += seen[1] - seen[0]
			}
			done.cpu += done.pg
		}
		if r.hasExited() {
			b.Fatalf("miniflux exited\n%s", r.logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	alive := 0
	for pid := range backends {
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err == nil {
			alive++
		}
	}
	if alive < len(backends) {
		b.Logf("miniflux %s: %d of %d backends exited during the cycle: their CPU after their last sample is not counted", name, len(backends)-alive, len(backends))
	}
	return *done, doneEntries
}

// expire makes every feed due again, as `miniflux
// -reset-feed-next-check-at` does, on the poller's backend: one of a
// process of its own could still be exiting when the next cycle starts,
// and be counted.
func (r *minifluxRun) expire(b *testing.B) {
	r.poller.query(b, "UPDATE feeds SET next_check_at = now()")
}

// cpu is the miniflux process's CPU time so far.
func (r *minifluxRun) cpu(b *testing.B) time.Duration {
	st, err := readStat(fmt.Sprintf("/proc/%d/stat", r.cmd.Process.Pid))
	if err != nil {
		b.Fatal(err)
	}
	return st.cpu
}

func (r *minifluxRun) stop(b *testing.B) {
	if r.poller != nil {
		r.poller.close()
		r.poller = nil
	}
	if r.hasExited() {
		return
	}
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.exited:
	case <-time.After(30 * time.Second):
		_ = r.cmd.Process.Kill()
		<-r.exited
	}
}

func (r *minifluxRun) hasExited() bool {
	select {
	case <-r.exited:
		return true
	default:
		return false
	}
}

// sqlSession is one psql process kept open, so that following a cycle's
// progress costs one query each time, on one backend (left out of the
// backends counted), and no process start.
type sqlSession struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

func openSQL(b *testing.B, psql, url string) *sqlSession {
	cmd := exec.Command(psql, "-X", "-At", "-q", "-v", "ON_ERROR_STOP=1", url)
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	return &sqlSession{cmd: cmd, in: in, out: bufio.NewReader(out)}
}

// query runs one statement (a \gset prints nothing) and returns the first
// line it printed; a marker line ends its output.
func (s *sqlSession) query(b *testing.B, sql string) string {
	const end = "-- kw end --"
	if !strings.HasSuffix(sql, `\gset`) {
		sql += ";"
	}
	if _, err := fmt.Fprintf(s.in, "%s\n\\echo '%s'\n", sql, end); err != nil {
		b.Fatalf("psql: %v", err)
	}
	var first string
	for n := 0; ; n++ {
		line, err := s.out.ReadString('\n')
		if err != nil {
			b.Fatalf("psql %q: %v", sql, err)
		}
		line = strings.TrimRight(line, "\n")
		if line == end {
			return first
		}
		if n == 0 {
			first = line
		}
	}
}

func (s *sqlSession) close() {
	_ = s.in.Close()
	_ = s.cmd.Wait()
}
