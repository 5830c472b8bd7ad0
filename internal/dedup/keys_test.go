package dedup

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/kernelwire/kernelwire/internal/extract"
	"github.com/kernelwire/kernelwire/internal/item"
)

func TestIdentityURLMessages(t *testing.T) {
	const msg = "CAHk-=whnC+hRftevTLeVs3tyyqwn+7un=jUES2-WX+pZhDdKNw@mail.gmail.com"
	want := "lore.kernel.org/r/" + msg
	for _, link := range []string{
		"https://lore.kernel.org/lkml/" + msg + "/",
		"https://lore.kernel.org/lkml/" + msg + "/T/",
		"https://lore.kernel.org/lkml/" + msg + "/t.mbox.gz",
		"https://lore.kernel.org/lkml/" + msg + "/raw",
		"https://lore.kernel.org/rust-for-linux/" + msg + "/",
		"http://lore.kernel.org/all/" + strings.Replace(msg, "@", "%40", 1) + "/",
		"https://lore.kernel.org/r/" + msg,
		"https://lkml.kernel.org/r/" + msg,
		"https://patch.msgid.link/" + msg,
	} {
		if got := IdentityURL(link); got != want {
			t.Errorf("IdentityURL(%q) = %q, want %q", link, got, want)
		}
	}
	for _, link := range []string{"https://lore.kernel.org/lkml/", "https://lore.kernel.org/lkml/?q=rust", "https://lore.kernel.org/lkml/" + msg + "/2-foo.patch"} {
		if got := IdentityURL(link); strings.HasPrefix(got, "lore.kernel.org/r/") {
			t.Errorf("IdentityURL(%q) = %q, want no message identity", link, got)
		}
	}
}

func TestStoryKeys(t *testing.T) {
	tests := []struct {
		name string
		a, b item.Item
		same bool // share at least one key
	}{
		{"LWN subscriber link", item.Item{Link: "https://lwn.net/SubscriberLink/1046841/5bbf1fc049a18947/"},
			item.Item{Link: "https://lwn.net/Articles/1046841/"}, true},
		{"lore thread view vs message", item.Item{Link: "https://lore.kernel.org/lkml/a@b/T/"},
			item.Item{Link: "https://lore.kernel.org/stable/a@b/"}, true},
		{"reddit link post", item.Item{Link: "https://www.reddit.com/r/rust/comments/x/y/",
			Summary: `<span><a href="https://blog.rust-lang.org/2023/06/01/Rust-1.70.0.html">[link]</a></span>`},
			item.Item{Link: "https://blog.rust-lang.org/2023/06/01/Rust-1.70.0.html"}, true},
		{"reddit self post", item.Item{Link: "https://www.reddit.com/r/rust/comments/x/y/",
			Summary: `<span><a href="https://www.reddit.com/r/rust/comments/x/y/">[link]</a></span> <a href="https://example.org/a">a</a>`},
			item.Item{Link: "https://example.org/a"}, false},
		{"hnrss comments link", item.Item{Link: "https://news.ycombinator.com/item?id=1",
			Summary: `<p>Article URL: <a href="https://www.phoronix.com/news/X">https://www.phoronix.com/news/X</a></p>`},
			item.Item{Link: "https://phoronix.com/news/X"}, true},
		{"github release and blog", item.Item{Title: "1.71.0", Link: "https://github.com/rust-lang/rust/releases/tag/1.71.0"},
			item.Item{Title: "Announcing Rust 1.71.0", Link: "https://blog.rust-lang.org/2023/07/13/Rust-1.71.0.html"}, true},
		{"kdist and lore announcement", item.Item{Title: "6.13-rc2: mainline", Link: "http://www.kernel.org/"},
			item.Item{Title: "Linux 6.13-rc2"}, true},
		{"release vs pre-release testing", item.Item{Title: "Announcing Rust 1.71.0"},
			item.Item{Title: "1.71.0 pre-release testing"}, false},
		{"release vs feature article", item.Item{Title: "Linux 6.17 Released"},
			item.Item{Title: "Linux 6.17 Enables x86 MacBook Pro Touch Bars"}, false},
		{"patch versions share the thread", item.Item{Title: "[PATCH v2 0/5] rust: add foo"},
			item.Item{Title: "Re: [PATCH v3 0/5] rust: add foo"}, true},
		{"kdist home page link is no identity", item.Item{Title: "6.13-rc1: mainline", Link: "http://www.kernel.org/"},
			item.Item{Title: "6.12.1: stable", Link: "http://www.kernel.org/"}, false},
		{"shared link with guid key", item.Item{Key: "g:1", Link: "https://example.org/news"},
			item.Item{Key: "g:2", Link: "https://example.org/news"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ka, kb := StoryKeys(tc.a), StoryKeys(tc.b)
			if got := slices.ContainsFunc(ka, func(k string) bool { return slices.Contains(kb, k) }); got != tc.same {
				t.Errorf("keys %q and %q: shared = %v, want %v", ka, kb, got, tc.same)
			}
		})
	}
}

