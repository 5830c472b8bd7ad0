package deps

import (
	"bufio"
	"bytes"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/kernelwire/kernelwire/"

// rule is one line of the import table: every package of ours whose
// import path (without the module) matches pkg may, in its production
// code, depend on the packages of ours that allowed accepts. Direct rules
// look at what a package imports itself, the others at everything it
// depends on (go list -deps). A rule whose packages do not exist (yet)
// holds trivially; a new package matching a pattern is covered at once.
type rule struct {
	pkg     string // a path, or a path ending in "/..." for it and everything below
	direct  bool
	allowed func(dep string) bool
	why     string
}

func under(p string) func(string) bool {
	return func(dep string) bool { return dep == p || strings.HasPrefix(dep, p+"/") }
}

func none(string) bool { return false }

func only(ps ...string) func(string) bool {
	return func(dep string) bool { return slices.Contains(ps, dep) }
}

func not(f func(string) bool) func(string) bool { return func(d string) bool { return !f(d) } }

// table is the architecture: data flows fetch -> parse -> tag -> dedup ->
// story -> store -> poll / publish -> web, and main wires it.
var table = []rule{
	{pkg: "internal/item", allowed: none,
		why: "item is the shared vocabulary: it imports nothing of ours"},
	{pkg: "internal/extract/...", allowed: only("internal/item"),
		why: "the kernel extractors are a leaf: they fill item.Extracted and import nothing else of ours"},
	{pkg: "internal/dedup/...", allowed: not(under("internal/store")),
		why: "dedup is pure: it never imports a store"},
	{pkg: "internal/story/...", allowed: not(under("internal/store")),
		why: "story plans saves without a store: the backends apply its plans"},
	{pkg: "internal/store", allowed: only("internal/item"),
		why: "store is the contract: interfaces and types over item"},
	{pkg: "internal/poll/...", allowed: not(under("internal/web")),
		why: "poll and web meet only in the store"},
	{pkg: "internal/web/...", allowed: not(under("internal/poll")),
		why: "poll and web meet only in the store"},
	{pkg: "internal/...", direct: true, allowed: not(under("internal/config")),
		why: "only cmd/kernelwire imports config: main parses it once and hands named settings down"},
}

func (r rule) matches(p string) bool {
	if base, ok := strings.CutSuffix(r.pkg, "/..."); ok {
		return p == base || strings.HasPrefix(p, base+"/")
	}
	return p == r.pkg
}

// golist runs go list in the module root and returns one line per package.
func golist(t *testing.T, args ...string) []string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	cmd.Dir = filepath.Join("..", "..")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %v: %v\n%s", args, err, stderr.Bytes())
	}
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}

// ours returns the packages of ours among paths, without the module.
func ours(paths []string) []string {
	var out []string
	for _, p := range paths {
		if q, ok := strings.CutPrefix(p, module); ok {
			out = append(out, q)
		}
	}
	return out
}

// TestImportTable checks every package of the module (production code,
// not tests: a test may load the shipped feeds.yaml through config)
// against the table.
func TestImportTable(t *testing.T) {
	direct := map[string][]string{}
	for _, line := range golist(t, "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./...") {
		f := strings.Fields(line)
		direct[strings.TrimPrefix(f[0], module)] = ours(f[1:])
	}
	if len(direct) < 10 {
		t.Fatalf("go list found %d packages: not run in the module?", len(direct))
	}
	checked := 0
	for _, r := range table {
		for p, imports := range direct {
			if !r.matches(p) || strings.HasPrefix(p, "internal/deps") {
				continue
			}
			deps := imports
			if !r.direct {
				deps = ours(golist(t, "-deps", module+p))
			}
			checked++
			for _, d := range deps {
				if d != p && !r.allowed(d) {
					t.Errorf("%s imports %s: %s", p, d, r.why)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no package matched the table")
	}
}

// TestTableCatches checks the check itself: a table line fails on the
// imports it forbids, here dedup reaching the store as it once did.
func TestTableCatches(t *testing.T) {
	for _, tc := range []struct {
		pkg, dep string
		ok       bool
	}{
		{"internal/dedup", "internal/store", false},
		{"internal/dedup", "internal/store/boltstore", false},
		{"internal/dedup", "internal/extract", true},
		{"internal/store", "internal/story", false},
		{"internal/store", "internal/item", true},
		{"internal/item", "internal/extract", false},
		{"internal/web", "internal/poll", false},
		{"internal/poll", "internal/web", false},
		{"internal/poll", "internal/config", false},
		{"internal/story/storytest", "internal/parse", true},
	} {
		ok := true
		for _, r := range table {
			if r.matches(tc.pkg) && !r.allowed(tc.dep) {
				ok = false
			}
		}
		if ok != tc.ok {
			t.Errorf("%s importing %s: allowed %v, want %v", tc.pkg, tc.dep, ok, tc.ok)
		}
	}
}
