package extract

import (
	"testing"

	"github.com/kernelwire/kernelwire/internal/item"
)

// TestTable checks every registered extractor is usable: a unique name,
// a Find, and a MayFind that never hides what Find finds on its sample.
func TestTable(t *testing.T) {
	samples := map[string]string{
		"kernel_version": "Linux 6.13-rc1 released",
		"cve":            "Fix for CVE-2024-1086 in nf_tables",
		"patch":          "[PATCH v2 1/3] mm: add foo",
		"trailer":        "Signed-off-by: A Dev <a@example.org>",
	}
	seen := map[string]bool{}
	for i, x := range All() {
		if x.Name == "" || seen[x.Name] || x.Find == nil || x.Doc == "" {
			t.Errorf("extractor %d %q: empty or duplicate name, no Find or no Doc", i, x.Name)
		}
		seen[x.Name] = true
		if j, ok := Lookup(x.Name); !ok || j != i {
			t.Errorf("Lookup(%q) = %d, %v, want %d", x.Name, j, ok, i)
		}
		s, ok := samples[x.Name]
		if !ok {
			t.Errorf("extractor %q has no sample here: add one", x.Name)
			continue
		}
		if len(x.Find(s)) == 0 {
			t.Errorf("%s.Find(%q) found nothing", x.Name, s)
		}
		if x.MayFind != nil && !x.MayFind(s) {
			t.Errorf("%s.MayFind(%q) = false, Find finds something", x.Name, s)
		}
		if x.Record != nil {
			var e item.Extracted
			x.Record(&e, x.Find(s), s)
			if e.KernelVersions == nil && e.CVEs == nil && e.Patch == nil {
				t.Errorf("%s.Record stored nothing for %q", x.Name, s)
			}
		}
	}
	if _, ok := Lookup("no_such"); ok {
		t.Error("Lookup found an unknown extractor")
	}
}
