package poll

import (
	"strings"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/item"
)

func TestNewestFirst(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 11, 1, h, 0, 0, 0, time.UTC) }
	mk := func(spec string) []item.Item {
		var out []item.Item
		for f := range strings.FieldsSeq(spec) {
			name, hour, _ := strings.Cut(f, "@")
			h := 0
			for _, c := range hour {
				h = h*10 + int(c-'0')
			}
			out = append(out, item.Item{Key: name, Published: at(h)})
		}
		return out
	}
	tests := []struct {
		name  string
		items string
		limit int
		want  string
	}{
		{"under the cap: untouched", "a@1 b@3 c@2", 5, "a b c"},
		{"at the cap: untouched", "a@1 b@3", 2, "a b"},
		{"newest kept", "a@1 b@3 c@2 d@5 e@4", 2, "d e"},
		{"ties keep feed order", "a@1 b@3 c@3 d@3", 2, "b c"},
		{"oldest-first feed", "a@1 b@2 c@3 d@4", 3, "d c b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, it := range newestFirst(mk(tc.items), tc.limit) {
				got = append(got, it.Key)
			}
			if strings.Join(got, " ") != tc.want {
				t.Errorf("got %v, want %s", got, tc.want)
			}
		})
	}
}
