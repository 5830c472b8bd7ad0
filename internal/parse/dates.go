package parse

import (
	"strconv"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/kernelwire/kernelwire/internal/item"
)

// dateItem sets Published, Updated and Undated. Dates are read by
// parseDate, never by gofeed, whose parser reads an unknown zone ("MET",
// "GMT+2") as UTC, and an hour or more wrong is worse than no date.
func dateItem(it *item.Item, gi *gofeed.Item, src source, now time.Time) {
	pub, upd := dateStrings(gi, src)
	published, updated := firstDate(pub), firstDate(upd)
	if !updated.IsZero() {
		it.Updated = clamp(updated, now)
	}
	switch {
	case !published.IsZero():
		it.Published = clamp(published, now)
	case !updated.IsZero():
		it.Published = it.Updated
	default:
		// The store needs a date to index by; Undated tells the river
		// (and every reader of the item) that now is not the item's.
		it.Published = now
		it.Undated = true
	}
}

// dateStrings lists the raw published and updated dates an item carries,
// preferred first: the format's own elements, then Dublin Core (dc:date,
// dcterms:issued/created/modified) and Atom elements used as RSS
// extensions.
func dateStrings(gi *gofeed.Item, src source) (pub, upd []string) {
	switch {
	case src.atom != nil:
		pub = append(pub, src.atom.Published)
		upd = append(upd, src.atom.Updated)
	case src.rss != nil:
		if src.info != nil && src.info.pubDateLifted {
			pub = append(pub, src.info.pubDate)
		} else {
			pub = append(pub, src.rss.PubDate)
		}
		if dc := src.rss.DublinCoreExt; dc != nil {
			pub = append(pub, dc.Date...)
		}
	case src.json != nil:
		pub = append(pub, src.json.DatePublished)
		upd = append(upd, src.json.DateModified)
	default:
		pub = append(pub, gi.Published)
		upd = append(upd, gi.Updated)
	}
	ext := func(prefix, name string) []string {
		var out []string
		for _, e := range gi.Extensions[prefix][name] {
			out = append(out, e.Value)
		}
		return out
	}
	for _, n := range []string{"issued", "created", "date", "available"} {
		pub = append(pub, ext("dcterms", n)...)
	}
	pub = append(pub, ext("atom", "published")...)
	upd = append(upd, ext("dcterms", "modified")...)
	upd = append(upd, ext("atom", "updated")...)
	return pub, upd
}

// feedDate is the earliest readable of the feed's own dates (gofeed's
// Published is RSS pubDate or dc:date, its Updated RSS lastBuildDate or
// Atom updated), clamped as item dates are; zero if none.
func feedDate(gf *gofeed.Feed, now time.Time) time.Time {
	var d time.Time
	for _, s := range []string{gf.Published, gf.Updated} {
		if t, ok := parseDate(s); ok && (d.IsZero() || t.Before(d)) {
			d = t
		}
	}
	if d.IsZero() {
		return d
	}
	return clamp(d, now)
}

func firstDate(ss []string) time.Time {
	for _, s := range ss {
		if t, ok := parseDate(s); ok {
			return t
		}
	}
	return time.Time{}
}

// parseDate reads the dates feeds carry: RFC 3339 and W3CDTF with reduced
// precision ("2003", "2003-12", "2003-12-13"), RFC 822/1123/2822 and their
// variants (two-digit years, missing seconds, day and month names in
// English, Italian, German, French, Portuguese, Spanish or Dutch, "Etc/GMT",
// "GMT+2", "GMT-01:01", US and European zone names, IANA zone names),
// ctime and JavaScript's Date.toString, and "2020/1/10 14:33:00". A date
// without a zone is UTC (as feedparser assumes); a zone it does not know
// makes the date unreadable rather than UTC.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(strings.Join(strings.Fields(s), " "))
	if s == "" || len(s) > 100 {
		return time.Time{}, false
	}
	if t, ok := parseISO(s); ok {
		return t, true
	}
	return parseWords(s)
}

