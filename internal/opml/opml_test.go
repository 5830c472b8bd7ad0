package opml

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestRoundTrip(t *testing.T) {
	d := New("kernelwire sources", time.Date(2026, 11, 2, 3, 4, 5, 0, time.UTC))
	d.Body.Outlines = []Outline{
		{Text: "lwn", Title: "lwn", Type: "rss", XMLURL: "https://lwn.net/headlines/rss", HTMLURL: "https://lwn.net/"},
		{Text: "Rust & <friends>", Type: "rss", XMLURL: "https://blog.rust-lang.org/feed.xml?a=1&b=2"},
	}
	var buf bytes.Buffer
	if err := Write(&buf, d); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<opml version="2.0">`) {
		t.Errorf("document starts:\n%s", buf.String()[:80])
	}
	if !strings.Contains(buf.String(), "<dateCreated>Mon, 02 Nov 2026 03:04:05 +0000</dateCreated>") {
		t.Errorf("no RFC 822 dateCreated:\n%s", buf.String())
	}
	got, err := Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Feeds(), d.Body.Outlines) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got.Feeds(), d.Body.Outlines)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		feeds   []string // xmlUrls
		wantErr error
	}{
		{"folders flattened", `<opml version="1.0"><head/><body>
<outline text="Kernel"><outline text="a" xmlUrl="https://a.example/feed"/>
<outline text="deeper"><outline text="b" type="rss" xmlUrl="https://b.example/rss"/></outline></outline>
<outline text="no feed" htmlUrl="https://c.example/"/>
<outline text="d" xmlUrl="https://d.example/atom"/></body></opml>`,
			[]string{"https://a.example/feed", "https://b.example/rss", "https://d.example/atom"}, nil},
		{"latin-1 declared", `<?xml version="1.0" encoding="ISO-8859-1"?><opml version="1.1"><body><outline text="x" xmlUrl="https://x.example/"/></body></opml>`,
			[]string{"https://x.example/"}, nil},
		{"not opml", `<rss version="2.0"><channel/></rss>`, nil, ErrNotOPML},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Parse(strings.NewReader(tc.in))
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Parse() error = %v, want %v", err, tc.wantErr)
			}
			var got []string
			for _, o := range d.Feeds() {
				got = append(got, o.XMLURL)
			}
			if !reflect.DeepEqual(got, tc.feeds) {
				t.Errorf("feeds %v, want %v", got, tc.feeds)
			}
		})
	}
	if _, err := Parse(strings.NewReader("<opml><body>")); err == nil {
		t.Error("truncated document parsed")
	}
}

func FuzzParse(f *testing.F) {
	f.Add(`<opml version="2.0"><body><outline text="a" xmlUrl="https://a.example/"/></body></opml>`)
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(strings.NewReader(s))
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := Write(&buf, d); err != nil {
			t.Fatalf("parsed document does not write: %v", err)
		}
	})
}
