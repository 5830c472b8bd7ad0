package extract

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"

	"github.com/kernelwire/kernelwire/internal/item"
)

// kernel.org's releases feed (kdist.xml) links every item to its home
// page and describes the release in a table, one row per fact:
//
//	<tr><th align="right">Version:</th><td><strong>6.12.5</strong> (stable)</td></tr>
//	<tr><th align="right">Released:</th><td>2024-12-14</td></tr>
//	<tr><th align="right">Source:</th><td><a href="https://cdn.kernel.org/.../linux-6.12.5.tar.xz">...</a></td></tr>
//	<tr><th align="right">PGP Signature:</th><td><a href="...tar.sign">...</a></td></tr>
//	<tr><th align="right">Patch:</th><td><a href="...">full</a> (<a href="...">incremental</a>)</td></tr>
//	<tr><th align="right">ChangeLog:</th><td><a href="...ChangeLog-6.12.5">ChangeLog-6.12.5</a></td></tr>
//
// (mainline releases have no ChangeLog row, and their links point at
// git.kernel.org).
var (
	releaseVersionRe = regexp.MustCompile(`^(\S+)\s*(\(EOL\))?\s*\(([a-z-]+)\)$`)
	releaseDateRe    = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// ReleaseRows finds the rows of a kdist description table in HTML: each
// as "Label: text" and, when the cell links somewhere, "Label: URL" (the
// first link). Nothing unless the table has a Version and a Released row.
func ReleaseRows(s string) []string {
	if !mayRelease(s) {
		return nil
	}
	z := html.NewTokenizer(strings.NewReader(s))
	var out []string
	var label, cell strings.Builder
	var href string
	in := 0 // 1 in a th, 2 in a td
	version, released := false, false
	flush := func() {
		l := strings.TrimSuffix(strings.TrimSpace(label.String()), ":")
		c := Text(cell.String())
		if l != "" && c != "" {
			out = append(out, l+": "+c)
			if href != "" {
				out = append(out, l+": "+href)
			}
			version = version || l == "Version"
			released = released || l == "Released"
		}
		label.Reset()
		cell.Reset()
		href, in = "", 0
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			flush()
			if !version || !released {
				return nil
			}
			return out
		case html.TextToken:
			switch in {
			case 1:
				label.Write(z.Text())
			case 2:
				cell.WriteString(html.EscapeString(string(z.Text())))
			}
		case html.StartTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "tr":
				flush()
			case "th":
				in = 1
			case "td":
				in = 2
			case "a":
				for hasAttr && in == 2 && href == "" {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					if string(k) == "href" {
						href = string(v)
					}
				}
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); string(name) == "tr" {
				flush()
			}
		}
	}
}

// releaseOf is ReleaseRows' findings as an item.Release. A record
// without a browse link of its own gets the tree's page at the release
// tag on git.kernel.org.
func releaseOf(found []string) *item.Release {
	if len(found) == 0 {
		return nil
	}
	var r item.Release
	for _, f := range found {
		label, v, ok := strings.Cut(f, ": ")
		if !ok {
			continue
		}
		isURL := strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://")
		switch label {
		case "Version":
			if m := releaseVersionRe.FindStringSubmatch(v); m != nil && r.Version == "" {
				r.Version, r.EOL, r.Moniker = m[1], m[2] != "", m[3]
			} else if r.Version == "" && !strings.Contains(v, " ") {
				r.Version = v
			}
		case "Released":
			if releaseDateRe.MatchString(v) {
				r.Released = v
			}
		case "Source":
			setURL(&r.Tarball, v, isURL)
		case "PGP Signature":
			setURL(&r.Signature, v, isURL)
		case "Patch":
			setURL(&r.Patch, v, isURL)
		case "ChangeLog":
			setURL(&r.ChangeLog, v, isURL)
		case "Browse":
			setURL(&r.Browse, v, isURL)
		}
	}
	if r.Version == "" {
		return nil
	}
	if r.Browse == "" {
		r.Browse = browseURL(r.Version, r.Moniker)
	}
	return &r
}

func setURL(dst *string, v string, isURL bool) {
	if isURL && *dst == "" {
		*dst = v
	}
}

// browseURL is the git.kernel.org page of a release's tag: Linus's tree
// for mainline, the stable tree for stable and longterm releases,
// linux-next's for its daily tags.
func browseURL(version, moniker string) string {
	switch moniker {
	case "mainline":
		return "https://git.kernel.org/torvalds/h/v" + version
	case "stable", "longterm":
		return "https://git.kernel.org/stable/h/v" + version
	case "linux-next":
		return "https://git.kernel.org/next/linux-next/h/" + version
	}
	return ""
}

func mayRelease(s string) bool {
	return strings.Contains(s, "Version:") && strings.Contains(s, "Released:")
}