// parseISO reads YYYY[-MM[-DD[(T| )hh:mm[:ss[.frac]][zone]]]], with "-" or
// "/" between the date's parts.
func parseISO(s string) (time.Time, bool) {
	if len(s) < 4 || !allDigits(s[:4]) || (len(s) > 4 && s[4] != '-' && s[4] != '/') {
		return time.Time{}, false
	}
	year, _ := strconv.Atoi(s[:4])
	month, day := 1, 1
	rest := s[4:]
	sep := byte(0)
	if rest != "" {
		sep = rest[0]
		var ok bool
		if month, rest, ok = number(rest[1:], 1, 2); !ok {
			return time.Time{}, false
		}
		if rest != "" && rest[0] == sep {
			if day, rest, ok = number(rest[1:], 1, 2); !ok {
				return time.Time{}, false
			}
		}
	}
	var clock [4]int
	loc := time.UTC
	if rest != "" {
		if rest[0] != 'T' && rest[0] != 't' && rest[0] != ' ' {
			return time.Time{}, false
		}
		var ok bool
		if clock, rest, ok = parseClock(strings.TrimLeft(rest[1:], " ")); !ok {
			return time.Time{}, false
		}
		if rest = strings.TrimSpace(rest); rest != "" {
			if loc, ok = zone(rest); !ok {
				return time.Time{}, false
			}
		}
	}
	return build(year, month, day, clock, loc)
}

// number reads min..max digits at the start of s.
func number(s string, minDigits, maxDigits int) (int, string, bool) {
	n := 0
	for n < len(s) && n < maxDigits && '0' <= s[n] && s[n] <= '9' {
		n++
	}
	if n < minDigits {
		return 0, s, false
	}
	v, _ := strconv.Atoi(s[:n])
	return v, s[n:], true
}

// parseClock reads hh:mm[:ss[.frac]] at the start of s: hour, minute,
// second, nanosecond.
func parseClock(s string) ([4]int, string, bool) {
	var c [4]int
	var ok bool
	if c[0], s, ok = number(s, 1, 2); !ok || s == "" || s[0] != ':' {
		return c, s, false
	}
	if c[1], s, ok = number(s[1:], 2, 2); !ok {
		return c, s, false
	}
	if s != "" && s[0] == ':' {
		if c[2], s, ok = number(s[1:], 2, 2); !ok {
			return c, s, false
		}
		if s != "" && (s[0] == '.' || s[0] == ',') {
			var frac string
			n := 1
			for n < len(s) && '0' <= s[n] && s[n] <= '9' {
				n++
			}
			frac, s = s[1:n], s[n:]
			if frac != "" {
				frac = (frac + "000000000")[:9]
				c[3], _ = strconv.Atoi(frac)
			}
		}
	}
	return c, s, true
}

func build(year, month, day int, c [4]int, loc *time.Location) (time.Time, bool) {
	if year < 1970 || year > 2200 || month < 1 || month > 12 || day < 1 || c[0] > 24 || c[1] > 59 || c[2] > 60 {
		return time.Time{}, false
	}
	if c[0] == 24 && (c[1] != 0 || c[2] != 0) {
		return time.Time{}, false
	}
	if day > time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return time.Time{}, false
	}
	c[2] = min(c[2], 59) // a leap second
	return time.Date(year, time.Month(month), day, c[0], c[1], c[2], c[3], loc).UTC(), true
}

