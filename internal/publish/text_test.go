package publish

import (
	"strings"
	"testing"

	"github.com/kernelwire/kernelwire/internal/item"
)

func TestParseFormat(t *testing.T) {
	tests := []struct {
		ext    string
		want   Format
		wantOK bool
		ctype  string
	}{
		{"rss", RSS, true, "application/rss+xml; charset=utf-8"},
		{".xml", RSS, true, "application/rss+xml; charset=utf-8"},
		{"ATOM", Atom, true, "application/atom+xml; charset=utf-8"},
		{".json", JSON, true, "application/feed+json; charset=utf-8"},
		{"html", "", false, "application/octet-stream"},
		{"", "", false, "application/octet-stream"},
	}
	for _, tc := range tests {
		t.Run(tc.ext, func(t *testing.T) {
			got, ok := ParseFormat(tc.ext)
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("ParseFormat(%q) = %q, %v, want %q, %v", tc.ext, got, ok, tc.want, tc.wantOK)
			}
			if ct := got.ContentType(); ct != tc.ctype {
				t.Errorf("ContentType = %q, want %q", ct, tc.ctype)
			}
		})
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"tab\tlf\ncr\r", "tab\tlf\ncr\r"},
		{"nul\x00bell\x07vt\x0bff\x0cesc\x1b", "nulbellvtffesc"},
		{"noncharacters \uFFFE\uFFFF", "noncharacters "},
		{"del \x7f and c1 \u0085 are allowed", "del \x7f and c1 \u0085 are allowed"},
		{"emoji 🐧 and é", "emoji 🐧 and é"},
	}
	for _, tc := range tests {
		if got := cleanText(tc.in); got != tc.want {
			t.Errorf("cleanText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestLooksLikeHTML(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"<p>para</p>", true},
		{"line<br/>break", true},
		{"Fish &amp; chips", true},
		{"caf&#233; and &#x1F427;", true},
		{"<!-- comment -->", true},
		{"a < b && c > d", false},
		{"x<5 and y>3", false},
		{"AT&T; or R&D", false},
		{"", false},
		{"plain words", false},
	}
	for _, tc := range tests {
		if got := looksLikeHTML(tc.in); got != tc.want {
			t.Errorf("looksLikeHTML(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestSplitAuthor(t *testing.T) {
	tests := []struct{ in, name, email string }{
		{"Jane Dev <jane@example.org>", "Jane Dev", "jane@example.org"},
		{"jane@example.org", "", "jane@example.org"},
		{"jane@example.org (Jane Dev)", "Jane Dev", "jane@example.org"},
		{"Bob", "Bob", ""},
		{"@handle on mastodon", "@handle on mastodon", ""},
		{"", "", ""},
	}
	for _, tc := range tests {
		name, email := splitAuthor(tc.in)
		if name != tc.name || email != tc.email {
			t.Errorf("splitAuthor(%q) = %q, %q, want %q, %q", tc.in, name, email, tc.name, tc.email)
		}
	}
}

func TestIDPrefix(t *testing.T) {
	tests := []struct{ id, self, want string }{
		{"tag:example.org,2025:feeds/rust", "https://other.example/feeds/rust.atom", "tag:example.org,2025:"},
		{"https://Example.org:8080/feeds/rust.atom", "https://Example.org:8080/feeds/rust.atom", "tag:example.org," + tagYear + ":"},
		{"tag:no-date-here", "https://example.org/x", "tag:example.org," + tagYear + ":"},
		{"https://ids.example/feeds/rust", "https://cdn.example/rust.atom", "tag:ids.example," + tagYear + ":"},
		{"urn:x:feed", "https://cdn.example/rust.atom", "tag:cdn.example," + tagYear + ":"},
		{"", "not a url", "tag:kernelwire.invalid," + tagYear + ":"},
	}
	for _, tc := range tests {
		if got := idPrefix(tc.id, tc.self); got != tc.want {
			t.Errorf("idPrefix(%q, %q) = %q, want %q", tc.id, tc.self, got, tc.want)
		}
	}
}

func TestItemID(t *testing.T) {
	const p = "tag:example.org,2026:"
	tests := []struct {
		name string
		it   item.Item
		want string
	}{
		{"key with query", item.Item{Key: "https://x.org/view?id=100", Link: "https://x.org/view?id=1"}, p + "item/https://x.org/view?id=100"},
		{"key escaped", item.Item{Key: "a b#c%d<é>"}, p + "item/a%20b%23c%25d%3C%C3%A9%3E"},
		{"guid fallback", item.Item{GUID: "urn:uuid:1", Link: "https://x.org/"}, p + "guid/urn:uuid:1"},
		{"link fallback", item.Item{Link: "https://x.org/a?b=c"}, p + "link/https://x.org/a?b=c"},
		{"hash fallback", item.Item{Title: "t", Source: "s", Published: t0}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := itemID(p, &tc.it)
			if again := itemID(p, &tc.it); again != got {
				t.Fatalf("itemID not stable: %q then %q", got, again)
			}
			if tc.want == "" {
				if !strings.HasPrefix(got, p+"sha256/") || len(got) != len(p)+len("sha256/")+64 {
					t.Errorf("itemID = %q, want %ssha256/<64 hex>", got, p)
				}
				return
			}
			if got != tc.want {
				t.Errorf("itemID = %q, want %q", got, tc.want)
			}
		})
	}
}
