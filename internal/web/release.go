package web

import (
	"context"
	"slices"
	"time"

	"github.com/kernelwire/kernelwire/internal/extract"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/publish"
	"github.com/kernelwire/kernelwire/internal/store"
)

// notesScan bounds how many of the newest security and releases items
// are read to gather a release's notes: CVE announcements and
// merge-window summaries come within weeks of a release, and the bound
// keeps the gathering to a few store reads per render.
const notesScan = 1000

// releaseNotes gathers what the store holds about the kernel versions
// items release (publish.ReleaseVersions): the CVEs the kernel CNA
// announced as fixed in each (from the security index) and its notes, the
// items of the releases index that name the version without announcing a
// release (merge-window summaries, feature articles). Nil when no item is
// a release.
func (s *Server) releaseNotes(ctx context.Context, items []item.Item) (map[string]publish.ReleaseNotes, error) {
	var versions []string
	for i := range items {
		for _, v := range publish.ReleaseVersions(&items[i]) {
			if !slices.Contains(versions, v) {
				versions = append(versions, v)
			}
		}
	}
	if len(versions) == 0 {
		return nil, nil
	}
	out := map[string]publish.ReleaseNotes{}
	add := func(v string, it *item.Item, f func(*publish.ReleaseNotes)) {
		n := out[v]
		f(&n)
		n.Updated = later(n.Updated, it.Published)
		out[v] = n
	}
	err := s.scanIndex(ctx, "security", func(it *item.Item) {
		c := it.Extracted.CVE
		if c == nil {
			return
		}
		for _, v := range versions {
			if slices.Contains(c.Fixed, v) {
				add(v, it, func(n *publish.ReleaseNotes) {
					if !slices.Contains(n.CVEs, c.ID) {
						n.CVEs = append(n.CVEs, c.ID)
					}
				})
			}
		}
	})
	if err != nil {
		return nil, err
	}
	err = s.scanIndex(ctx, "releases", func(it *item.Item) {
		if it.Extracted.CVE != nil || extract.Patch(it.Title) != nil || len(publish.ReleaseVersions(it)) > 0 {
			return
		}
		named := extract.KernelVersions(it.Title)
		for _, v := range versions {
			if slices.Contains(named, v) {
				add(v, it, func(n *publish.ReleaseNotes) {
					n.Notes = append(n.Notes, item.Related{URL: it.Link, Source: it.Source, Title: it.Title, Published: it.Published})
				})
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// scanIndex calls fn on the newest notesScan items of topic's index.
func (s *Server) scanIndex(ctx context.Context, topic string, fn func(*item.Item)) error {
	if _, ok := s.topics[topic]; !ok {
		return nil
	}
	for off := 0; off < notesScan; off += scanBatch {
		batch, err := s.cfg.Store.Items(ctx, store.Query{Topic: topic, Offset: off, Limit: scanBatch})
		if err != nil {
			return err
		}
		for i := range batch {
			fn(&batch[i])
		}
		if len(batch) < scanBatch {
			return nil
		}
	}
	return nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
