package parse

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func FuzzParse(f *testing.F) {
	for _, name := range fixtures(f) {
		f.Add(readFixture(f, name), fixtureContentType[name])
	}
	for _, s := range []string{
		"", "<", "<?xml", "\xEF\xBB\xBF<rss/>", "\xFF\xFE<\x00", "\x1f\x8b",
		`<rss><channel><item><title>&amp;</title></item></channel></rss>`,
		`<feed xmlns="http://www.w3.org/2005/Atom"><entry><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><a href="x">y</a></div></content></entry></feed>`,
		`{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","content_html":"<b>x"}]}`,
		`<?xml version="1.0" encoding="bogus"?><rss><channel><item><guid>g</guid></item></channel></rss>`,
	} {
		f.Add([]byte(s), "text/xml; charset=windows-1251")
	}
	p := NewParser()
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		feed, err := p.Parse(body, contentType, "https://example.org/feed", testNow)
		if err != nil {
			if !errors.Is(err, ErrNotFeed) {
				t.Fatalf("error %v does not wrap ErrNotFeed", err)
			}
			return
		}
		for i, it := range feed.Items {
			if it.Title == "" && it.Link == "" && it.GUID == "" {
				t.Errorf("item %d: nothing identifies it", i)
			}
			if it.Link != "" {
				if c, err := CanonicalURL(it.Link); err != nil || c != it.Link {
					t.Errorf("item %d: link %q not canonical", i, it.Link)
				}
			}
			if it.Published.IsZero() || it.Published.After(testNow.Add(24*time.Hour)) {
				t.Errorf("item %d: published %v", i, it.Published)
			}
			for _, s := range []string{it.Title, it.Summary, it.Content, it.Author, it.GUID} {
				checkText(t, "item", s)
			}
		}
	})
}

// BenchmarkParse parses every well-formed fixture once per iteration, the
// baseline that package tag's cost is compared with.
func BenchmarkParse(b *testing.B) {
	type fixture struct {
		body        []byte
		contentType string
	}
	var all []fixture
	var size int64
	for _, name := range fixtures(b) {
		if brokenFixtures[name] {
			continue
		}
		body := readFixture(b, name)
		all = append(all, fixture{body, fixtureContentType[name]})
		size += int64(len(body))
	}
	p := NewParser()
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, fx := range all {
			if _, err := p.Parse(fx.body, fx.contentType, "https://example.org/feed", testNow); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2003-12", "Seg, 24 Set 2018 19:42:40 -0300", "Thu, 01 Jan 2004 19:48:21 Etc/GMT+2",
		"Tue Jun 09 2020 10:00:00 GMT+0200 (CEST)", "2020/1/10 14:33:00", "24.12.2014 20:00", "x:y", "1:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseDate(s)
		if !ok {
			return
		}
		if got.Location() != time.UTC || got.Year() < 1969 || got.Year() > 2201 {
			t.Fatalf("parseDate(%q) = %v", s, got)
		}
		// What we would publish reads back as the same instant.
		if again, ok := parseDate(got.Format(time.RFC3339Nano)); !ok || !again.Equal(got) {
			t.Fatalf("parseDate(%q) = %v, which reads back as %v, %v", s, got, again, ok)
		}
	})
}

func FuzzTitle(f *testing.F) {
	for _, s := range []string{"include <linux/slab.h>", "<b>x</b> &amp; y", "Vec<T>", "a\x00b", "&#xD800;", "<script>x</script>"} {
		f.Add(s, "")
		f.Add(s, "html")
	}
	f.Fuzz(func(t *testing.T, s, typ string) {
		for _, rss := range []bool{false, true} {
			got := titleOf(s, typ, rss)
			checkText(t, "title", got)
			if got != collapse(got) {
				t.Fatalf("titleOf(%q) = %q: white space not collapsed", s, got)
			}
		}
		// Text is kept whole: nothing but white space and forbidden
		// characters may go.
		if got, want := textOf(s), collapse(xmlChars(s)); got != want {
			t.Fatalf("textOf(%q) = %q, want %q", s, got, want)
		}
		if c := capText(s, 10); utf8.RuneCountInString(c) > 10 {
			t.Fatalf("capText(%q, 10) = %q", s, c)
		}
	})
}

func FuzzScanXML(f *testing.F) {
	for _, name := range []string{"rust-blog-feed_2023-07-18_atom.xml", "rss-shaped-xmlbase-atomlink-description-only.xml"} {
		f.Add(readFixture(f, name))
	}
	f.Add([]byte(`<a xml:base="x"><b xml:base='../y'/><!--`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		out, info := scanXML(doc, "https://example.org/a/feed.xml", true)
		if len(out) > len(doc) {
			t.Fatalf("scan grew the document")
		}
		for _, e := range info.entries {
			for _, b := range []string{e.base, e.contentBase, e.summaryBase} {
				if b != "" && !strings.Contains(b, ":") {
					t.Fatalf("relative base %q", b)
				}
			}
		}
	})
}

func FuzzTruncateHTML(f *testing.F) {
	f.Add("<p><b>abc</b> def &amp; ghi</p>", 10)
	f.Add("<ul><li>a<li>b</ul>", 5)
	f.Fuzz(func(t *testing.T, s string, n int) {
		if n < 0 || n > len(s) {
			return
		}
		_ = truncateHTML(s, n)
	})
}

func FuzzToUTF8(f *testing.F) {
	f.Add([]byte("<?xml version=\"1.0\" encoding=\"windows-1251\"?><rss>\xcd\xee\xe2</rss>"), "text/xml; charset=utf-8")
	f.Add([]byte("\xff\xfe\x00\x00<\x00\x00\x00"), "")
	f.Add([]byte("<rss>\xb0\xa1\xc4\xe3</rss>"), "text/xml; charset='gb2312'")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		out, err := toUTF8(body, contentType)
		if err != nil {
			return
		}
		if !utf8.Valid(out) {
			t.Fatalf("toUTF8 gave invalid UTF-8 %q", out)
		}
		if declEncoding(out) != "" {
			t.Fatalf("declaration left in %q", out)
		}
	})
}
