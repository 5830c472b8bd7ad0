package parse

import (
	"errors"
	"testing"
	"time"
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
