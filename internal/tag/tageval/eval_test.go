package tageval

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/config"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/tag"
)

// labelled is one line of testdata/dev.jsonl or blind.jsonl: an item as a
// feed delivers it, and the topics a person assigned it from the topic
// definitions.
type labelled struct {
	Title      string    `json:"title"`
	Summary    string    `json:"summary"`
	Content    string    `json:"content"`
	Source     string    `json:"source"`
	Link       string    `json:"link"`
	Author     string    `json:"author"`
	Categories []string  `json:"categories"`
	Published  time.Time `json:"published,omitzero"`
	Labels     []string  `json:"labels"`
	Note       string    `json:"note"`
	Origin     string    `json:"origin"`
}

func (l labelled) item() item.Item {
	return item.Item{Title: l.Title, Summary: l.Summary, Content: l.Content, Source: l.Source, Link: l.Link,
		Author: l.Author, Categories: l.Categories, Published: l.Published}
}

func loadSet(t testing.TB, name string) []labelled {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []labelled
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<22)
	for n := 1; sc.Scan(); n++ {
		var l labelled
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("%s:%d: %v", name, n, err)
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func shipped(t testing.TB) (*config.Config, *tag.Tagger) {
	t.Helper()
	cfg, err := config.Load("../../../feeds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tg, err := tag.Compile(cfg.TagSpec())
	if err != nil {
		t.Fatalf("compile shipped rules: %v", err)
	}
	return cfg, tg
}

// The targets of issue 13: the five topics subscribers rely on most must be
// near-exact; the subject topics may be a little looser.
var strictTopics = []string{"rust-for-linux", "maintainers", "releases", "security", "patches"}

func targets(slug string) (precision, recall float64) {
	if slices.Contains(strictTopics, slug) {
		return 0.95, 0.90
	}
	return 0.90, 0.85
}

type counts struct{ tp, fp, fn int }

func (c counts) precision() float64 {
	if c.tp+c.fp == 0 {
		return 1
	}
	return float64(c.tp) / float64(c.tp+c.fp)
}

func (c counts) recall() float64 {
	if c.tp+c.fn == 0 {
		return 1
	}
	return float64(c.tp) / float64(c.tp+c.fn)
}

// score tags every item with content only (no source default topics: the
// rules must stand on their own) and counts per topic; errs lists every
// false positive and negative.
func score(tg *tag.Tagger, set []labelled) (map[string]*counts, []string) {
	cs := map[string]*counts{}
	for _, tp := range tg.Topics() {
		cs[tp.Slug] = &counts{}
	}
	var errs []string
	for _, l := range set {
		it := l.item()
		tg.Tag(&it, l.Source, nil)
		for _, tp := range tg.Topics() {
			c := cs[tp.Slug]
			want, got := slices.Contains(l.Labels, tp.Slug), it.HasTopic(tp.Slug)
			switch {
			case want && got:
				c.tp++
			case got:
				c.fp++
				m := it.Matched[tp.Slug]
				errs = append(errs, fmt.Sprintf("FP %-17s %q [%s] by %q %q", tp.Slug, l.Title, l.Source, m.Rule, m.Words))
			case want:
				c.fn++
				errs = append(errs, fmt.Sprintf("FN %-17s %q [%s]", tp.Slug, l.Title, l.Source))
			}
		}
	}
	slices.Sort(errs)
	return cs, errs
}

func table(tg *tag.Tagger, cs map[string]*counts) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-18s %6s %6s %5s %5s %5s   %s\n", "topic", "P", "R", "tp", "fp", "fn", "target P / R")
	for _, tp := range tg.Topics() {
		c := cs[tp.Slug]
		wp, wr := targets(tp.Slug)
		p, r := fmt.Sprintf("%6.3f", c.precision()), fmt.Sprintf("%6.3f", c.recall())
		if c.tp+c.fp == 0 {
			p = "   n/a" // nothing filed under it
		}
		if c.tp+c.fn == 0 {
			r = "   n/a" // no item of it in the set
		}
		fmt.Fprintf(&b, "%-18s %s %s %5d %5d %5d   %.2f / %.2f\n", tp.Slug, p, r, c.tp, c.fp, c.fn, wp, wr)
	}
	return b.String()
}

var showErrors = flag.Bool("errors", false, "log every false positive and negative")

// TestSets checks the labelled sets themselves: big enough, every label a
// shipped topic, no item twice, every topic with positives in both sets,
// and the blind set later in time than the development set for every
// source they share (the split is by time, so a rule tuned on the past is
// judged on the future).
func TestSets(t *testing.T) {
	_, tg := shipped(t)
	sets := map[string][]labelled{"dev.jsonl": loadSet(t, "dev.jsonl"), "blind.jsonl": loadSet(t, "blind.jsonl")}
	last := map[string]time.Time{} // source -> latest dev item
	for _, l := range sets["dev.jsonl"] {
		if l.Published.After(last[l.Source]) {
			last[l.Source] = l.Published
		}
	}
	for name, set := range sets {
		if len(set) < 500 {
			t.Errorf("%s: %d items, want at least 500", name, len(set))
		}
		seen := map[string]bool{}
		pos := map[string]int{}
		for _, l := range set {
			key := l.Title + "\x00" + l.Link
			if seen[key] {
				t.Errorf("%s: %q twice", name, l.Title)
			}
			seen[key] = true
			for _, s := range l.Labels {
				pos[s]++
			}
			if name == "blind.jsonl" && !l.Published.After(last[l.Source]) {
				t.Errorf("blind item %q (%s, %v) is not later than the development items of its source (up to %v)",
					l.Title, l.Source, l.Published, last[l.Source])
			}
		}
		for _, tp := range tg.Topics() {
			switch {
			case name == "dev.jsonl" && pos[tp.Slug] < 2:
				t.Errorf("%s: topic %q has %d positives, want 2 or more", name, tp.Slug, pos[tp.Slug])
			case pos[tp.Slug] == 0:
				// The blind period is what it is: some topics had no
				// news in it, and only their precision is measured.
				t.Logf("%s: topic %q has no positives", name, tp.Slug)
			}
			delete(pos, tp.Slug)
		}
		for s := range pos {
			t.Errorf("%s: label %q is not a shipped topic", name, s)
		}
	}
}

// TestDevSet scores the shipped rules on the development set, the items
// the rules are tuned on, and fails when a topic misses its target. Run
// with -v for the table and -errors for every mistake.
func TestDevSet(t *testing.T) {
	set := loadSet(t, "dev.jsonl")
	_, tg := shipped(t)
	cs, errs := score(tg, set)
	if *showErrors {
		for _, e := range errs {
			t.Log(e)
		}
	}
	t.Logf("development set, %d items:%s", len(set), table(tg, cs))
	for _, tp := range tg.Topics() {
		c := cs[tp.Slug]
		wp, wr := targets(tp.Slug)
		if c.precision() < wp || c.recall() < wr {
			t.Errorf("%s: precision %.3f recall %.3f, want >= %.2f / %.2f", tp.Slug, c.precision(), c.recall(), wp, wr)
		}
	}
}

// blindFloors are the lowest precision and recall per topic the blind set
// may fall to. The blind set is not tuned on, so its figures are what they
// came out as when it was scored (see the package's README); a rule change
// that loses more than a few points on it fails here.
//
// First scored (1109 items, the rules of the commit that added the set):
// P / R rust-for-linux 0.000 / n/a (no positives, one false positive),
// rust 0.984 / 0.947, maintainers 0.968 / 0.938, releases n/a (no release
// news in the period, none filed), security 0.955 / 0.792, drivers 0.952 /
// 0.741, filesystems 0.906 / 0.828, memory-management 0.870 / 0.769,
// networking 0.944 / 0.810, bpf 1.000 / 0.882, scheduler 1.000 / 1.000,
// architectures 0.988 / 0.932, patches 1.000 / 1.000.
//
// Scored again (1280 items: 171 later mails added, labelled before any
// rule ran on them) with issue 13's second pass of rules: rust-for-linux
// 0.000 / 0.000 (five positives, mails of a thread whose subject does not
// say Rust; one false positive), rust 0.984 / 0.947, maintainers 0.982 /
// 0.966, releases n/a, security 0.935 / 0.847, drivers 0.938 / 0.769,
// filesystems 0.932 / 0.849, memory-management 0.839 / 0.591, networking
// 0.965 / 0.873, bpf 1.000 / 0.923, scheduler 1.000 / 1.000 (three
// positives), architectures 0.985 / 0.957, patches 1.000 / 1.000. The
// floors are five points below these.
//
// Scored a third time with issue 13's third pass (kernelwire-tag/6, the
// rules blind3 was scored with): security 0.939 / 0.906, architectures
// 0.986 / 0.965, every other topic as in the second scoring.
//
// Scored a fourth time with issue 13's fourth pass (the rules blind4 was
// scored with): memory-management 0.857 / 0.682, every other topic as in
// the third scoring.
var blindFloors = map[string][2]float64{
	"rust":              {0.93, 0.89},
	"maintainers":       {0.93, 0.91},
	"security":          {0.88, 0.79},
	"drivers":           {0.88, 0.71},
	"filesystems":       {0.88, 0.79},
	"memory-management": {0.78, 0.54},
	"networking":        {0.91, 0.82},
	"bpf":               {0.95, 0.87},
	"scheduler":         {0.95, 0.95},
	"architectures":     {0.93, 0.90},
	"patches":           {0.95, 0.95},
}

// TestBlindSet scores the shipped rules on the blind set, later in time
// than anything the rules were tuned on. Run with -v for the table; it
// prints aggregate figures only, never an item (-errors applies to the
// development set alone), so no rule can be fitted to a blind miss.
func TestBlindSet(t *testing.T) {
	set := loadSet(t, "blind.jsonl")
	_, tg := shipped(t)
	// The mistakes are dropped unread, -errors or not: a blind item's
	// miss seen is a miss tuned on.
	cs, _ := score(tg, set)
	t.Logf("blind set, %d items:%s", len(set), table(tg, cs))
	checkFloors(t, "the blind set", tg, cs, blindFloors)
}

// checkFloors fails a blind set's topic whose precision or recall fell
// below its floor (a topic without a floor, or without positives, is not
// checked). It names no item: a blind miss seen is a miss tuned on.
func checkFloors(t *testing.T, set string, tg *tag.Tagger, cs map[string]*counts, floors map[string][2]float64) {
	t.Helper()
	for _, tp := range tg.Topics() {
		c := cs[tp.Slug]
		f, ok := floors[tp.Slug]
		if ok && (c.tp+c.fp > 0 && c.precision() < f[0] || c.tp+c.fn > 0 && c.recall() < f[1]) {
			t.Errorf("%s: precision %.3f recall %.3f on %s, below its floor %.2f / %.2f",
				tp.Slug, c.precision(), c.recall(), set, f[0], f[1])
		}
	}
}
