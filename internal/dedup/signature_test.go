package dedup

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kernelwire/kernelwire/internal/item"
)

func TestTokens(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Linux 6.13-rc1 Released", "linux 6.13-rc1 releas"},
		{"Announcing Rust v1.71.0!", "announc rust 1.71.0"},
		{"The kernel's releases, released", "kernel releas releas"},
		{"Linux 6.13.", "linux 6.13"},
		{"Café über Straße", "café über straß"},
	}
	for _, tc := range tests {
		if got := strings.Join(tokens(tc.in), " "); got != tc.want {
			t.Errorf("tokens(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestSignatureStable pins the bucket format and values: buckets are
// stored, so a change here is a migration (see the constants).
func TestSignatureStable(t *testing.T) {
	got := Signature(item.Item{Title: "Linux 6.18 Released"}).Buckets()
	if len(got) != Bands {
		t.Fatalf("%d buckets, want %d", len(got), Bands)
	}
	want := []string{"b00:", "b01:", "b23:"}
	for _, prefix := range want {
		if !slices.ContainsFunc(got, func(b string) bool { return strings.HasPrefix(b, prefix) && len(b) == 12 }) {
			t.Errorf("no bucket %s........ in %q", prefix, got)
		}
	}
	if got[0] != "b00:7e26fc94" {
		t.Errorf("first bucket %q changed: stored buckets would stop matching", got[0])
	}
	if b := Signature(item.Item{Title: " ?! "}).Buckets(); b != nil {
		t.Errorf("empty title has buckets %q", b)
	}
}

func TestSignatureSimilarity(t *testing.T) {
	tests := []struct {
		a, b     string
		min, max float64
	}{
		{"Linux 6.18 Released", "linux 6.18 released!", 1, 1},
		{"Fedora considers hardlinking identical files in /usr", "Fedora considers hardlinking identical /usr files", 0.99, 1},
		{"Linux 6.18 Released", "Mesa 25.2-rc3 with RADV fixes", 0, 0.1},
	}
	for _, tc := range tests {
		s := Signature(item.Item{Title: tc.a}).Similarity(Signature(item.Item{Title: tc.b}))
		if s < tc.min || s > tc.max {
			t.Errorf("Similarity(%q, %q) = %.2f, want [%.2f, %.2f]", tc.a, tc.b, s, tc.min, tc.max)
		}
	}
}

func FuzzSignature(f *testing.F) {
	for _, s := range []string{"Linux 6.18 Released", "", "1.2.3.4-rc5", "Ünïcødé — “quotes”", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, title string) {
		it := item.Item{Title: title}
		a, b := Signature(it), Signature(it)
		if a != b {
			t.Fatal("unstable signature")
		}
		bk := a.Buckets()
		if !slices.Equal(bk, b.Buckets()) {
			t.Fatal("unstable buckets")
		}
		if a.N > 0 && (len(bk) != Bands || a.Similarity(b) != 1) {
			t.Fatalf("%d buckets, similarity %.2f", len(bk), a.Similarity(b))
		}
		for _, k := range bk {
			if len(k) != 12 {
				t.Fatalf("bucket %q", k)
			}
		}
	})
}

// BenchmarkSignature is the per-item cost of clustering's CPU side: the
// signature, its buckets and the story keys, on a real feed's titles.
func BenchmarkSignature(b *testing.B) {
	recs := readJSONL[labelled](b, "testdata/stories.jsonl")
	items := make([]item.Item, len(recs))
	for i, r := range recs {
		items[i] = r.item()
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		it := items[i%len(items)]
		_ = Signature(it).Buckets()
		_ = StoryKeys(it)
		i++
	}
}

// BenchmarkSameStory is the cost of verifying one candidate pair.
func BenchmarkSameStory(b *testing.B) {
	x := item.Item{Title: "Linux 6.13 Released With AMD 3D V-Cache Optimizer, Lazy Preemption", Link: "https://www.phoronix.com/news/Linux-6.13-Released"}
	y := item.Item{Title: "The 6.13 kernel is out", Link: "https://lwn.net/Articles/1005201/"}
	b.ReportAllocs()
	for b.Loop() {
		SameStory(x, y)
	}
}

// TestBucketsFormat pins the stored form of a bucket, "b<band>:<32 bits of
// hex>", on every labelled item: buckets are stored, so a change of format
// is a migration.
func TestBucketsFormat(t *testing.T) {
	for _, l := range readJSONL[labelled](t, "testdata/stories.jsonl") {
		s := Signature(l.item())
		got := s.Buckets()
		if s.N == 0 {
			continue
		}
		for b := range Bands {
			h := uint64(b)
			for r := range Rows {
				h = splitmix64(h ^ s.Min[b*Rows+r])
			}
			if want := fmt.Sprintf("b%02d:%08x", b, h>>32); got[b] != want {
				t.Fatalf("%q band %d: %q, want %q", l.Title, b, got[b], want)
			}
		}
	}
}

// BenchmarkAssignPrepare is what a cold ingest spends in this package per
// item outside candidate comparisons: Assign on each source's batch of the
// dev set (identity, hash, story keys, buckets), then Prepare of every
// item, as the story planner does for each new item.
func BenchmarkAssignPrepare(b *testing.B) {
	recs := readJSONL[labelled](b, "testdata/real-dev.jsonl")
	var order []string
	bySource := map[string][]item.Item{}
	for _, r := range recs {
		if bySource[r.Source] == nil {
			order = append(order, r.Source)
		}
		bySource[r.Source] = append(bySource[r.Source], r.item())
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, src := range order {
			batch := slices.Clone(bySource[src])
			Assign(batch, src)
			for _, it := range batch {
				_ = Prepare(it)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/item")
}