// parseWords reads dates made of words: "Sat, 02 Aug 2025 11:50:00 -0400",
// "Seg, 24 Set 2018 19:42:40 -0300", "Mon Jan 2 15:04:05 MST 2006",
// "Tue Jun 09 2020 10:00:00 GMT+0200 (CEST)", "10 janvier 2020 14:33",
// "02.01.2006 15:04". Words before the time that are not a month (day
// names, "de", "um") are ignored; after the time, every word must be a
// zone, or the date is refused.
func parseWords(s string) (time.Time, bool) {
	// A parenthesised zone name after a numeric one is a comment.
	if i := strings.IndexByte(s, '('); i > 0 && strings.HasSuffix(s, ")") {
		s = strings.TrimSpace(s[:i])
	}
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' })
	var (
		year, month, day = -1, -1, -1
		clock            [4]int
		haveClock        bool
		loc              *time.Location
		monthWords       []int // candidates before the clock
		pm, am           bool
	)
	for _, f := range fields {
		lf := strings.ToLower(strings.TrimSuffix(f, "."))
		switch {
		case strings.Contains(f, ":") && !haveClock && f[0] >= '0' && f[0] <= '9':
			c, rest, ok := parseClock(f)
			if !ok {
				return time.Time{}, false
			}
			clock, haveClock = c, true
			if rest != "" {
				if loc, ok = zone(rest); !ok {
					return time.Time{}, false
				}
			}
		case allDigits(f):
			n, _ := strconv.Atoi(f)
			switch {
			case len(f) == 4 && year < 0:
				year = n
			case len(f) <= 2 && day < 0 && !haveClock && n >= 1 && n <= 31:
				day = n
			case len(f) <= 2 && year < 0 && day >= 0:
				year = n + 1900
				if n < 50 {
					year = n + 2000
				}
			default:
				return time.Time{}, false
			}
		case strings.Count(f, ".") == 2 && allDigits(strings.ReplaceAll(f, ".", "")):
			// German and others: 02.01.2006.
			p := strings.Split(f, ".")
			d, _ := strconv.Atoi(p[0])
			m, _ := strconv.Atoi(p[1])
			y, _ := strconv.Atoi(p[2])
			if len(p[2]) != 4 {
				return time.Time{}, false
			}
			day, month, year = d, m, y
		case strings.HasSuffix(f, ".") && allDigits(strings.TrimSuffix(f, ".")):
			// "24." as a German day.
			n, _ := strconv.Atoi(strings.TrimSuffix(f, "."))
			day = n
		case lf == "am" || lf == "a.m":
			am = true
		case lf == "pm" || lf == "p.m":
			pm = true
		case !haveClock:
			if m := monthNumber(lf); m > 0 {
				monthWords = append(monthWords, m)
			}
			// Day names and fillers are ignored.
		default:
			z, ok := zone(f)
			if !ok {
				return time.Time{}, false
			}
			loc = z
		}
	}
	switch len(monthWords) {
	case 0:
		if month < 0 {
			return time.Time{}, false
		}
	case 1:
		month = monthWords[0]
	default:
		// "Mar, 10 Mar 2020": Italian martedì, then March.
		month = monthWords[len(monthWords)-1]
	}
	if year < 0 || day < 0 {
		return time.Time{}, false
	}
	if pm && clock[0] < 12 {
		clock[0] += 12
	} else if am && clock[0] == 12 {
		clock[0] = 0
	}
	if loc == nil {
		loc = time.UTC
	}
	return build(year, month, day, clock, loc)
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// monthNames are month names by month, in the languages feeds are
// written in; accents are folded (see fold).
var monthNames = [12][]string{
	{"january", "gennaio", "januar", "janvier", "janeiro", "enero", "januari", "janner"},
	{"february", "febbraio", "februar", "fevrier", "fevereiro", "febrero", "februari"},
	{"march", "marzo", "marz", "mars", "marco", "maart", "mrz", "mrt"},
	{"april", "aprile", "avril", "abril"},
	{"may", "maggio", "mai", "maio", "mayo", "mei"},
	{"june", "giugno", "juni", "juin", "junho", "junio"},
	{"july", "luglio", "juli", "juillet", "julho", "julio"},
	{"august", "agosto", "aout", "augustus"},
	{"september", "settembre", "septembre", "setembro", "septiembre", "sept"},
	{"october", "ottobre", "oktober", "octobre", "outubro", "octubre"},
	{"november", "novembre", "novembro", "noviembre"},
	{"december", "dicembre", "dezember", "decembre", "dezembro", "diciembre"},
}

// monthNumber returns 1..12 for a month name or an abbreviation of one
// (at least three letters, unambiguous across the languages), else 0.
func monthNumber(w string) int {
	w = fold(w)
	if len(w) < 3 {
		return 0
	}
	found := 0
	for i, names := range monthNames {
		for _, n := range names {
			if n == w {
				return i + 1
			}
			if strings.HasPrefix(n, w) {
				if found != 0 && found != i+1 {
					return 0
				}
				found = i + 1
			}
		}
	}
	return found
}

// fold lower-cases and drops the accents month names carry.
func fold(s string) string {
	return accents.Replace(strings.ToLower(s))
}

// accents is built once (a Replacer is safe for concurrent use): built
// per call, it allocated a lookup table for every date word read.
var accents = strings.NewReplacer("é", "e", "è", "e", "ê", "e", "û", "u", "ü", "u", "ç", "c", "ä", "a", "ô", "o", "á", "a", "í", "i")

// zoneOffsets are zone abbreviations in hours east of UTC: RFC 822's
// (UT, GMT, the US zones) and the ones feeds use besides. Ambiguous ones
// (IST, CST in China) take their most common meaning in feeds.
var zoneOffsets = map[string]float64{
	"ut": 0, "utc": 0, "gmt": 0, "z": 0, "uct": 0, "zulu": 0, "universal": 0,
	"est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7,
	"akst": -9, "akdt": -8, "hst": -10, "hdt": -9, "ast": -4, "adt": -3, "nst": -3.5, "ndt": -2.5,
	"wet": 0, "west": 1, "bst": 1, "ist": 5.5, "cet": 1, "cest": 2, "met": 1, "mest": 2,
	"mez": 1, "mesz": 2, "eet": 2, "eest": 3, "msk": 3, "jst": 9, "kst": 9, "hkt": 8,
	"sgt": 8, "awst": 8, "acst": 9.5, "acdt": 10.5, "aest": 10, "aedt": 11, "nzst": 12, "nzdt": 13,
}

// zone reads a time zone: a numeric offset (+hhmm, -hh:mm, +hh), a name
// from zoneOffsets, GMT or UTC with an offset ("GMT+2", "GMT-01:01",
// "UTC+05:30"), Etc/GMT±h (POSIX signs: Etc/GMT+2 is two hours west) or an
// IANA name ("Europe/Berlin").
func zone(s string) (*time.Location, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, false
	}
	if s[0] == '+' || s[0] == '-' {
		off, ok := offset(s)
		if !ok {
			return nil, false
		}
		return time.FixedZone(s, off), true
	}
	l := strings.ToLower(s)
	if h, ok := zoneOffsets[l]; ok {
		return time.FixedZone(s, int(h*3600)), true
	}
	if rest, ok := strings.CutPrefix(l, "etc/"); ok {
		if h, ok := zoneOffsets[rest]; ok && h == 0 {
			return time.UTC, true
		}
		for _, p := range []string{"gmt", "utc"} {
			if r, ok := strings.CutPrefix(rest, p); ok && r != "" {
				off, ok := offset(r)
				if !ok {
					return nil, false
				}
				return time.FixedZone(s, -off), true
			}
		}
		return nil, false
	}
	for _, p := range []string{"gmt", "utc", "ut"} {
		if r, ok := strings.CutPrefix(l, p); ok && r != "" && (r[0] == '+' || r[0] == '-') {
			off, ok := offset(r)
			if !ok {
				return nil, false
			}
			return time.FixedZone(s, off), true
		}
	}
	if strings.Contains(s, "/") {
		if loc, err := time.LoadLocation(s); err == nil {
			return loc, true
		}
	}
	return nil, false
}

// offset reads ±h, ±hh, ±hhmm or ±hh:mm as seconds east of UTC.
func offset(s string) (int, bool) {
	if len(s) < 2 || (s[0] != '+' && s[0] != '-') {
		return 0, false
	}
	sign := 1
	if s[0] == '-' {
		sign = -1
	}
	d := strings.Replace(s[1:], ":", "", 1)
	if !allDigits(d) {
		return 0, false
	}
	var h, m int
	switch len(d) {
	case 1, 2:
		h, _ = strconv.Atoi(d)
	case 3:
		h, _ = strconv.Atoi(d[:1])
		m, _ = strconv.Atoi(d[1:])
	case 4:
		h, _ = strconv.Atoi(d[:2])
		m, _ = strconv.Atoi(d[2:])
	default:
		return 0, false
	}
	if h > 14 || m > 59 {
		return 0, false
	}
	return sign * (h*3600 + m*60), true
}