func TestReleaseKeys(t *testing.T) {
	tests := []struct{ title, link, want string }{
		{"Linux 6.18", "", "r:linux/6.18"},
		{"The 6.18 kernel has been released", "", "r:linux/6.18"},
		{"Kernel prepatch 6.19-rc1", "", "r:linux/6.19-rc1"},
		{"Linux 4.5-rc7 Released, Linux 4.5 Final Likely Next Week", "", "r:linux/4.5-rc7"},
		{"Torvalds releases Linux 6.18, says the 6.19 merge window will be short", "", "r:linux/6.18"},
		{"Stable kernels 4.4.4, 3.14.63, and 3.10.99", "", "r:linux/4.4.4 r:linux/3.14.63 r:linux/3.10.99"},
		{"Announcing Rust 1.71.0", "", "r:rust/1.71"},
		{"Rust 1.68.2 Released To Fix GitHub SSH Key Issue", "", "r:rust/1.68.2"},
		{"[ANNOUNCE] mesa 25.2.0-rc3", "", "r:mesa/25.2-rc3"},
		{"1.77.1", "https://github.com/rust-lang/rust/releases/tag/1.77.1", "r:rust/1.77.1"},
		{"1.77.1", "https://example.org/", ""},
		{"1.71.0 pre-release testing", "", ""},
		{"Linux 6.17 Memory Management Optimizations", "", ""},
		{"Ubuntu 25.10 Snapshot 3 Released For Monthly Testing", "", ""},
		{"Linux 6.14 To Be Released Next Week", "", ""},
		{"Vulkan 1.4.324 Adds Experimental AMD Extension", "", ""},
	}
	for _, tc := range tests {
		if got := strings.Join(releaseKeys(tc.title, tc.link, extract.KernelVersions(tc.title)), " "); got != tc.want {
			t.Errorf("releaseKeys(%q) = %q, want %q", tc.title, got, tc.want)
		}
	}
}

func FuzzStoryKeys(f *testing.F) {
	for _, s := range [][3]string{
		{"Linux 6.18 Released", "https://lore.kernel.org/lkml/a@b/T/", ""},
		{"[PATCH v3 0/5] rust: add foo", "https://lore.kernel.org/rust-for-linux/x@y/", ""},
		{"Announcing Rust 1.71.0", "https://www.reddit.com/r/rust/comments/1/", `<a href="https://blog.rust-lang.org/">[link]</a>`},
		{"Re: Re: [GIT PULL] v6.1.2-rc3", "http://lkml.kernel.org/r/%40", "Article URL: <a href=\"::\">"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, title, link, summary string) {
		it := item.Item{Title: title, Link: link, Summary: summary}
		a, b := StoryKeys(it), StoryKeys(it)
		if !slices.Equal(a, b) {
			t.Fatalf("unstable keys: %q vs %q", a, b)
		}
		for _, k := range a {
			if k == "" || len(k) > 200 {
				t.Fatalf("bad key %q", k)
			}
		}
		if ok, why := SameStory(it, it); !ok && why != VetoPatch && why != VetoReply && why != ReasonDissimilar {
			t.Fatalf("item is not its own story: %s", why)
		}
	})
}

