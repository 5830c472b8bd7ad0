package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kernelwire/kernelwire/internal/config"
	"github.com/kernelwire/kernelwire/internal/fetch"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/parse"
	"github.com/kernelwire/kernelwire/internal/tag"
)

// jsonItem is what `kernelwire tag -` reads on stdin.
type jsonItem struct {
	Title      string   `json:"title"`
	Summary    string   `json:"summary"`
	Content    string   `json:"content"`
	Source     string   `json:"source"`
	Link       string   `json:"link"`
	Author     string   `json:"author"`
	Categories []string `json:"categories"`
}

func cmdTag(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tag", flag.ContinueOnError)
	cfgPath := fs.String("config", "feeds.yaml", "config file")
	explain := fs.Bool("explain", false, "show the rule and words behind each topic, and near misses")
	index := fs.Int("index", 0, "which item of the feed (0 is the first)")
	source := fs.String("source", "", "tag as if polled from this source of the config (its name and default topics); default: the source whose URL is FILE_OR_URL, or the JSON's \"source\"")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), `Usage: kernelwire tag [--explain] [--config FILE] [--index N] [--source NAME] FILE_OR_URL

Tags one item with the topic rules of the config and prints its topics and
what the kernel extractors found. FILE_OR_URL is a feed file, an http(s) feed
URL (the Nth item is tagged), or - to read one item as JSON on stdin:
  {"title": "...", "summary": "...", "source": "...", "link": "...", "categories": ["..."]}
With --explain it also prints, per topic, the rule and words that fired and the
rules that nearly did.`)
		fs.PrintDefaults()
	}
	target, ok, code := parseWithTarget(fs, args, stderr)
	if !ok {
		return code
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	tagger, err := tag.Compile(cfg.TagSpec())
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", *cfgPath, err)
		return 1
	}
	it, err := readItem(ctx, target, *index, stdin)
	if err != nil {
		fmt.Fprintln(stderr, "kernelwire tag:", err)
		return 1
	}
	src, err := pickSource(cfg.Sources, *source, target, it.Source)
	if err != nil {
		fmt.Fprintln(stderr, "kernelwire tag:", err)
		return 1
	}
	if src.Name != "" {
		it.Source = src.Name
	}
	tagger.Tag(&it, it.Source, src.Topics)
	printTagged(stdout, it, src)
	if *explain {
		printExplanations(stdout, tagger.Explain(it, it.Source, src.Topics), it)
	}
	return 0
}

// parseWithTarget parses flags given before or after the one positional
// argument, then fills unset flags from the environment as every command
// does.
func parseWithTarget(fs *flag.FlagSet, args []string, stderr io.Writer) (string, bool, int) {
	fs.SetOutput(stderr)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return "", false, 0
			}
			return "", false, 2
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "%s: want one FILE_OR_URL (or - for JSON on stdin), got %d\n", fs.Name(), len(pos))
		fs.Usage()
		return "", false, 2
	}
	if ok, code := parseFlags(fs, nil, stderr); !ok {
		return "", false, code
	}
	return pos[0], true, 0
}

func readItem(ctx context.Context, target string, index int, stdin io.Reader) (item.Item, error) {
	if target == "-" {
		var j jsonItem
		dec := json.NewDecoder(stdin)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&j); err != nil {
			return item.Item{}, fmt.Errorf("read JSON item on stdin: %w", err)
		}
		return item.Item{Title: j.Title, Summary: j.Summary, Content: j.Content, Source: j.Source,
			Link: j.Link, Author: j.Author, Categories: j.Categories}, nil
	}
	var body []byte
	var contentType, feedURL string
	if strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://") {
		// The operator typed this URL on their own machine: nobody else
		// chose the target, so private networks are not refused here.
		resp, err := fetch.New(fetch.Config{UserAgent: userAgent(), AllowPrivateNetworks: true}).Get(ctx, fetch.Request{URL: target})
		if err != nil {
			return item.Item{}, err
		}
		body, contentType, feedURL = resp.Body, resp.ContentType, resp.FinalURL
	} else {
		b, err := os.ReadFile(target)
		if err != nil {
			return item.Item{}, fmt.Errorf("read feed: %w", err)
		}
		abs, err := filepath.Abs(target)
		if err != nil {
			return item.Item{}, fmt.Errorf("read feed: %w", err)
		}
		body, feedURL = b, "file://"+filepath.ToSlash(abs)
	}
	feed, err := parse.Parse(body, contentType, feedURL, time.Now())
	if err != nil {
		return item.Item{}, err
	}
	if index < 0 || index >= len(feed.Items) {
		return item.Item{}, fmt.Errorf("%s has %d items, no index %d", target, len(feed.Items), index)
	}
	return feed.Items[index], nil
}

