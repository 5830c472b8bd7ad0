package fetch

import (
	"testing"
	"testing/synctest"
	"time"
)

// With NoHostLimits many requests share one host at once (the scale
// benchmark's single loopback host), while holds stay readable.
func TestNoHostLimits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := New(Config{NoHostLimits: true, MinHostGap: time.Hour})
		g := c.Gate()
		if g.Limited() {
			t.Fatal("Limited() with NoHostLimits: got true")
		}
		for range 3 {
			// Never released: a limited gate would block the second.
			if _, err := g.Acquire(t.Context(), "lore.example"); err != nil {
				t.Fatal(err)
			}
		}
		until := time.Now().Add(time.Minute)
		g.HoldUntil("lore.example", until)
		if got := g.NotBefore("lore.example"); !got.Equal(until) {
			t.Fatalf("NotBefore: got %v, want the hold %v", got, until)
		}
		if !New(Config{}).Gate().Limited() {
			t.Fatal("Limited() by default: got false")
		}
	})
}
