package web

import (
	"encoding/json"
	"flag"
	"image/png"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/dedup"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/store/boltstore"
)

var updateScreenshot = flag.Bool("update-screenshot", false, "write the README's docs/screenshot.png from the browser test")

// readmeTopics are the shipped feeds.yaml's topics (web does not read the
// config; TestReadmeScreenshot's items use only these).
var readmeTopics = []item.Topic{
	{Slug: "rust-for-linux", Title: "Rust for Linux"}, {Slug: "rust", Title: "Rust"},
	{Slug: "maintainers", Title: "Maintainers"}, {Slug: "releases", Title: "Releases"},
	{Slug: "security", Title: "Security"}, {Slug: "drivers", Title: "Drivers"},
	{Slug: "filesystems", Title: "Filesystems"}, {Slug: "memory-management", Title: "Memory management"},
	{Slug: "networking", Title: "Networking"}, {Slug: "bpf", Title: "BPF"},
	{Slug: "scheduler", Title: "Scheduler"}, {Slug: "architectures", Title: "Architectures"},
	{Slug: "patches", Title: "Patches"},
}

// readmeTopicsOf files the fixture's real items under the shipped topics.
var readmeTopicsOf = map[string][]string{
	"1080956":                       {"security"},
	"1078964":                       {"security"},
	"1078696":                       {"scheduler", "memory-management"},
	"1078526":                       {"bpf"},
	"Linux-6.17-MM":                 {"memory-management"},
	"Linux-6.17-HID":                {"drivers"},
	"FireWire-IEEE-1394-Linux-6.17": {"drivers"},
	"Nova-Rust-6.17":                {"rust-for-linux", "drivers"},
	"Rust-1.71.0":                   {"rust", "releases"},
	"leadership-council":            {"rust", "maintainers"},
	"kernel.org,mainline,5.7-rc4":   {"releases"},
	"kernel.org,stable,6.15.4":      {"releases"},
	"937416":                        {"patches"},
	"937326":                        {"bpf", "filesystems"},
}

// newReadmeServer serves the fixture's real items (not the hostile test
// entry) under the shipped topics and sources' display names, with a
// Hacker News item on an LWN article so a story shows its coverage.
func newReadmeServer(t *testing.T) *Server {
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
		topics, ok := readmeTopicsOf[it.GUID]
		if !ok {
			continue // the hostile entry: a test, not news
		}
		it.Topics, it.FirstSeen = topics, it.Published
		bySource[it.Source] = append(bySource[it.Source], it)
	}
	bySource["hackernews"] = []item.Item{{
		Source: "hackernews", GUID: "hn-1", Link: "https://lwn.net/Articles/1078696/",
		Title: "Reports from OSPM 2026, day two (LWN)", Published: time.Date(2026, 7, 2, 6, 0, 0, 0, time.UTC), Comments: 142,
	}}
	for _, src := range []string{"kernel-org", "lwn", "phoronix", "rust-blog", "hackernews"} {
		its := bySource[src]
		dedup.Assign(its, src)
		if _, err := st.SaveItems(t.Context(), src, its); err != nil {
			t.Fatal(err)
		}
	}
	cfg := fixtureConfig()
	cfg.Store, cfg.Topics, cfg.NamedFeeds = st, readmeTopics, nil
	cfg.Sources = []item.Source{
		{Name: "kernel-org", Title: "kernel.org releases", URL: "https://www.kernel.org/feeds/kdist.xml"},
		{Name: "lwn", Title: "LWN.net", URL: "https://lwn.net/headlines/rss"},
		{Name: "phoronix", Title: "Phoronix", URL: "https://www.phoronix.com/rss.php"},
		{Name: "rust-blog", Title: "Rust Blog", URL: "https://blog.rust-lang.org/feed.xml"},
		{Name: "hackernews", Title: "Hacker News", URL: "https://news.ycombinator.com/rss"},
	}
	return New(cfg)
}

// TestReadmeScreenshot renders the README's screenshot in headless
// Chromium: to $KERNELWIRE_ARTIFACTS, and with -update-screenshot to
// docs/screenshot.png.
func TestReadmeScreenshot(t *testing.T) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		if testing.Short() {
			t.Skip("chromium not installed; -short leaves the browser test out")
		}
		t.Fatalf("chromium is needed for the browser test (apt-get install chromium, or -short): %v", err)
	}
	ts := httptest.NewServer(newReadmeServer(t))
	defer ts.Close()
	dir := os.Getenv("KERNELWIRE_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "readme.png")
	if out, err := chromium(t, bin, "--screenshot="+path, "--hide-scrollbars", "--window-size=1280,1100", ts.URL+"/"); err != nil {
		t.Fatalf("chromium --screenshot: %v\n%s", err, out)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	t.Logf("screenshot %s", path)
	if *updateScreenshot {
		if err := os.WriteFile("../../docs/screenshot.png", data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
