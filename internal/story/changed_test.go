package story

import (
	"testing"
	"time"
)

// TestChanged checks that a story's date moves forward in whole seconds
// at every change, even two changes within one second (two quick polls).
func TestChanged(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name      string
		prev, now time.Time
		want      time.Time
	}{
		{"first change", time.Time{}, t0.Add(300 * time.Millisecond), t0.Add(300 * time.Millisecond)},
		{"a later second", t0, t0.Add(2 * time.Second), t0.Add(2 * time.Second)},
		{"the same second", t0.Add(100 * time.Millisecond), t0.Add(900 * time.Millisecond), t0.Add(time.Second)},
		{"a clock behind", t0.Add(5 * time.Second), t0, t0.Add(6 * time.Second)},
	} {
		if got := changed(tc.prev, tc.now); !got.Equal(tc.want) {
			t.Errorf("%s: changed(%v, %v) = %v, want %v", tc.name, tc.prev, tc.now, got, tc.want)
		}
	}
}
