package web

import (
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/story"
)

// KernelFilter selects by the kernel lane's data: stories of a patch
// series or pull request (Series), those that reached a state (Status,
// anywhere in their history: a merged series was applied too) or a tree
// (Tree, a word of an event's tree: "net-next" is in
// "netdev/net-next.git (main)"), and items about one CVE (CVE).
type KernelFilter struct {
	Series bool
	Status string
	Tree   string
	CVE    string
}

// seriesFeed is the built-in /feeds/series.<ext>: every patch series and
// pull request, each entry updated as its status changes.
var seriesFeed = NamedFeed{Name: "series", Title: "patch series",
	Description: "Patch series and pull requests on the kernel lists, one entry each, updated as they are reviewed, applied, merged and taken into stable",
	Filter:      Filter{Kernel: KernelFilter{Series: true}}}

var (
	cveParamRe  = regexp.MustCompile(`(?i)^CVE-\d{4}-\d{4,7}$`)
	treeParamRe = regexp.MustCompile(`^[\w.+/-]{1,100}$`)
	states      = []string{item.StatePosted, item.StateReviewed, item.StateApplied, item.StateMerged, item.StateStable, item.StateStableFailed}
)

func (k KernelFilter) isZero() bool { return k == KernelFilter{} }

// statusOf is an item's status: its story's, else its own (a patch
// nobody answered yet is posted).
func statusOf(it *item.Item) *item.Status {
	if it.Status != nil {
		return it.Status
	}
	return story.ItemStatus(*it)
}

func (k KernelFilter) match(it *item.Item) bool {
	if k.isZero() {
		return true
	}
	if k.CVE != "" && !slices.Contains(it.Extracted.CVEs, k.CVE) && (it.Extracted.CVE == nil || it.Extracted.CVE.ID != k.CVE) {
		return false
	}
	if !k.Series && k.Status == "" && k.Tree == "" {
		return true
	}
	st := statusOf(it)
	if st == nil {
		return false
	}
	if k.Status != "" && !slices.ContainsFunc(st.Events, func(e item.Event) bool { return e.State == k.Status }) {
		return false
	}
	if k.Tree != "" && !slices.ContainsFunc(st.Events, func(e item.Event) bool { return treeHas(e.Tree, k.Tree) }) {
		return false
	}
	return true
}

// treeHas reports whether tree names want: the whole name or one of its
// words ("netdev/net-next.git (main)" has net-next, netdev and main).
func treeHas(tree, want string) bool {
	tree, want = strings.ToLower(tree), strings.ToLower(want)
	if tree == want {
		return true
	}
	words := strings.FieldsFunc(tree, func(r rune) bool { return strings.ContainsRune(" /()", r) })
	for _, w := range words {
		if w == want || strings.TrimSuffix(w, ".git") == want {
			return true
		}
	}
	return strings.Contains(tree, want) && strings.ContainsAny(want, "/.")
}

func (k KernelFilter) values(v url.Values) {
	if k.Series {
		v.Set("series", "1")
	}
	if k.Status != "" {
		v.Set("status", k.Status)
	}
	if k.Tree != "" {
		v.Set("tree", k.Tree)
	}
	if k.CVE != "" {
		v.Set("cve", k.CVE)
	}
}

func (k KernelFilter) describe(parts []string) []string {
	if k.Series {
		parts = append(parts, "patch series")
	}
	if k.Status != "" {
		parts = append(parts, k.Status)
	}
	if k.Tree != "" {
		parts = append(parts, "in "+k.Tree)
	}
	if k.CVE != "" {
		parts = append(parts, k.CVE)
	}
	return parts
}

// parseKernelFilter reads series=, status=, tree= and cve=.
func parseKernelFilter(q url.Values) (KernelFilter, error) {
	var k KernelFilter
	switch v := q.Get("series"); v {
	case "", "0", "false":
	case "1", "true":
		k.Series = true
	default:
		return KernelFilter{}, errBadRequest("bad series %q: want 1 or 0", v)
	}
	if v := strings.ToLower(strings.TrimSpace(q.Get("status"))); v != "" {
		if !slices.Contains(states, v) {
			return KernelFilter{}, errBadRequest("bad status %q: want one of %s", v, strings.Join(states, ", "))
		}
		k.Status = v
	}
	if v := strings.TrimSpace(q.Get("tree")); v != "" {
		if !treeParamRe.MatchString(v) {
			return KernelFilter{}, errBadRequest("bad tree %q: want a tree or branch name such as rust-next or net-next", v)
		}
		k.Tree = v
	}
	if v := strings.TrimSpace(q.Get("cve")); v != "" {
		if !cveParamRe.MatchString(v) {
			return KernelFilter{}, errBadRequest("bad cve %q: want a CVE id such as CVE-2024-26581", v)
		}
		k.CVE = strings.ToUpper(v)
	}
	return k, nil
}