// TestKeySetFromStoryKeys checks that the keys SameStory reads off
// Assign's StoryKeys are the ones it would compute, kind by kind, on every
// labelled item.
func TestKeySetFromStoryKeys(t *testing.T) {
	var items []item.Item
	for _, l := range readJSONL[labelled](t, "testdata/stories.jsonl") {
		items = append(items, l.item())
	}
	for i := range items {
		one := items[i : i+1]
		Assign(one, one[0].Source)
		it := one[0]
		kv := kernelVersions(it.Title)
		got, want := keySetOf(it, kv), storyKeysWith(it, kv)
		it.StoryKeys = nil
		if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(keySetOf(it, kv), want) {
			t.Errorf("%q: keys from StoryKeys %+v, computed %+v", it.Title, got, want)
		}
	}
	if len(items) < 100 {
		t.Fatalf("only %d labelled items", len(items))
	}
}

// TestSeriesKeys: a cover letter is found under its change-id and under
// the key of every earlier version it links to, which is that version's
// own link key whichever list URL either uses.
func TestSeriesKeys(t *testing.T) {
	v1 := item.Item{Title: "[PATCH 0/4] btrfs: x", Link: "https://lore.kernel.org/linux-btrfs/cover.1767801889.git.fdmanana@suse.com/"}
	v2 := item.Item{Title: "[PATCH v2 0/4] btrfs: y", Link: "https://lore.kernel.org/linux-btrfs/cover.1768307858.git.fdmanana@suse.com/",
		Extracted: item.Extracted{Series: &item.Series{ChangeID: "20240913-mgtime-20c98bcda88e",
			Previous: []string{"https://lore.kernel.org/r/cover.1767801889.git.fdmanana@suse.com"}}}}
	batch := []item.Item{v1}
	Assign(batch, "lore")
	k1 := batch[0].Key
	keys := StoryKeys(v2)
	if !slices.Contains(keys, "x:20240913-mgtime-20c98bcda88e") || !slices.Contains(keys, k1) {
		t.Errorf("StoryKeys(v2) = %q, want the change-id and v1's key %q", keys, k1)
	}
	ks := keySetOf(item.Item{StoryKeys: keys}, nil)
	if !slices.Contains(ks.strong, "x:20240913-mgtime-20c98bcda88e") {
		t.Errorf("keySetOf does not read the change-id back as strong: %+v", ks)
	}
}

func TestReleaseVersions(t *testing.T) {
	tests := []struct {
		title string
		want  []string
	}{
		{"Linux 6.13 released", []string{"6.13"}},
		{"6.13-rc2: mainline", []string{"6.13-rc2"}},
		{"Stable kernels 6.12.5 and 6.6.66", []string{"6.12.5", "6.6.66"}},
		{"The beginning of the 6.13 merge window", nil},
		{"Linux 6.13 Features: AMD, Rust", nil},
		{"Announcing Rust 1.71.0", nil},
	}
	for _, tc := range tests {
		if got := ReleaseVersions(item.Item{Title: tc.title}); !slices.Equal(got, tc.want) {
			t.Errorf("ReleaseVersions(%q) = %q, want %q", tc.title, got, tc.want)
		}
	}
}

// TestAssignSharesText: Assign parses each link and splits each title once
// for the identity, the keys and the signature; what it sets must be what
// the functions that work each out on their own give, on every item of the
// dev set, batched by source as a poll batches them (so shared links
// occur), and linkOf's host must be linkHost's.
func TestAssignSharesText(t *testing.T) {
	bySource := map[string][]item.Item{}
	for _, l := range readJSONL[labelled](t, "testdata/real-dev.jsonl") {
		bySource[l.Source] = append(bySource[l.Source], l.item())
	}
	n := 0
	for src, batch := range bySource {
		Assign(batch, src)
		for _, it := range batch {
			n++
			if got, want := it.StoryKeys, StoryKeys(it); !slices.Equal(got, want) {
				t.Errorf("%q: Assign's story keys %q, StoryKeys %q", it.Title, got, want)
			}
			if got, want := it.Buckets, Signature(it).Buckets(); !slices.Equal(got, want) {
				t.Errorf("%q: Assign's buckets %q, Signature's %q", it.Title, got, want)
			}
			for _, link := range []string{it.Link, it.GUID, it.InReplyTo} {
				if got, want := linkOf(link).host, linkHost(link); got != want {
					t.Errorf("linkOf(%q).host = %q, linkHost %q", link, got, want)
				}
			}
		}
	}
	if n < 1000 {
		t.Fatalf("only %d dev items", n)
	}
}
