// Package ingestbench is the workload of the ingest benchmarks: real feeds
// (testdata/corpus.tar.bz2, embedded; its README says where each came
// from) cut into upstream feeds of at most PerFeed items, the size real
// feeds serve, and the parse-only reference they are measured against
// (gofeed parsing the same bytes in one goroutine). It is for benchmarks
// and tests only: it takes a testing.TB.
//
// The corpus holds 11,952 real items: 13 weeks of Hacker News, Lobsters,
// Slashdot and SoylentNews (distinct headlines, with the same story often
// on several of them), two lore.kernel.org lists whole (patch series,
// their versions and replies: recurring subjects) and the ten news feeds
// of poll's fixtures (LWN, Phoronix, the Rust blogs, ...). Cut, they are
// 561 feeds. Taking every other feed halves the items while keeping the
// mix, which is how benchmarks check that cost grows linearly: the same
// look-alike headlines, half as dense.
package ingestbench

import (
	"archive/tar"
	"bytes"
	"compress/bzip2"
	_ "embed" // the corpus
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"
)

//go:embed testdata/corpus.tar.bz2
var corpus []byte

// PerFeed is the most items a cut feed holds: lore's new.atom serves 25,
// most news feeds 15 to 30.
const PerFeed = 25

// Feed is one upstream feed of the workload.
type Feed struct {
	// Name is unique, a valid source name: the corpus file's name and
	// the part's number.
	Name        string
	ContentType string
	Body        []byte
	Items       int
}

// Feeds returns the whole workload, in corpus order (by file name, each
// file's parts newest first).
func Feeds(tb testing.TB) []Feed {
	tb.Helper()
	var out []Feed
	tr := tar.NewReader(bzip2.NewReader(bytes.NewReader(corpus)))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatalf("corpus: %v", err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			tb.Fatalf("corpus %s: %v", h.Name, err)
		}
		parts, err := Cut(data, PerFeed)
		if err != nil {
			tb.Fatalf("corpus %s: %v", h.Name, err)
		}
		base := sourceName(path.Base(h.Name))
		for i, p := range parts {
			out = append(out, Feed{Name: base + "-" + strconv.Itoa(i), ContentType: contentType(data),
				Body: p.Body, Items: p.Items})
		}
	}
	if len(out) == 0 {
		tb.Fatal("corpus: no feeds")
	}
	return out
}

// sourceName makes a file name a source name: lower case letters, digits
// and single inner hyphens.
func sourceName(file string) string {
	file = strings.TrimSuffix(file, path.Ext(file))
	var b strings.Builder
	for _, r := range strings.ToLower(file) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// Spread returns n of feeds spread evenly over them (all of them when n
// is not smaller), so a half keeps the mix of the whole.
func Spread(feeds []Feed, n int) []Feed {
	if n <= 0 || n >= len(feeds) {
		return feeds
	}
	out := make([]Feed, n)
	for i := range out {
		out[i] = feeds[i*len(feeds)/n]
	}
	return out
}

// Count returns the number of items of feeds.
func Count(feeds []Feed) int {
	n := 0
	for _, f := range feeds {
		n += f.Items
	}
	return n
}

// Part is one cut of a feed.
type Part struct {
	Body  []byte
	Items int
}

// Cut splits an RSS, RDF or Atom document into documents of at most per
// items each, every one with the original's head (channel or feed
// elements) and tail. Items are found as the <item> or <entry> elements'
// byte spans, which is all the corpus needs: its files are well formed
// and hold no such tag inside CDATA.
func Cut(doc []byte, per int) ([]Part, error) {
	spans := itemSpans(doc)
	if len(spans) == 0 {
		return nil, fmt.Errorf("no items")
	}
	head, tail := doc[:spans[0][0]], doc[spans[len(spans)-1][1]:]
	var out []Part
	for i := 0; i < len(spans); i += per {
		j := min(i+per, len(spans))
		var b bytes.Buffer
		b.Write(head)
		b.Write(doc[spans[i][0]:spans[j-1][1]])
		b.Write(tail)
		out = append(out, Part{Body: b.Bytes(), Items: j - i})
	}
	return out, nil
}

// itemSpans returns the [start, end) offsets of the document's item (RSS,
// RDF) or entry (Atom) elements.
func itemSpans(doc []byte) [][2]int {
	name := "item"
	if bytes.Contains(doc[:min(len(doc), 2048)], []byte("<feed")) {
		name = "entry"
	}
	open, closing := []byte("<"+name), []byte("</"+name+">")
	var out [][2]int
	for at := 0; ; {
		i := bytes.Index(doc[at:], open)
		if i < 0 {
			return out
		}
		i += at
		if k := i + len(open); k < len(doc) && doc[k] != '>' && doc[k] != ' ' && doc[k] != '\n' && doc[k] != '\t' && doc[k] != '\r' {
			at = k // <items>, <itemref>: not an item
			continue
		}
		j := bytes.Index(doc[i:], closing)
		if j < 0 {
			return out
		}
		end := i + j + len(closing)
		out = append(out, [2]int{i, end})
		at = end
	}
}

func contentType(doc []byte) string {
	head := doc[:min(len(doc), 2048)]
	switch {
	case bytes.Contains(head, []byte("<feed")):
		return "application/atom+xml"
	case bytes.Contains(head, []byte("<rdf:RDF")):
		return "application/rdf+xml"
	}
	return "application/rss+xml"
}

// ParseOnly is the reference: gofeed parsing every feed's bytes in one
// goroutine, and nothing else. It returns the number of items parsed.
func ParseOnly(feeds []Feed) (int, error) {
	fp := gofeed.NewParser()
	n := 0
	for _, f := range feeds {
		feed, err := fp.Parse(bytes.NewReader(f.Body))
		if err != nil {
			return n, fmt.Errorf("gofeed %s: %w", f.Name, err)
		}
		n += len(feed.Items)
	}
	return n, nil
}
