package poll

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/dedup"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/tag"
)

func phraseRules(t testing.TB, topics map[string]string) *tag.Tagger {
	t.Helper()
	var specs []tag.TopicSpec
	for _, slug := range []string{"kernel", "rust", "security"} {
		if phrase, ok := topics[slug]; ok {
			specs = append(specs, tag.TopicSpec{Slug: slug, Title: slug, Rules: []tag.RuleSpec{
				{Name: slug + " words", Fields: []tag.Field{tag.FieldTitle}, Group: tag.Group{Any: []tag.Entry{{Term: phrase}}}},
			}})
		}
	}
	tg, err := tag.Compile(tag.Spec{Topics: specs})
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// TestRetag stores items tagged by rule set A, then retags with rule set
// B: the topic indexes must follow B, on both backends, across more items
// than one page, and a second Retag with the same rules must do nothing.
func TestRetag(t *testing.T) {
	backends := []struct {
		name string
		open func(t *testing.T) store.Store
	}{
		{"bolt", func(t *testing.T) store.Store { return boltStore(t) }},
		{"redis", func(t *testing.T) store.Store { return redisStore(t)() }},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := t.Context()
			st := b.open(t)
			rulesA := phraseRules(t, map[string]string{"kernel": "kernel", "rust": "rust"})
			rulesB := phraseRules(t, map[string]string{"kernel": "linux kernel", "security": "vulnerability"})
			sources := []item.Source{{Name: "lwn"}, {Name: "rust-blog", Topics: []string{"rust"}}}

			now := time.Now().UTC().Truncate(time.Second)
			mk := func(key, src, title string, age time.Duration) item.Item {
				it := item.Item{Key: key, Source: src, Title: title, Link: "https://example.org/" + key, Published: now.Add(-age)}
				defaults := map[string][]string{"rust-blog": {"rust"}}[src]
				rulesA.Tag(&it, src, defaults)
				it.Hash = dedup.Hash(it)
				return it
			}
			lwn := []item.Item{
				mk("drivers", "lwn", "Rust drivers in the kernel", time.Hour),
				mk("stackrot", "lwn", "A Linux kernel vulnerability", 2*time.Hour),
				mk("cooking", "lwn", "A cooking blog", 3*time.Hour),
			}
			// More items than one page of Retag, all losing "kernel".
			for i := range 2*retagPage + 7 {
				lwn = append(lwn, mk(fmt.Sprintf("filler-%04d", i), "lwn", fmt.Sprintf("kernel news %d", i), time.Duration(4+i)*time.Hour))
			}
			rustBlog := []item.Item{mk("rust183", "rust-blog", "Rust 1.83 released", 30*time.Minute)}
			for src, items := range map[string][]item.Item{"lwn": lwn, "rust-blog": rustBlog} {
				if _, err := st.SaveItems(ctx, src, items); err != nil {
					t.Fatal(err)
				}
			}
			if err := st.PutMeta(ctx, RulesFingerprintKey, rulesA.Fingerprint()); err != nil {
				t.Fatal(err)
			}
			if n, err := Retag(ctx, st, rulesA, sources, rulesA.Fingerprint()); err != nil || n != 0 {
				t.Fatalf("Retag with the rules already applied = %d, %v; want 0, nil", n, err)
			}

			n, err := Retag(ctx, st, rulesB, sources, rulesB.Fingerprint())
			if err != nil {
				t.Fatal(err)
			}
			// Every filler, "drivers" (loses kernel and rust) and
			// "stackrot" (gains security) changed; "rust183" keeps rust
			// from its source and "cooking" has no topic either way.
			if want := 2*retagPage + 7 + 2; n != want {
				t.Errorf("Retag changed %d items, want %d", n, want)
			}
			wantTopics := map[string][]string{
				"kernel":   {"stackrot"},
				"security": {"stackrot"},
				"rust":     {"rust183"},
			}
			for topic, want := range wantTopics {
				items, err := st.Items(ctx, store.Query{Topic: topic, Limit: 5000})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, it := range items {
					got = append(got, it.Key)
				}
				if !slices.Equal(got, want) {
					t.Errorf("topic %s holds %q, want %q", topic, got, want)
				}
				if c, err := st.Count(ctx, topic); err != nil || c != len(want) {
					t.Errorf("Count(%s) = %d, %v; want %d", topic, c, err, len(want))
				}
			}
			if c, err := st.Count(ctx, store.AllTopic); err != nil || c != len(lwn)+len(rustBlog) {
				t.Errorf("Count(all) = %d, %v; want %d", c, err, len(lwn)+len(rustBlog))
			}
			got, err := st.Item(ctx, "stackrot")
			if err != nil {
				t.Fatal(err)
			}
			if m := got.Matched["security"]; m.Rule != "security words" || !slices.Equal(got.Topics, []string{"kernel", "security"}) {
				t.Errorf("stackrot: topics %q, matched %+v; want kernel and security by \"security words\"", got.Topics, got.Matched)
			}
			if fp, err := st.GetMeta(ctx, RulesFingerprintKey); err != nil || fp != rulesB.Fingerprint() {
				t.Errorf("stored fingerprint %q, %v; want %q", fp, err, rulesB.Fingerprint())
			}
			before, err := st.Version(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n, err := Retag(ctx, st, rulesB, sources, rulesB.Fingerprint()); err != nil || n != 0 {
				t.Errorf("second Retag = %d, %v; want 0, nil", n, err)
			}
			if after, err := st.Version(ctx); err != nil || after != before {
				t.Errorf("second Retag changed the store version %d -> %d (%v)", before, after, err)
			}
			// Forcing re-tags every item but finds nothing to change.
			if n, err := Retag(ctx, st, rulesB, sources, ""); err != nil || n != 0 {
				t.Errorf("forced Retag = %d, %v; want 0, nil", n, err)
			}
		})
	}
}
