package web

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/dedup"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/store/boltstore"
)

// fixtureNow is the tests' clock: a day after the newest fixture item.
var fixtureNow = time.Date(2026, 7, 3, 12, 0, 0, 0, time.UTC)

func fixtureConfig() Config {
	return Config{
		Version:    "test",
		VersionTTL: time.Nanosecond,
		Now:        func() time.Time { return fixtureNow },
		Topics: []item.Topic{
			{Slug: "rust-for-linux", Title: "Rust for Linux", Description: "Rust inside the Linux kernel"},
			{Slug: "releases", Title: "Kernel releases", Description: "Mainline and stable releases"},
			{Slug: "security", Title: "Security", Description: "Vulnerabilities and updates"},
			{Slug: "subsystems", Title: "Subsystems", Description: "Memory, scheduler, BPF, filesystems, drivers"},
			{Slug: "maintainers", Title: "Maintainers", Description: "Governance and the people"},
			{Slug: "patches", Title: "Patches", Description: "Patch sets under review"},
		},
		Sources: []item.Source{
			{Name: "kernel-org", URL: "https://www.kernel.org/feeds/kdist.xml"},
			{Name: "lwn", URL: "https://lwn.net/headlines/rss"},
			{Name: "phoronix", URL: "https://www.phoronix.com/rss.php"},
			{Name: "rust-blog", URL: "https://blog.rust-lang.org/feed.xml"},
		},
		NamedFeeds: []NamedFeed{{
			Name: "rust-people", Title: "Rust and the people", Description: "Rust for Linux and maintainers, no releases",
			Filter: Filter{Topics: []string{"maintainers", "rust-for-linux"}, Not: []string{"releases"}},
		}},
	}
}

// newFixtureServer serves an embedded store holding testdata/items.json
// (see testdata/README.md), with cfg's store set to it.
func newFixtureServer(t *testing.T, cfg Config) (*Server, store.Store) {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "kw.db"), store.Options{SeenTTL: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	data, err := os.ReadFile("testdata/items.json")
	if err != nil {
		t.Fatal(err)
	}
	var items []item.Item
	if err := json.Unmarshal(data, &items); err != nil {
		t.Fatal(err)
	}
	bySource := map[string][]item.Item{}
	for _, it := range items {
		it.FirstSeen = it.Published
		bySource[it.Source] = append(bySource[it.Source], it)
	}
	for src, its := range bySource {
		dedup.Assign(its, src)
		if _, err := st.SaveItems(t.Context(), src, its); err != nil {
			t.Fatal(err)
		}
	}
	cfg.Store = st
	return New(cfg), st
}
