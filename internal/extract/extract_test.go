package extract

import (
	"reflect"
	"strings"
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
		"series":         "change-id: 20240618-docs-patch-msgid-link-6961045516e0",
		"review":         "Reviewed-by: A Dev <a@example.org>",
		"status":         "Re: [PATCH] x: y\nApplied to for-next, thanks!",
		"cve_record":     "The Linux kernel CVE team has assigned CVE-2024-26581 to this issue.",
		"release":        "<table><tr><th>Version:</th><td>6.13 (mainline)</td></tr><tr><th>Released:</th><td>2025-01-19</td></tr></table>",
		"subsystem":      "[PATCH] mm: fix",
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
		if x.Input == MailLines {
			s = MailText(s)
		}
		if len(x.Find(s)) == 0 {
			t.Errorf("%s.Find(%q) found nothing", x.Name, s)
		}
		if x.MayFind != nil && !x.MayFind(s) {
			t.Errorf("%s.MayFind(%q) = false, Find finds something", x.Name, s)
		}
		if x.Record != nil {
			var e item.Extracted
			x.Record(&e, x.Find(s), strings.SplitN(s, "\n", 2)[0])
			if reflect.ValueOf(e).IsZero() {
				t.Errorf("%s.Record stored nothing for %q", x.Name, s)
			}
		}
	}
	if _, ok := Lookup("no_such"); ok {
		t.Error("Lookup found an unknown extractor")
	}
}