// pickSource returns the configured source to tag as: the one named by
// --source, else the one polling target, else the JSON's source if it
// names one, else none (no name, no default topics).
func pickSource(sources []item.Source, name, target, fromJSON string) (item.Source, error) {
	if name != "" {
		for _, s := range sources {
			if s.Name == name {
				return s, nil
			}
		}
		return item.Source{}, fmt.Errorf("no source %q in the config", name)
	}
	for _, s := range sources {
		if s.URL == target || fromJSON != "" && s.Name == fromJSON {
			return s, nil
		}
	}
	return item.Source{Name: fromJSON}, nil
}

func printTagged(w io.Writer, it item.Item, src item.Source) {
	orNone := func(s []string) string {
		if len(s) == 0 {
			return "-"
		}
		return strings.Join(s, ", ")
	}
	fmt.Fprintf(w, "title:     %s\n", it.Title)
	if it.Link != "" {
		fmt.Fprintf(w, "link:      %s\n", it.Link)
	}
	if src.Name != "" {
		fmt.Fprintf(w, "source:    %s (default topics: %s)\n", src.Name, orNone(src.Topics))
	}
	fmt.Fprintf(w, "versions:  %s\n", orNone(it.Extracted.KernelVersions))
	fmt.Fprintf(w, "cves:      %s\n", orNone(it.Extracted.CVEs))
	if p := it.Extracted.Patch; p != nil {
		fmt.Fprintf(w, "patch:     %s", p.Kind)
		if p.Version > 0 {
			fmt.Fprintf(w, " v%d", p.Version)
		}
		if p.Total > 0 {
			fmt.Fprintf(w, " %d/%d", p.Index, p.Total)
		}
		if p.Subsystem != "" {
			fmt.Fprintf(w, ", subsystem %s", p.Subsystem)
		}
		fmt.Fprintln(w)
	} else {
		fmt.Fprintln(w, "patch:     -")
	}
	fmt.Fprintf(w, "topics:    %s\n", orNone(it.Topics))
}

func printExplanations(w io.Writer, exs []tag.Explanation, it item.Item) {
	var assigned, missed []tag.Explanation
	for _, ex := range exs {
		if ex.Rule != "" {
			assigned = append(assigned, ex)
		} else {
			missed = append(missed, ex)
		}
	}
	fmt.Fprintln(w)
	for _, ex := range assigned {
		fmt.Fprintf(w, "%s: rule %q", ex.Topic, ex.Rule)
		if len(ex.Words) > 0 {
			fmt.Fprintf(w, ", words: %s", strings.Join(ex.Words, ", "))
		}
		fmt.Fprintln(w)
		printPeopleAndMisses(w, ex, "earlier rule")
	}
	if len(missed) > 0 {
		fmt.Fprintln(w, "\nnear misses (topics not assigned):")
		for _, ex := range missed {
			fmt.Fprintf(w, "%s:\n", ex.Topic)
			printPeopleAndMisses(w, ex, "rule")
		}
	}
	if len(it.Topics) == 0 && len(missed) == 0 {
		fmt.Fprintln(w, "no topic and no near miss: no rule's words occur in the fields it reads")
	}
}

func printPeopleAndMisses(w io.Writer, ex tag.Explanation, what string) {
	if len(ex.People) > 0 {
		fmt.Fprintf(w, "  people named: %s\n", strings.Join(ex.People, "; "))
	}
	for _, nm := range ex.NearMisses {
		fmt.Fprintf(w, "  %s %q matched %s but: %s\n", what, nm.Rule, strings.Join(nm.Words, ", "), strings.Join(nm.Failed, "; "))
	}
}
