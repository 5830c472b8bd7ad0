package extract

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMailText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"lore markup", "<pre>On Mon, A wrote:\n<span>&gt; Signed-off-by: A &lt;a@x&gt;\n&gt; ---\n</span>\nAcked-by: B &lt;b@x&gt;\n</pre>",
			"\nOn Mon, A wrote:\n\nAcked-by: B <b@x>\n\n\n"},
		{"plain", "a\n> quoted\n  >> deeper\nb", "a\nb\n"},
		{"non-HTML tags are text", "<pre>#include <linux/slab.h>\nVec<T></pre>", "\n#include <linux/slab.h>\nVec<T>\n\n"},
		{"br ends a line", "a<br>b<br/>c", "a\nb\nc\n"},
		{"white space in a line collapses", "\ta  \t b  \n", "a b\n\n"},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := MailText(tc.in); got != tc.want {
				t.Errorf("MailText(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestReviews(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		// A reply quoting the patch's own trailers and giving one.
		{"On Sun, A wrote:\n> Signed-off-by: Daniel Xu <dxu@dxuuu.xyz>\n> ---\n\nAcked-by: Kumar Kartikeya Dwivedi <memxor@gmail.com>\n",
			[]string{"Acked-by: Kumar Kartikeya Dwivedi"}},
		{"Reviewed-by: David Sterba <dsterba@suse.com>\nTested-by: <bot@example.org>\nreviewed-by: \"Jane Q\" <j@x> # for mm\n",
			[]string{"Reviewed-by: David Sterba", "Tested-by: bot@example.org", "Reviewed-by: Jane Q"}},
		{"Reviewed-by: David Sterba <dsterba@suse.com>\nReviewed-by: David Sterba <dsterba@suse.com>\n", []string{"Reviewed-by: David Sterba"}},
		// Not given: prose, other trailers, a diff line.
		{"Reviewed-by: me, once I have time\nSigned-off-by: A <a@x>\n+Reviewed-by: C <c@x>\n", nil},
	}
	for _, tc := range tests {
		if got := Reviews(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("Reviews(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if len(tc.want) > 0 && !mayReview(tc.in) {
			t.Errorf("mayReview(%q) = false", tc.in)
		}
	}
	got := reviewsOf([]string{"Reviewed-by: David Sterba"})
	if len(got) != 1 || got[0].Kind != "Reviewed-by" || got[0].Who != "David Sterba" {
		t.Errorf("reviewsOf = %+v", got)
	}
}

func TestSeriesLines(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"b4 cover letter", "Changes in v8:\n- Link to v7: https://lore.kernel.org/r/20240913-mgtime-v7-0-92d4020e3b00@kernel.org\n" +
			"- Link to v6: https://lore.kernel.org/r/20240715-mgtime-v6-0-48e5d34bd2ba@kernel.org\n---\nbase-commit: 7c53f6b671f4\nchange-id: 20240913-mgtime-20c98bcda88e\n",
			[]string{"Link to v7: https://lore.kernel.org/r/20240913-mgtime-v7-0-92d4020e3b00@kernel.org",
				"Link to v6: https://lore.kernel.org/r/20240715-mgtime-v6-0-48e5d34bd2ba@kernel.org", "change-id: 20240913-mgtime-20c98bcda88e"}},
		{"by hand, upper case", "V2: Updated changelog.\n\nLink to V1: https://lore.kernel.org/linux-btrfs/cover.1767801889.git.fdmanana@suse.com/\n",
			[]string{"Link to v1: https://lore.kernel.org/linux-btrfs/cover.1767801889.git.fdmanana@suse.com/"}},
		{"wrapped", "- Link to v2:\n  https://lore.kernel.org/r/x@y\n", []string{"Link to v2: https://lore.kernel.org/r/x@y"}},
		{"quoted is not ours", "> change-id: 20240913-mgtime-20c98bcda88e\n", nil},
		{"prose", "The link to v1: see above.\nchange-id: short\n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text := MailText(tc.in)
			if got := SeriesLines(text); !slices.Equal(got, tc.want) {
				t.Errorf("SeriesLines = %q, want %q", got, tc.want)
			}
			if len(tc.want) > 0 && !maySeries(tc.in) {
				t.Errorf("maySeries = false")
			}
		})
	}
	s := seriesOf([]string{"Link to v7: https://a/x@y", "change-id: 20240913-mgtime-20c98bcda88e"})
	if s == nil || s.ChangeID != "20240913-mgtime-20c98bcda88e" || !slices.Equal(s.Previous, []string{"https://a/x@y"}) {
		t.Errorf("seriesOf = %+v", s)
	}
	if seriesOf(nil) != nil {
		t.Error("seriesOf(nil) != nil")
	}
}

func FuzzMailText(f *testing.F) {
	for _, s := range []string{"<pre>a\n<span>&gt; b</span>\nc</pre>", "> x", "a<br>b", "<script>x\ny</script>", "\xff\n\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := MailText(s)
		if !utf8.ValidString(got) || got != "" && !strings.HasSuffix(got, "\n") {
			t.Fatalf("MailText(%q) = %q: invalid UTF-8 or an unended line", s, got)
		}
		for l := range strings.SplitSeq(got, "\n") {
			if strings.HasPrefix(l, ">") {
				t.Fatalf("MailText(%q) kept a quoted line %q", s, l)
			}
		}
		// The extractors reading mail text never panic on it.
		SeriesLines(got)
		Reviews(got)
		StatusLines(got)
		CVERecordLines(got)
	})
}
