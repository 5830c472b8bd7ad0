package extract

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/kernelwire/kernelwire/internal/item"
)

var (
	// replyRe strips the reply/forward prefixes mail clients add, in any
	// number and language-neutral case ("Re: Re: [PATCH ...]", "AW:").
	replyRe = regexp.MustCompile(`(?i)^\s*(?:(?:re|fwd?|aw|sv)\s*:\s*)+`)
	// seriesRe is "02/11" inside the brackets.
	seriesRe = regexp.MustCompile(`^(\d{1,4})/(\d{1,4})$`)
	// versionTokRe is "v3" alone or glued to PATCH ("PATCHv3").
	versionTokRe = regexp.MustCompile(`(?i)^(?:patch)?v(\d{1,3})$`)
	// subsystemRe is the "mm:", "drm/nova:", "rust: kernel:" prefix of the
	// summary line; only the first component is kept.
	subsystemRe = regexp.MustCompile(`^([A-Za-z0-9_][A-Za-z0-9_.,/+\-]*)\s*:\s`)
)

// Patch parses a mailing-list patch subject such as
// "[PATCH v3 02/11] rust: kernel: add foo", "[PATCH RFC net-next v2 0/5]
// net: ...", "[RFC PATCH] ..." or "[GIT PULL] Rust for 6.14". It returns nil
// when subject is not a patch subject, including LWN's "[$] ..." titles and
// news headlines that merely talk about a patch.
//
// Kind is "GIT PULL" for pull requests, "RFC" when the submitter marked the
// series as a request for comments, else "PATCH". Tree names
// ("net-next", "6.1") and RESEND are accepted and not reported.
func Patch(subject string) *item.Patch {
	// Most titles are no patch subject: only a title with a "[" can be
	// one, and only one not starting with "[" may carry a reply prefix.
	if strings.IndexByte(subject, '[') < 0 {
		return nil
	}
	s := strings.TrimSpace(subject)
	if !strings.HasPrefix(s, "[") {
		s = strings.TrimSpace(replyRe.ReplaceAllString(s, ""))
		// b4 answers the part of a series it applied as "Re: (subset) [PATCH ...]".
		s = strings.TrimSpace(strings.TrimPrefix(s, "(subset)"))
		if !strings.HasPrefix(s, "[") {
			return nil
		}
	}
	end := strings.IndexByte(s, ']')
	if end < 0 {
		return nil
	}
	// A list's own tag may come first: "[f2fs-dev] [PATCH 00/24] ...".
	if listTag(s[1:end]) {
		if rest := strings.TrimSpace(s[end+1:]); strings.HasPrefix(rest, "[") {
			if e := strings.IndexByte(rest, ']'); e > 0 {
				s, end = rest, e
			}
		}
	}
	p := &item.Patch{}
	var isPatch, isRFC, isPull bool
	toks := strings.Fields(s[1:end])
	for i, tok := range toks {
		up := strings.ToUpper(tok)
		switch {
		case up == "PATCH":
			isPatch = true
		case up == "RFC":
			isRFC = true
		case up == "GIT" && i+1 < len(toks) && strings.ToUpper(toks[i+1]) == "PULL":
			isPull = true
		case versionTokRe.MatchString(tok):
			if strings.HasPrefix(up, "PATCH") {
				isPatch = true
			}
			p.Version, _ = strconv.Atoi(versionTokRe.FindStringSubmatch(tok)[1])
		case seriesRe.MatchString(tok):
			m := seriesRe.FindStringSubmatch(tok)
			p.Index, _ = strconv.Atoi(m[1])
			p.Total, _ = strconv.Atoi(m[2])
		}
	}
	switch {
	case isPull:
		p.Kind = "GIT PULL"
	case isRFC:
		p.Kind = "RFC"
	case isPatch:
		p.Kind = "PATCH"
	default:
		return nil
	}
	// A later "[net]" or "[PATCH]" bracket may follow; skip it.
	rest := strings.TrimSpace(s[end+1:])
	for strings.HasPrefix(rest, "[") {
		e := strings.IndexByte(rest, ']')
		if e < 0 {
			break
		}
		rest = strings.TrimSpace(rest[e+1:])
	}
	if m := subsystemRe.FindStringSubmatch(rest + " "); m != nil {
		p.Subsystem = m[1]
	}
	return p
}

// listTag reports whether a bracket's text is a mailing list's subject
// tag ("f2fs-dev", "Intel-wired-lan"): one word with a dash and no patch
// kind in it.
func listTag(s string) bool {
	s = strings.TrimSpace(s)
	up := strings.ToUpper(s)
	return s != "" && !strings.ContainsAny(s, " \t") && strings.Contains(s, "-") &&
		!strings.Contains(up, "PATCH") && !strings.Contains(up, "RFC") && !strings.Contains(up, "PULL")
}
