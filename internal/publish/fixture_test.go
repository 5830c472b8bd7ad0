package publish

import (
	"time"

	"github.com/kernelwire/kernelwire/internal/item"
)

var t0 = time.Date(2026, 1, 5, 10, 30, 0, 0, time.UTC)

// testItems covers the cases the gorilla/feeds defects were seen on: HTML
// and plain-text summaries, "<" in a title, links differing only in the
// query string, no link, control characters, topics and the extension.
func testItems() []item.Item {
	return []item.Item{
		{
			Key:       "https://lore.kernel.org/rust-for-linux/20260105-foo-v3-2@example.org/",
			Source:    "lore-rust",
			Link:      "https://lore.kernel.org/rust-for-linux/20260105-foo-v3-2@example.org/",
			Title:     "[PATCH v3 02/11] rust: kernel: add foo",
			Summary:   "<p>Adds <code>foo</code> &amp; bar.</p>",
			Content:   "<p>Full <b>patch</b> body.</p>",
			Author:    "Jane Dev <jane@example.org>",
			Topics:    []string{"rust"},
			Matched:   map[string]item.Match{"rust": {Rule: "subject-prefix", Words: []string{"rust:"}}},
			Extracted: item.Extracted{KernelVersions: []string{"6.19"}, Patch: &item.Patch{Kind: "PATCH", Version: 3, Index: 2, Total: 11, Subsystem: "rust"}},
			Published: t0,
		},
		{
			Key:       "https://lwn.net/Articles/1000001/",
			Source:    "lwn",
			Link:      "https://lwn.net/Articles/1000001/",
			Title:     "Why x < y in <linux/sched.h> & friends",
			Summary:   "a < b && c > d, in plain text",
			Author:    "Bob",
			Topics:    []string{"mm", "sched"},
			Matched:   map[string]item.Match{"sched": {Rule: "keyword", Words: []string{"sched"}}, "mm": {Rule: "keyword", Words: []string{"mm"}}},
			Published: t0.Add(-time.Hour),
			Updated:   t0.Add(-30 * time.Minute),
		},
		{
			Key:       "https://bugs.example.org/view?id=100",
			Source:    "bugs",
			Link:      "https://bugs.example.org/view?id=100",
			Title:     "Bug 100: oops in ext4",
			Summary:   "Oops on mount.",
			Topics:    []string{"ext4"},
			Extracted: item.Extracted{CVEs: []string{"CVE-2026-1000"}},
			Published: t0.Add(-2 * time.Hour),
		},
		{
			Key:       "https://bugs.example.org/view?id=200",
			Source:    "bugs",
			Link:      "https://bugs.example.org/view?id=200",
			Title:     "Bug 200: oops in ext4",
			Summary:   "Oops on umount.",
			Topics:    []string{"ext4"},
			Published: t0.Add(-2 * time.Hour),
		},
		{
			Key:       "msgid:20260104.nolink@example.org",
			Source:    "mail",
			Title:     "Item without a link",
			Summary:   "Only a summary.",
			Published: t0.Add(-3 * time.Hour),
		},
		{
			Key:       "https://example.org/ctl",
			Source:    "lwn",
			Link:      "https://example.org/ctl",
			Title:     "Control\x01 char\x0b",
			Summary:   "bell\x07 in text",
			Content:   "<p>nul\x00 inside ]]> cdata</p>",
			Topics:    []string{"security"},
			Extracted: item.Extracted{CVEs: []string{"CVE-2026-1234"}},
			Published: t0.Add(-4 * time.Hour),
		},
	}
}

func testFeed() Feed {
	return Feed{
		ID:          "tag:kernelwire.example.org,2026:feeds/all",
		Title:       "kernelwire: all",
		Description: "Curated Linux kernel news",
		SelfURL:     "https://kernelwire.example.org/feeds/all.atom",
		HTMLURL:     "https://kernelwire.example.org/topics/all",
		NextURL:     "https://kernelwire.example.org/feeds/all.atom?before=2",
		HubURL:      "https://hub.example.org/",
		Updated:     t0,
		Items:       testItems(),
		Generator:   "kernelwire v0.1.0",
		TopicTitles: map[string]string{"rust": "Rust for Linux", "mm": "Memory management", "sched": "Scheduler", "ext4": "ext4", "security": "Security"},
		SourceURLs:  map[string]string{"lore-rust": "https://lore.kernel.org/rust-for-linux/new.atom", "lwn": "https://lwn.net/headlines/rss", "bugs": "https://bugs.example.org/feed?x=1&y=2"},
	}
}
