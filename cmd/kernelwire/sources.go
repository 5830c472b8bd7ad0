package main

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kernelwire/kernelwire/internal/web"
)

func cmdSources(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sources", flag.ContinueOnError)
	var c common
	c.register(fs)
	server := fs.String("server", "", "read from a running server's /api/sources (e.g. http://127.0.0.1:8080) instead of the store; needed with the embedded store while serve holds its file")
	asJSON := fs.Bool("json", false, "print JSON (as /api/sources) instead of a table")
	detail := fs.Bool("error-detail", false, "show each last error's text, not only its class (from the store; a --server shows what its --api-error-detail allows)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: kernelwire sources [flags]\n\nShows each source's poll state: last success, next poll, failures, last error.")
		fs.PrintDefaults()
	}
	if ok, code := parseFlags(fs, args, stderr); !ok {
		return code
	}
	var reports []web.SourceReport
	var err error
	if *server != "" {
		reports, err = sourcesFromServer(ctx, *server)
	} else {
		reports, err = sourcesFromStore(ctx, c, *detail, stderr)
	}
	if err != nil {
		fmt.Fprintln(stderr, "kernelwire sources:", err)
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(struct {
			Sources []web.SourceReport `json:"sources"`
		}{reports}); err != nil {
			fmt.Fprintln(stderr, "kernelwire sources:", err)
			return 1
		}
		return 0
	}
	printSources(stdout, reports, time.Now())
	return 0
}

func sourcesFromStore(ctx context.Context, c common, detail bool, stderr io.Writer) ([]web.SourceReport, error) {
	a, err := setup(ctx, c, stderr)
	if err != nil {
		return nil, err
	}
	defer a.store.Close()
	return web.SourceReports(ctx, a.store, a.cfg.Sources, detail)
}

func sourcesFromServer(ctx context.Context, base string) ([]web.SourceReport, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	u := strings.TrimRight(base, "/") + "/api/sources"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", u, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("get %s: status %s", u, resp.Status)
	}
	var body struct {
		Sources []web.SourceReport `json:"sources"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("get %s: decode: %w", u, err)
	}
	return body.Sources, nil
}

// printSources writes one line per source, times relative to now so a glance
// says what is late.
func printSources(w io.Writer, reports []web.SourceReport, now time.Time) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSTATUS\tLAST SUCCESS\tNEXT POLL\tFAILURES\tITEMS\tINTERVAL\tLAST ERROR")
	for _, r := range reports {
		status := "ok"
		switch {
		case !r.Polled:
			status = "new"
		case r.Disabled:
			status = "disabled"
		case r.ConsecutiveFailures > 0:
			status = "failing"
		}
		lastErr := cmp.Or(r.LastError, r.LastErrorClass)
		if r.Disabled && r.DisableReason != "" {
			lastErr = r.DisableReason
		}
		if len(lastErr) > 100 {
			lastErr = lastErr[:97] + "..."
		}
		iv := r.Interval
		if iv == "" {
			iv = "default"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\n", r.Name, status, ago(r.LastSuccess, now),
			ago(r.NextPoll, now), r.ConsecutiveFailures, r.ItemsSeen, iv, oneLine(lastErr))
	}
	_ = tw.Flush() // a failed write to stdout has nowhere to be reported
}

// ago says t relative to now: "5m ago", "in 12m", "-" when unset.
func ago(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := now.Sub(t)
	in := d < 0
	if in {
		d = -d
	}
	var s string
	switch {
	case d < time.Minute:
		s = fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		s = fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		s = fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	default:
		s = fmt.Sprintf("%dd", int(d.Hours()/24))
	}
	if in {
		return "in " + s
	}
	return s + " ago"
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
