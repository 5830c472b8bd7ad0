package publish

import (
	"fmt"
	"testing"
	"time"
)

func BenchmarkRenderAtom(b *testing.B) {
	f := testFeed()
	base := testItems()
	f.Items = f.Items[:0]
	for i := range 50 {
		it := base[i%len(base)]
		it.Key = fmt.Sprintf("%s#%d", it.Key, i)
		it.Published = t0.Add(-time.Duration(i) * time.Minute)
		f.Items = append(f.Items, it)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Render(f, Atom); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCacheHit(b *testing.B) {
	c := NewCache(16)
	r := &counter{body: constant("feed")}
	ctx := b.Context()
	if _, err := c.Get(ctx, "all.atom", 1, r.render); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Get(ctx, "all.atom", 1, r.render); err != nil {
			b.Fatal(err)
		}
	}
	if r.calls.Load() != 1 {
		b.Fatalf("render called %d times on hits", r.calls.Load())
	}
}
