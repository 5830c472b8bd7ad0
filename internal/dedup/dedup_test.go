package dedup

import (
	"strings"
	"testing"

	"github.com/kernelwire/kernelwire/internal/item"
)

func TestIdentityURL(t *testing.T) {
	tests := []struct {
		name, a, b string
		same       bool
	}{
		{"scheme", "http://lwn.net/Articles/1/", "https://lwn.net/Articles/1/", true},
		{"www", "https://www.phoronix.com/news/X", "https://phoronix.com/news/X", true},
		{"trailing slash", "https://lwn.net/Articles/1", "https://lwn.net/Articles/1/", true},
		{"lwn rss alias", "https://lwn.net/Articles/723422/rss", "https://lwn.net/Articles/723422/", true},
		{"lwn subscriber link", "https://lwn.net/SubscriberLink/723422/abc123/", "https://lwn.net/Articles/723422/", true},
		{"different lwn articles", "https://lwn.net/Articles/1/", "https://lwn.net/Articles/2/", false},
		{"query matters", "https://x.org/view?id=100", "https://x.org/view?id=200", false},
		{"path case matters", "https://x.org/A", "https://x.org/a", false},
		{"other host", "https://a.org/x", "https://b.org/x", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := IdentityURL(tc.a), IdentityURL(tc.b)
			if a == "" || b == "" {
				t.Fatalf("empty identity: %q -> %q, %q -> %q", tc.a, a, tc.b, b)
			}
			if (a == b) != tc.same {
				t.Errorf("IdentityURL(%q)=%q, IdentityURL(%q)=%q, same=%v, want %v", tc.a, a, tc.b, b, a == b, tc.same)
			}
		})
	}
}

func TestIdentityURLNone(t *testing.T) {
	for _, link := range []string{"", "http://www.kernel.org/", "https://example.org", "not a url", "/relative/path"} {
		if got := IdentityURL(link); got != "" {
			t.Errorf("IdentityURL(%q) = %q, want none", link, got)
		}
	}
}

func TestAssign(t *testing.T) {
	tests := []struct {
		name     string
		items    []item.Item
		sameKeys [][2]int // pairs that must share a key
		diffKeys [][2]int // pairs that must not
	}{
		{
			name: "kdist items share the home page link",
			items: []item.Item{
				{GUID: "kernel.org,mainline,6.13-rc1,2024-12-01", Link: "http://www.kernel.org/", Title: "6.13-rc1: mainline"},
				{GUID: "kernel.org,stable,6.12.1,2024-12-01", Link: "http://www.kernel.org/", Title: "6.12.1: stable"},
			},
			diffKeys: [][2]int{{0, 1}},
		},
		{
			name: "one feed, several items on one article link",
			items: []item.Item{
				{GUID: "a", Link: "https://example.org/news", Title: "First"},
				{GUID: "b", Link: "https://example.org/news", Title: "Second"},
			},
			diffKeys: [][2]int{{0, 1}},
		},
		{
			name: "same article repeated in one feed",
			items: []item.Item{
				{GUID: "a", Link: "https://lwn.net/Articles/5/", Title: "Same"},
				{GUID: "a", Link: "https://lwn.net/Articles/5/", Title: "Same"},
			},
			sameKeys: [][2]int{{0, 1}},
		},
		{
			name: "no link: guid, else title",
			items: []item.Item{
				{GUID: "x", Title: "T"},
				{GUID: "y", Title: "T"},
				{Title: "T"},
				{Title: " t "},
			},
			diffKeys: [][2]int{{0, 1}, {0, 2}},
			sameKeys: [][2]int{{2, 3}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			Assign(tc.items, "src")
			for _, it := range tc.items {
				if it.Key == "" || it.Hash == "" {
					t.Fatalf("item %q has key %q hash %q", it.Title, it.Key, it.Hash)
				}
			}
			for _, p := range tc.sameKeys {
				if tc.items[p[0]].Key != tc.items[p[1]].Key {
					t.Errorf("items %d and %d: keys %q and %q differ", p[0], p[1], tc.items[p[0]].Key, tc.items[p[1]].Key)
				}
			}
			for _, p := range tc.diffKeys {
				if tc.items[p[0]].Key == tc.items[p[1]].Key {
					t.Errorf("items %d and %d share key %q", p[0], p[1], tc.items[p[0]].Key)
				}
			}
		})
	}
}

func TestAssignAcrossSources(t *testing.T) {
	a := []item.Item{{GUID: "lwn-1", Link: "https://lwn.net/Articles/9/", Title: "X"}}
	b := []item.Item{{GUID: "hn-77", Link: "http://www.lwn.net/Articles/9", Title: "X (lwn.net)"}}
	Assign(a, "lwn")
	Assign(b, "hackernews")
	if a[0].Key != b[0].Key {
		t.Errorf("same article from two sources: keys %q and %q", a[0].Key, b[0].Key)
	}
	c := []item.Item{{GUID: "same-guid", Title: "X"}}
	d := []item.Item{{GUID: "same-guid", Title: "X"}}
	Assign(c, "one")
	Assign(d, "two")
	if c[0].Key == d[0].Key {
		t.Errorf("guid keys must be scoped to their source, both are %q", c[0].Key)
	}
}

func TestHashChanges(t *testing.T) {
	base := item.Item{Title: "T", Summary: "S", Content: "C", Link: "https://x.org/a", Topics: []string{"rust"}}
	h := Hash(base)
	if Hash(base) != h {
		t.Fatal("hash not stable")
	}
	for name, mod := range map[string]func(*item.Item){
		"title":   func(it *item.Item) { it.Title = "T2" },
		"summary": func(it *item.Item) { it.Summary = "S2" },
		"content": func(it *item.Item) { it.Content = "C2" },
		"link":    func(it *item.Item) { it.Link = "https://x.org/b" },
		"topics":  func(it *item.Item) { it.Topics = []string{"rust", "security"} },
		"shift":   func(it *item.Item) { it.Title, it.Summary = "TS", "" },
	} {
		it := base
		mod(&it)
		if Hash(it) == h {
			t.Errorf("changing %s did not change the hash", name)
		}
	}
}

func FuzzIdentityURL(f *testing.F) {
	for _, s := range []string{"https://lwn.net/Articles/1/rss", "http://www.kernel.org/", "https://x.org/a?b=c", "%zz", "lwn.net/SubscriberLink/1/",
		"A://:0/0", "https://:443/a", "http://www./a", "//::/0", "http://[::1]:8080/a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id := IdentityURL(s)
		if id == "" {
			return
		}
		// An identity always starts with a host name.
		if host, _, _ := strings.Cut(id, "/"); host == "" || strings.HasPrefix(host, "?") {
			t.Errorf("IdentityURL(%q)=%q: no host", s, id)
		}
		// Identity must be insensitive to the scheme.
		if u := "https://" + id; IdentityURL(u) != id {
			t.Errorf("IdentityURL(%q)=%q but IdentityURL(%q)=%q", s, id, u, IdentityURL(u))
		}
	})
}
