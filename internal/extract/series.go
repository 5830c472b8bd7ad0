package extract

import (
	"regexp"
	"strings"

	"github.com/kernelwire/kernelwire/internal/item"
)

var (
	// changeIDRe is b4's "change-id: 20240618-docs-patch-msgid-link-6961045516e0"
	// trailer, which b4 writes at the end of every version's cover letter
	// (or single patch) of one series.
	changeIDRe = regexp.MustCompile(`^change-id:\s*([A-Za-z0-9][\w.+-]{7,})$`)
	// linkToRe is b4's changelog line "- Link to v1: https://lore.kernel.org/r/<msgid>";
	// the URL may be wrapped onto the next line.
	linkToRe = regexp.MustCompile(`(?i)^-?\s*link to v(\d{1,3}):\s*(\S*)$`)
	urlRe    = regexp.MustCompile(`^https?://\S+$`)
)

// SeriesLines finds what ties a mail to the other versions of its patch
// series in mail text (MailText): b4's change-id trailer and the "Link to
// vN:" lines of its changelog. It returns them as "change-id: ID" and
// "Link to vN: URL", in order.
func SeriesLines(text string) []string {
	if !maySeries(text) {
		return nil
	}
	lines := mailLines(text)
	var out []string
	for i, l := range lines {
		if m := changeIDRe.FindStringSubmatch(l); m != nil {
			out = appendNew(out, "change-id: "+m[1])
			continue
		}
		m := linkToRe.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		u := m[2]
		if u == "" && i+1 < len(lines) {
			u = lines[i+1]
		}
		if urlRe.MatchString(u) {
			out = appendNew(out, "Link to v"+m[1]+": "+u)
		}
	}
	return out
}

// seriesOf is SeriesLines' findings as an item.Series.
func seriesOf(found []string) *item.Series {
	if len(found) == 0 {
		return nil
	}
	var s item.Series
	for _, f := range found {
		if id, ok := strings.CutPrefix(f, "change-id: "); ok {
			if s.ChangeID == "" {
				s.ChangeID = id
			}
			continue
		}
		if _, u, ok := strings.Cut(f, ": "); ok {
			s.Previous = appendNew(s.Previous, u)
		}
	}
	if s.ChangeID == "" && s.Previous == nil {
		return nil
	}
	return &s
}

func maySeries(s string) bool {
	return strings.Contains(s, "change-id:") || strings.Contains(s, "ink to v") || strings.Contains(s, "ink to V")
}

// reviewRe is a review trailer at the start of a line (see trailerKeys):
// the kinds that say someone looked at the patch, as opposed to wrote,
// reported or suggested it.
var reviewRe = regexp.MustCompile(`(?i)^(reviewed-by|acked-by|tested-by):\s*(.+)$`)

// Reviews finds the review trailers the sender gave in mail text
// (MailText, so quoted trailers are not counted as given again), as
// "Reviewed-by: Name" with the address dropped, deduplicated, in order.
func Reviews(text string) []string {
	if !mayReview(text) {
		return nil
	}
	var out []string
	for _, l := range mailLines(text) {
		if !strings.Contains(l, "-by:") && !strings.Contains(l, "-BY:") && !strings.Contains(l, "-By:") {
			continue
		}
		m := reviewRe.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		who := personName(m[2])
		if who == "" {
			continue
		}
		out = appendNew(out, trailerSpelling(strings.ToLower(m[1]))+": "+who)
	}
	return out
}

// personName is the name of an address as trailers write it: "Jane Doe
// <jane@example.org>" is "Jane Doe", a bare address stays. A value with no
// name and no address ("Reviewed-by: me, later") is no person: "".
func personName(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, '#'); i > 0 {
		v = strings.TrimSpace(v[:i]) // "# for the arm64 bits"
	}
	name, addr, hasAddr := strings.Cut(v, "<")
	name = strings.Trim(strings.TrimSpace(name), `"`)
	if hasAddr {
		if name != "" {
			return name
		}
		addr, _, _ = strings.Cut(addr, ">")
		return strings.TrimSpace(addr)
	}
	if strings.Contains(v, "@") && !strings.Contains(v, " ") {
		return v
	}
	return ""
}

// reviewsOf is Reviews' findings as item.Reviews.
func reviewsOf(found []string) []item.Review {
	var out []item.Review
	for _, f := range found {
		if kind, who, ok := strings.Cut(f, ": "); ok {
			out = append(out, item.Review{Kind: kind, Who: who})
		}
	}
	return out
}

func mayReview(s string) bool {
	return strings.Contains(s, "ed-by:") || strings.Contains(s, "ED-BY:") || strings.Contains(s, "ed-By:")
}

func appendNew(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}
