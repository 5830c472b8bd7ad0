package story_test

import (
	"slices"
	"testing"

	"github.com/kernelwire/kernelwire/internal/dedup"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/story"
	"github.com/kernelwire/kernelwire/internal/story/storytest"
)

// TestRecordJudgedAsItem checks that a candidate record is judged as the
// item it was made of: over every pair of the fixture items (the same
// Rust releases on three sources, LWN, Hacker News, Slashdot, Reddit),
// SameStory and SameStoryStrong give the same verdict and reason on the
// decoded records, stored items (no story keys) and the items as saved.
func TestRecordJudgedAsItem(t *testing.T) {
	var whole, recs, stored []*dedup.Features
	var its []item.Item
	for _, batch := range storytest.FixtureBatches(t, t0()) {
		for _, it := range batch {
			raw, err := story.EncodeRecord(it)
			if err != nil {
				t.Fatal(err)
			}
			rec, err := story.DecodeRecord(raw)
			if err != nil {
				t.Fatal(err)
			}
			bare := it
			bare.StoryKeys, bare.Buckets = nil, nil
			its = append(its, it)
			whole = append(whole, dedup.Prepare(it))
			recs = append(recs, dedup.Prepare(rec))
			stored = append(stored, dedup.Prepare(bare))
			if !slices.Equal(rec.StoryKeys, it.StoryKeys) || rec.Title != it.Title || !rec.Published.Equal(it.Published) {
				t.Fatalf("record of %q: keys %v title %q published %v", it.Title, rec.StoryKeys, rec.Title, rec.Published)
			}
		}
	}
	same := 0
	for i := range whole {
		for j := range whole {
			if i == j {
				continue
			}
			want, why := dedup.SameStoryPrepared(whole[i], whole[j])
			for name, fs := range map[string][]*dedup.Features{"record": recs, "stored": stored} {
				if got, gotWhy := dedup.SameStoryPrepared(fs[i], whole[j]); got != want || gotWhy != why {
					t.Errorf("%s %q vs %q: %v %s, item gives %v %s", name, its[i].Title, its[j].Title, got, gotWhy, want, why)
				}
				if got := dedup.SameStoryStrong(fs[i], whole[j]); got != dedup.SameStoryStrong(whole[i], whole[j]) {
					t.Errorf("%s %q vs %q: strong %v", name, its[i].Title, its[j].Title, got)
				}
			}
			if want {
				same++
			}
		}
	}
	if same == 0 {
		t.Fatal("no pair is one story: the check checks nothing")
	}
}

// TestRecordsReuse checks that Records decodes a record once and again
// only when the stored bytes change.
func TestRecordsReuse(t *testing.T) {
	var c story.Records
	it := item.Item{Key: "l:1", Source: "lwn", Title: "Linux 6.13 released", Link: "https://lwn.net/Articles/1/",
		Summary: "long text", Published: t0(), StoryKeys: []string{"l:1", "r:linux/6.13"}}
	raw, err := story.EncodeRecord(it)
	if err != nil {
		t.Fatal(err)
	}
	c.Wrote(it, raw)
	a, err := c.Stored(it.Key, raw, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if a.Item.Summary != "" || a.Item.Title != it.Title || a.Story != "s1" || a.Features == nil {
		t.Fatalf("stored %+v", a)
	}
	b, _ := c.Stored(it.Key, raw, "")
	if a.Features != b.Features {
		t.Error("features prepared twice for the same bytes")
	}
	it.Title = "Linux 6.13 is out"
	raw2, _ := story.EncodeRecord(it)
	d, err := c.Stored(it.Key, raw2, "")
	if err != nil {
		t.Fatal(err)
	}
	if d.Item.Title != it.Title || d.Features == a.Features {
		t.Errorf("changed bytes gave the old record: %q", d.Item.Title)
	}
	if _, err := c.Stored("l:2", []byte("{"), ""); err == nil {
		t.Error("a damaged record decoded")
	}
}
