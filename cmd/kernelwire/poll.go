package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/kernelwire/kernelwire/internal/poll"
	"github.com/kernelwire/kernelwire/internal/store/boltstore"
)

func cmdPoll(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("poll", flag.ContinueOnError)
	var c common
	c.register(fs)
	once := fs.Bool("once", false, "poll every source once and exit (required)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: kernelwire poll --once [flags]\n\nPolls every source once, prints a line per source and a summary.\nExits 0 even when sources failed (they are reported); 1 when the config or store is unusable\n(a damaged embedded store is named, with what to do about it); 3 when sources were skipped\nbecause another poller holds their leases (after a crash, until they expire).")
		fs.PrintDefaults()
	}
	if ok, code := parseFlags(fs, args, stderr); !ok {
		return code
	}
	if !*once {
		fmt.Fprintln(stderr, "kernelwire poll: only --once is supported; use 'kernelwire serve' to poll continuously")
		return 2
	}
	// The reporter is made before the logger so that log lines written
	// while the progress bar shows go above it, not through it.
	rep := newReporter(stdout)
	a, err := setup(ctx, c, rep.logWriter(stderr))
	if err != nil {
		fmt.Fprintln(stderr, "kernelwire poll:", err)
		return 1
	}
	defer a.store.Close()
	if err := a.store.Ping(ctx); err != nil {
		fmt.Fprintln(stderr, "kernelwire poll: store unreachable:", err)
		return 1
	}

	rep.total = len(a.cfg.Sources)
	start := time.Now()
	results := a.poller(nil).PollAll(ctx, rep.result)
	rep.done()

	var sum poll.Result
	failed, skipped, leased := 0, 0, 0
	var leaseLeft time.Duration
	var damage error
	for _, r := range results {
		sum.New += r.New
		sum.Updated += r.Updated
		sum.Duplicate += r.Duplicate
		sum.TooOld += r.TooOld
		sum.Undated += r.Undated
		sum.Refused += r.Refused
		sum.OverCap += r.OverCap
		if r.Err != nil {
			failed++
		}
		if r.Skipped != "" {
			skipped++
		}
		if r.LeaseLeft > 0 {
			leased++
			leaseLeft = max(leaseLeft, r.LeaseLeft)
		}
		if damage == nil && errors.Is(r.Err, boltstore.ErrDamaged) {
			damage = r.Err
		}
	}
	skips := ""
	if skipped > 0 {
		skips = fmt.Sprintf(", %d skipped", skipped)
	}
	fmt.Fprintf(stdout, "%d sources, %d failed%s: %d new, %d updated, %d duplicate", len(results), failed, skips, sum.New, sum.Updated, sum.Duplicate)
	if notes := notTaken(sum); notes != "" {
		fmt.Fprintf(stdout, " (%s)", notes)
	}
	fmt.Fprintf(stdout, " in %s\n", time.Since(start).Round(time.Millisecond))
	if damage != nil {
		// The store, not the sources, is the problem: say it once.
		fmt.Fprintln(stderr, "kernelwire poll:", damage)
		return 1
	}
	if sum.New == 0 && sum.TooOld > 0 {
		fmt.Fprintf(stdout, "No item was new: %d were older than max_age (%s), which %s sets; raise it to take older items.\n",
			sum.TooOld, formatDays(a.cfg.Defaults.MaxAge), c.config)
	}
	if ctx.Err() != nil {
		return 1
	}
	if leased > 0 {
		// Another poller holds these sources, or held them when it died
		// (its leases expire by themselves): this run did not poll them.
		fmt.Fprintf(stderr, "kernelwire poll: %d of %d sources not polled: another poller holds their leases "+
			"(the last expires in %s); run again after that\n", leased, len(results), leaseLeft.Round(time.Second))
		return 3
	}
	return 0
}

// reporter prints one line per source as it finishes and, on a terminal, a
// progress bar below them. Log lines (logWriter) are written above the bar:
// the bar is cleared, the line written, the bar drawn again. Results arrive
// from the poller's workers and log lines from anywhere, so one lock orders
// them.
type reporter struct {
	mu    sync.Mutex
	out   io.Writer
	tty   bool
	total int
	seen  int
	drawn bool // the bar is on the screen
}

func newReporter(out io.Writer) *reporter {
	f, ok := out.(*os.File)
	return &reporter{out: out, tty: ok && term.IsTerminal(int(f.Fd()))}
}

func (r *reporter) result(res poll.Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen++
	r.clear()
	fmt.Fprintln(r.out, formatResult(res))
	r.draw()
}

func (r *reporter) done() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.clear()
	r.tty = false // nothing is drawn from now on
}

// clear erases the bar from its line, leaving the cursor at its start.
func (r *reporter) clear() {
	if r.drawn {
		fmt.Fprint(r.out, "\r\033[K")
		r.drawn = false
	}
}

func (r *reporter) draw() {
	if !r.tty || r.total == 0 {
		return
	}
	const width = 30
	n := width * min(r.seen, r.total) / r.total
	fmt.Fprintf(r.out, "[%s%s] %d/%d", strings.Repeat("#", n), strings.Repeat(" ", width-n), r.seen, r.total)
	r.drawn = true
}

// logWriter wraps the log's writer so that each line lands above the bar.
func (r *reporter) logWriter(w io.Writer) io.Writer {
	return writerFunc(func(p []byte) (int, error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		redraw := r.drawn
		r.clear()
		n, err := w.Write(p)
		if redraw {
			r.draw()
		}
		return n, err
	})
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// notTaken says what of a poll's items was left out or re-dated, and why:
// "12 too old (max_age), 3 undated (placed behind the dated)".
func notTaken(r poll.Result) string {
	var parts []string
	if r.TooOld > 0 {
		parts = append(parts, fmt.Sprintf("%d too old (max_age)", r.TooOld))
	}
	if r.Undated > 0 {
		parts = append(parts, fmt.Sprintf("%d undated (placed behind the dated)", r.Undated))
	}
	if r.Refused > 0 {
		parts = append(parts, fmt.Sprintf("%d refused", r.Refused))
	}
	if r.OverCap > 0 {
		parts = append(parts, fmt.Sprintf("%d over-cap (max_items_per_poll)", r.OverCap))
	}
	return strings.Join(parts, ", ")
}

func formatResult(r poll.Result) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 1, ' ', 0)
	status := "-"
	if r.Status != 0 {
		status = fmt.Sprint(r.Status)
	}
	fmt.Fprintf(tw, "%-20s\t%-12s\t%s\tnew %d\tupdated %d\tduplicate %d", r.Source, r.Outcome(), status, r.New, r.Updated, r.Duplicate)
	if notes := notTaken(r); notes != "" {
		fmt.Fprintf(tw, "\t(%s)", notes)
	}
	switch {
	case r.Err != nil:
		fmt.Fprintf(tw, "\terror: %v", r.Err)
	case r.Skipped != "":
		fmt.Fprintf(tw, "\tskipped: %s", r.Skipped)
	}
	tw.Flush()
	return b.String()
}

// formatDays writes whole days as feeds.yaml does ("30d"), else Go's form.
func formatDays(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}
