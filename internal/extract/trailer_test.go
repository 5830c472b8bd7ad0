package extract

import (
	"slices"
	"testing"
)

func TestTrailers(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Fixes: 0123456789ab (\"mm: fix foo\") Cc: stable@vger.kernel.org Signed-off-by: A Dev <a@example.org>",
			[]string{"Fixes", "Cc: stable", "Signed-off-by"}},
		{"Reported-by: syzbot+1234@syzkaller.appspotmail.com Closes: https://lore.kernel.org/r/x Reviewed-by: B <b@x>",
			[]string{"Reported-by", "Closes", "Reviewed-by"}},
		{"Cc: <stable@vger.kernel.org> # 6.1+", []string{"Cc: stable"}},
		{"> Acked-by: Quoted Reviewer <q@x>", []string{"Acked-by"}},
		{"signed-off-by: lower case <l@x>", []string{"Signed-off-by"}},
		// Not trailers.
		{"Cc: linux-mm@kvack.org", nil},
		{"Fixes: none so far", nil},
		{"Closes: soon", nil},
		{"Unsigned-off-by: x", nil},
		{"This driver Signed-off-by:", nil},
		{"no colon here", nil},
		{"", nil},
	}
	for _, tc := range tests {
		if got := Trailers(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("Trailers(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if len(tc.want) > 0 && !mayHoldTrailer(tc.in) {
			t.Errorf("mayHoldTrailer(%q) = false, Trailers finds %q", tc.in, tc.want)
		}
	}
}
