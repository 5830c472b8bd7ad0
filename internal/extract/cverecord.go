package extract

import (
	"regexp"
	"strings"

	"github.com/kernelwire/kernelwire/internal/item"
)

// The kernel CNA (Documentation/process/cve.rst) announces every CVE on
// the linux-cve-announce list in one generated shape: the subject "CVE-2024-26581: <commit
// subject>", a description ending "The Linux kernel CVE team has assigned
// CVE-2024-26581 to this issue.", then sections underlined with "=":
// "Affected and fixed versions", one line per branch ("Issue introduced in
// 6.5 with commit f718863aca46 and fixed in 6.6.17 with commit
// 1296c110c5a0", or only one half of it, or "Fixed in 4.19.307 with commit
// ..."), and "Affected files" ("The file(s) affected by this issue are:"
// and one path per line).
var (
	cveAssignedRe = regexp.MustCompile(`(?i)^The Linux kernel CVE team has assigned (CVE-\d{4}-\d{4,7}) to this issue\.?$`)
	cveRangeRe    = regexp.MustCompile(`(?i)^(?:Issue introduced in (\S+) with commit ([0-9a-f]{7,40})(?: and fixed in (\S+) with commit ([0-9a-f]{7,40}))?` +
		`|(?:Issue )?fixed in (\S+) with commit ([0-9a-f]{7,40}))\.?$`)
	cveFilePathRe = regexp.MustCompile(`^[A-Za-z0-9_.+-]+(?:/[A-Za-z0-9_.+-]+)+$|^(?:Makefile|Kconfig|MAINTAINERS)$`)
)

// CVERecordLines finds the facts of a kernel CNA announcement in mail
// text (MailText): "CVE-…" (the id the CNA says it assigned), each
// "Affected and fixed versions" line as written, and "file: PATH" for each
// affected file. Nothing for any other mail, so press and discussion
// naming a CVE are not mistaken for the record.
func CVERecordLines(text string) []string {
	if !mayCVERecord(text) {
		return nil
	}
	lines := strings.Split(text, "\n")
	var out []string
	id := ""
	files := false
	for _, raw := range lines {
		l := strings.TrimSpace(raw)
		switch {
		case l == "":
			continue
		case strings.HasPrefix(l, "===") && strings.Trim(l, "=") == "":
			continue
		}
		if m := cveAssignedRe.FindStringSubmatch(l); m != nil && id == "" {
			id = strings.ToUpper(m[1])
			out = append(out, id)
			continue
		}
		if cveRangeRe.MatchString(l) {
			out = appendNew(out, l)
			files = false
			continue
		}
		if strings.EqualFold(l, "The file(s) affected by this issue are:") {
			files = true
			continue
		}
		if files {
			if cveFilePathRe.MatchString(l) {
				out = appendNew(out, "file: "+l)
				continue
			}
			files = false
		}
	}
	if id == "" {
		return nil
	}
	return out
}

// cveRecordOf is CVERecordLines' findings as an item.CVE.
func cveRecordOf(found []string) *item.CVE {
	if len(found) == 0 || !strings.HasPrefix(found[0], "CVE-") {
		return nil
	}
	c := &item.CVE{ID: found[0]}
	var fixCommits, introCommits []string
	for _, f := range found[1:] {
		if p, ok := strings.CutPrefix(f, "file: "); ok {
			c.Files = appendNew(c.Files, p)
			continue
		}
		m := cveRangeRe.FindStringSubmatch(f)
		if m == nil {
			continue
		}
		r := item.CVERange{Introduced: m[1], IntroducedCommit: m[2], Fixed: m[3], FixedCommit: m[4]}
		if m[5] != "" {
			r.Fixed, r.FixedCommit = m[5], m[6]
		}
		c.Ranges = append(c.Ranges, r)
		if r.Fixed != "" {
			c.Fixed = appendNew(c.Fixed, r.Fixed)
			fixCommits = appendNew(fixCommits, r.FixedCommit)
		}
		if r.Introduced != "" {
			c.Introduced = appendNew(c.Introduced, r.Introduced)
			introCommits = appendNew(introCommits, r.IntroducedCommit)
		}
	}
	c.Commits = fixCommits
	for _, x := range introCommits {
		c.Commits = appendNew(c.Commits, x)
	}
	c.Subsystems = Subsystems(c.Files)
	return c
}

func mayCVERecord(s string) bool {
	return strings.Contains(s, "CVE team has assigned")
}
