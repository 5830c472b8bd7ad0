package dedup

import (
	"strings"

	"github.com/kernelwire/kernelwire/internal/item"
)

// releaseWords may surround a version in a release announcement's title,
// besides the product name: "Announcing Rust 1.71.0", "Linux 6.13 is out",
// "Kernel prepatch 6.13-rc2", "Stable kernels 6.12.5 and 6.6.66",
// "6.13-rc2: mainline". A title with any other word ("Linux 6.13 merge
// window", "1.71.0 pre-release testing", "Ubuntu 25.10 Snapshot 3") is
// about something else, so it gets no release key: Phoronix alone writes
// dozens of "Linux 6.17 ..." articles per cycle.
var releaseWords = map[string]bool{
	"released": true, "release": true, "releases": true, "announcing": true,
	"announced": true, "announces": true, "announce": true, "out": true,
	"available": true, "arrives": true, "arrived": true, "ships": true,
	"shipped": true, "lands": true, "landed": true, "tagged": true,
	"debuts": true, "prepatch": true, "mainline": true, "stable": true,
	"longterm": true, "final": true,
	"the": true, "is": true, "has": true, "been": true, "now": true,
	"officially": true, "version": true, "a": true, "and": true, "here": true,
	"it": true, "s": true,
	"linux": true, "kernel": true, "kernels": true, "linus": true, "torvalds": true,
}

// releaseVerbs are the releaseWords that say "this is the release"; a
// title cut at "with" must keep one ("Linux 6.13 Released With ...").
var releaseVerbs = map[string]bool{
	"released": true, "releases": true, "announcing": true, "announced": true,
	"announces": true, "out": true, "available": true, "arrives": true,
	"arrived": true, "ships": true, "shipped": true, "lands": true,
	"landed": true, "tagged": true, "debuts": true, "here": true,
}

// headSeparators end the part of a headline that names the event; what
// follows lists features ("Linux 6.13 Released With AMD ...").
var headSeparators = []string{
	" with ", " - ", " – ", " — ", ": ", ", ", "; ", " brings ", " adds ", " featuring ",
	" including ", " as ", " after ", " following ", " amid ", " ahead ", " to ", " for ",
}

// releaseKeys returns the release keys of a title, "r:linux/6.13-rc2" or
// "r:rust/1.71", when the title announces a release (see releaseWords).
// Kernel versions come from extract.KernelVersions and are keyed as product
// "linux". Other products take the word before the version as the
// product, or, for a GitHub release titled just "1.71.0", the repository
// name from the link; kv is extract.KernelVersions(title). Their version drops trailing ".0" parts, since
// "Rust 1.71" and "Rust 1.71.0" name one release.
func releaseKeys(title, link string, kv []string) []string {
	return releaseKeysWith(title, link, kv, words(title))
}

// releaseKeysWith is releaseKeys given words(title), which it only reads.
func releaseKeysWith(title, link string, kv, ws []string) []string {
	if len(kv) > 0 {
		if !releaseShaped(title, "") {
			head := releaseHead(title)
			if head == "" {
				return nil
			}
			kv = kernelVersions(head)
		}
		out := make([]string, 0, len(kv))
		for _, v := range kv {
			out = append(out, releasePrefix+"linux/"+v)
		}
		return out
	}
	i := 0
	for i < len(ws) && !isVersionWord(ws[i]) {
		i++
	}
	if i == len(ws) {
		return nil
	}
	product := ""
	switch {
	case i > 0 && isProductWord(ws[i-1]):
		product = ws[i-1]
	case len(ws) == 1:
		product = githubReleaseRepo(link)
	}
	if product == "" || (!releaseShaped(title, product) && releaseHead(title) == "") {
		return nil
	}
	return []string{releasePrefix + product + "/" + normVersion(ws[i])}
}

// releaseShaped reports whether every word of s other than versions and
// the product is a release word.
func releaseShaped(s, product string) bool {
	for _, w := range words(s) {
		if !isVersionWord(w) && w != product && !releaseWords[w] {
			return false
		}
	}
	return true
}

// releaseHead returns the part of title before its first head separator
// when that part is release-shaped and has a release verb, else "".
func releaseHead(title string) string {
	low := strings.ToLower(title)
	cut := len(low)
	for _, sep := range headSeparators {
		if i := strings.Index(low, sep); i >= 0 && i < cut {
			cut = i
		}
	}
	if cut == len(low) {
		return ""
	}
	head := title[:cut]
	ws := words(head)
	product := ""
	for i, w := range ws {
		if isVersionWord(w) && i > 0 && isProductWord(ws[i-1]) {
			product = ws[i-1]
			break
		}
	}
	verb := false
	for _, w := range ws {
		verb = verb || releaseVerbs[w]
	}
	if !verb || !releaseShaped(head, product) {
		return ""
	}
	return head
}

// isVersionWord reports whether w is a dotted version: "6.13", "v1.71.0",
// "6.13-rc1".
func isVersionWord(w string) bool {
	w = strings.TrimPrefix(w, "v")
	if i := strings.Index(w, "-rc"); i > 0 {
		w = w[:i]
	}
	dots := 0
	prevDigit := false
	for i := 0; i < len(w); i++ {
		switch c := w[i]; {
		case isDigit(c):
			prevDigit = true
		case c == '.' && prevDigit:
			dots++
			prevDigit = false
		default:
			return false
		}
	}
	return dots > 0 && prevDigit
}

// isProductWord reports whether w can name a product: it has a letter and
// is not itself a release word or stopword.
func isProductWord(w string) bool {
	if len(w) > 32 || releaseWords[w] || stopwords[w] {
		return false
	}
	for i := 0; i < len(w); i++ {
		if !isDigit(w[i]) {
			return true
		}
	}
	return false
}

// normVersion drops a "v" and trailing ".0" parts beyond major.minor,
// keeping an "-rc" suffix: "v25.2.0-rc3" is "25.2-rc3".
func normVersion(v string) string {
	v = strings.TrimPrefix(v, "v")
	base, rc, _ := strings.Cut(v, "-rc")
	for strings.Count(base, ".") > 1 && strings.HasSuffix(base, ".0") {
		base = strings.TrimSuffix(base, ".0")
	}
	if rc != "" {
		return base + "-rc" + rc
	}
	return base
}

// githubReleaseRepo is the lower-case repository name of a GitHub release
// link, https://github.com/OWNER/REPO/releases/tag/TAG, else "".
func githubReleaseRepo(link string) string {
	if linkHost(link) != "github.com" {
		return ""
	}
	_, path, _ := strings.Cut(link, "github.com/")
	segs := strings.Split(path, "/")
	if len(segs) < 5 || segs[2] != "releases" || segs[3] != "tag" || !isProductWord(strings.ToLower(segs[1])) {
		return ""
	}
	return strings.ToLower(segs[1])
}

// ReleaseVersions returns the kernel versions an item announces the
// release of ("Linux 6.13 released", "6.13: mainline", "Stable kernels
// 6.12.5 and 6.6.66"): those of its "r:linux/..." release keys, nil for
// an article that merely names a version.
func ReleaseVersions(it item.Item) []string {
	var out []string
	for _, k := range releaseKeys(it.Title, it.Link, kernelVersions(it.Title)) {
		if v, ok := strings.CutPrefix(k, releasePrefix+"linux/"); ok {
			out = append(out, v)
		}
	}
	return out
}
