package parse

import (
	"testing"
)

func TestCanonicalURL(t *testing.T) {
	tests := []struct {
		name, in, want string
		wantErr        bool
	}{
		{name: "already canonical", in: "https://lwn.net/Articles/937631/", want: "https://lwn.net/Articles/937631/"},
		{name: "empty path becomes slash", in: "http://www.kernel.org", want: "http://www.kernel.org/"},
		{name: "trailing slash kept", in: "https://example.org/a/", want: "https://example.org/a/"},
		{name: "no trailing slash kept", in: "https://example.org/a", want: "https://example.org/a"},
		{name: "scheme and host lower-cased", in: "HTTPS://LWN.Net/Articles/1/", want: "https://lwn.net/Articles/1/"},
		{name: "path case kept", in: "https://example.org/README", want: "https://example.org/README"},
		{name: "default http port", in: "http://example.org:80/x", want: "http://example.org/x"},
		{name: "default https port", in: "https://example.org:443/x", want: "https://example.org/x"},
		{name: "non-default port kept", in: "https://example.org:8443/x", want: "https://example.org:8443/x"},
		{name: "80 on https kept", in: "https://example.org:80/x", want: "https://example.org:80/x"},
		{name: "empty port", in: "http://example.org:/x", want: "http://example.org/x"},
		{name: "fragment dropped", in: "https://lore.kernel.org/lkml/CAHk-=whnC+hRftevTLeVs3tyyqwn+7un=jUES2-WX+pZhDdKNw@mail.gmail.com/T/#u", want: "https://lore.kernel.org/lkml/CAHk-=whnC+hRftevTLeVs3tyyqwn+7un=jUES2-WX+pZhDdKNw@mail.gmail.com/T/"},
		{name: "utm dropped", in: "https://science.slashdot.org/story/18/01/22/209215/x?utm_source=rss1.0mainlinkanon&utm_medium=feed", want: "https://science.slashdot.org/story/18/01/22/209215/x"},
		{name: "feedburner utm family", in: "https://example.org/p?utm_source=feedburner&utm_medium=feed&utm_campaign=Feed%3A+x&utm_content=y&utm_term=z", want: "https://example.org/p"},
		{name: "click ids dropped", in: "https://example.org/p?fbclid=1&gclid=2&yclid=3&msclkid=4&igshid=5", want: "https://example.org/p"},
		{name: "mailchimp and hubspot dropped", in: "https://example.org/p?mc_cid=1&mc_eid=2&_hsenc=3&_hsmi=4&ref_src=twsrc", want: "https://example.org/p"},
		{name: "tracking key case-insensitive", in: "https://example.org/p?UTM_Source=x&id=1", want: "https://example.org/p?id=1"},
		{name: "other params kept and sorted", in: "https://example.org/view?id=200&b=2&a=1", want: "https://example.org/view?a=1&b=2&id=200"},
		{name: "mixed tracking and real", in: "https://www.phoronix.com/news/X?utm_source=rss&page=2", want: "https://www.phoronix.com/news/X?page=2"},
		{name: "heise webtrekk tag", in: "https://www.heise.de/newsticker/meldung/X-4205274.html?wt_mc=rss.ho.beitrag.rdf", want: "https://www.heise.de/newsticker/meldung/X-4205274.html"},
		{name: "empty query dropped", in: "https://example.org/p?", want: "https://example.org/p"},
		{name: "only tracking leaves no question mark", in: "https://example.org/?utm_source=x", want: "https://example.org/"},
		{name: "plus in query kept", in: "https://example.org/s?q=a+b", want: "https://example.org/s?q=a+b"},
		{name: "key without value kept", in: "https://example.org/s?flag&a=1", want: "https://example.org/s?a=1&flag"},
		{name: "unreserved escapes decoded", in: "https://example.org/%7Euser/%41bc", want: "https://example.org/~user/Abc"},
		{name: "escapes upper-cased", in: "https://example.org/a%2fb?x=%3d", want: "https://example.org/a%2Fb?x=%3D"},
		{name: "reserved escapes kept", in: "http://www.arcgames.com/news/detail/1-neverwinter-%26-jingle%21", want: "http://www.arcgames.com/news/detail/1-neverwinter-%26-jingle%21"},
		{name: "space and unicode escaped", in: "https://example.org/a b/ü", want: "https://example.org/a%20b/%C3%BC"},
		{name: "dot segments removed", in: "https://example.org/a/./b/../c/", want: "https://example.org/a/c/"},
		{name: "IDN host lower-cased", in: "https://BÜCHER.Example/x", want: "https://bücher.example/x"},
		{name: "punycode host kept", in: "https://XN--BCHER-KVA.example/", want: "https://xn--bcher-kva.example/"},
		{name: "ipv6 default port", in: "http://[2001:DB8::1]:80/", want: "http://[2001:db8::1]/"},
		{name: "surrounding space trimmed", in: "  https://example.org/x \n", want: "https://example.org/x"},
		{name: "userinfo kept", in: "https://user@example.org/", want: "https://user@example.org/"},
		{name: "ftp rejected", in: "ftp://example.org/file", wantErr: true},
		{name: "mailto rejected", in: "mailto:dev@example.org", wantErr: true},
		{name: "relative rejected", in: "/en/games/neverwinter/news", wantErr: true},
		{name: "tag uri rejected", in: "tag:dustri.org,2024-03-10:/b/x.html", wantErr: true},
		{name: "empty host rejected", in: "http:///path", wantErr: true},
		{name: "empty rejected", in: "", wantErr: true},
		{name: "unparsable rejected", in: "http://exa mple.org/", wantErr: true},
		{name: "bad escape in host rejected", in: "http://%zz/", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CanonicalURL(tc.in)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("CanonicalURL(%q) = %q, want an error", tc.in, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("CanonicalURL(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("CanonicalURL(%q): got %q, want %q", tc.in, got, tc.want)
			}
			if again, err := CanonicalURL(got); err != nil || again != got {
				t.Errorf("not idempotent: %q -> %q (%v)", got, again, err)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	tests := []struct{ base, ref, want string }{
		{"http://intertwingly.net/blog/index.atom", "/blog/2012/07/16/Inhibiting-Suspend", "http://intertwingly.net/blog/2012/07/16/Inhibiting-Suspend"},
		{"https://example.org/a/b", "c", "https://example.org/a/c"},
		{"https://example.org/a/b", "../c", "https://example.org/c"},
		{"https://example.org/a/b", "#frag", "https://example.org/a/b#frag"},
		{"https://example.org/a/b", "//cdn.example.net/x.png", "https://cdn.example.net/x.png"},
		{"https://example.org/", "https://other.example/x", "https://other.example/x"},
		{"", "https://other.example/x", "https://other.example/x"},
		{"https://example.org/", "mailto:dev@example.org", "mailto:dev@example.org"},
		{"", "/relative", ""},
		{"/also/relative", "x", ""},
		{"https://example.org/", "", ""},
		{"https://example.org/", "  ", ""},
		{"https://example.org/", "http://[bad", ""},
		{"https://example.org/", "http:///nohost", ""},
	}
	for _, tc := range tests {
		if got := Resolve(tc.base, tc.ref); got != tc.want {
			t.Errorf("Resolve(%q, %q): got %q, want %q", tc.base, tc.ref, got, tc.want)
		}
	}
}

func FuzzCanonicalURL(f *testing.F) {
	for _, s := range []string{
		"https://example.org/a/./b/../c?utm_source=x&b=2&a=1#f",
		"HTTP://EXAMPLE.org:80", "https://bücher.example/%7e", "http://[::1]:443/",
		"https://example.org/a%2fb?x=%3d&&y", "http://a@b:c@example.org/", "https://x/%", "http://x/?a=%zz",
		"http://[fe80::1%25en0]/", "https://example.org/..%2f..", "http://x/;a?b;c",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := CanonicalURL(raw)
		if err != nil {
			return
		}
		again, err := CanonicalURL(c)
		if err != nil {
			t.Fatalf("CanonicalURL(%q) = %q, which fails: %v", raw, c, err)
		}
		if again != c {
			t.Fatalf("not idempotent: %q -> %q -> %q", raw, c, again)
		}
	})
}
