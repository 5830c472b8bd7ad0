package extract

import "strings"

// maxPrefixes bounds how many prefix levels SubjectPrefixes reads: kernel
// subjects nest two or three ("net: phy: micrel:"), never more than a few.
const maxPrefixes = 4

// SubjectPrefixes returns the subsystem prefixes of a mail subject as paths:
// "[PATCH v2 3/7] net: phy: micrel: fix" gives net/phy/micrel (the kernel
// writes a subsystem's parts as "net: phy:" or "drm/amdgpu:" alike);
// "x86/mm, mm: fix" names two subsystems, x86/mm and mm; "btrfs: convert
// metadata" (a reply without brackets) gives btrfs; "PM / devfreq: imx:"
// gives PM/devfreq/imx; a pull request without one names its tree first
// ("[GIT PULL] Char/Misc/IIO driver updates" gives Char/Misc/IIO). Reply
// prefixes and bracketed tags are skipped first. A part is one word (letters, digits and _ . + -) followed by ": ",
// as the kernel's "Describe your changes" convention writes it; a headline
// such as "Linux 6.17: what's new" has none, as its first words hold a
// space.
//
// It reads any subject: callers decide whether the item is a mail at all
// (a news headline "Rust: ..." is not a subsystem prefix).
func SubjectPrefixes(subject string) []string {
	s := strings.TrimSpace(subject)
	if strings.IndexByte(s, ':') < 0 && strings.IndexByte(s, ']') < 0 {
		return nil
	}
	s = strings.TrimSpace(replyRe.ReplaceAllString(s, ""))
	pull := false
	for strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return nil
		}
		pull = pull || strings.Contains(strings.ToUpper(s[:end]), "GIT PULL")
		s = strings.TrimSpace(s[end+1:])
	}
	if pull && !strings.Contains(s, ": ") {
		// "[GIT PULL] Char/Misc/IIO driver updates for 6.14-rc1" and
		// "[GIT PULL] x86/urgent for v6.14" name the tree first.
		if w, _, _ := strings.Cut(s, " "); isSubsystemWord(w) {
			return []string{w}
		}
		return nil
	}
	var paths []string
	for depth := 0; depth < maxPrefixes; depth++ {
		colon := strings.Index(s, ": ")
		if colon <= 0 {
			break
		}
		head := strings.ReplaceAll(s[:colon], " / ", "/")
		// "x86/mm, mm,kernel" names several subsystems at once; only
		// the first level may.
		parts := strings.Split(head, ",")
		if depth > 0 && len(parts) > 1 {
			break
		}
		var words []string
		for _, w := range parts {
			w = strings.TrimSpace(w)
			if !isSubsystemWord(w) {
				return paths
			}
			words = append(words, w)
		}
		if depth == 0 {
			paths = words
		} else {
			paths[0] += "/" + words[0]
		}
		s = strings.TrimSpace(s[colon+2:])
	}
	return paths
}

// isSubsystemWord reports whether w may be a subsystem prefix: a word
// starting with a letter, digit or _, of letters, digits and _ . / + -.
func isSubsystemWord(w string) bool {
	if w == "" || len(w) > 40 {
		return false
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case isAlnum(c):
		case i > 0 && (c == '.' || c == '/' || c == '+' || c == '-'):
		default:
			return false
		}
	}
	return true
}
