package extract

import (
	"regexp"
	"strings"

	"github.com/kernelwire/kernelwire/internal/item"
)

// The mails that change a series' status, in the shapes maintainers and
// the kernel.org bots write them (each seen in lore archives):
//
//   - a maintainer's reply: "Applied to `rust-next`, thanks!", "Applied to
//     arm64 (for-next/acpi), thanks!", "Applied to the vfs-6.18.misc branch
//     of the vfs/vfs.git tree.", "Applied, thanks!", "Thanks, applied",
//     "Queued for 5.7-rc5." and Mark Brown's "Applied to" followed by the
//     tree on a line of its own;
//   - patchwork-bot: "This series was applied to netdev/net-next.git
//     (main)" and on the next line "by Jakub Kicinski <kuba@kernel.org>:";
//   - pr-tracker-bot, answering a [GIT PULL]: "has been merged into
//     torvalds/linux.git:";
//   - the stable maintainers' notes, by subject: `Patch "x" has been added
//     to the 6.12-stable tree`, `patch "x" added to usb-testing` and
//     `FAILED: patch "[PATCH] x" failed to apply to 6.6-stable tree`.
var (
	appliedRe = regexp.MustCompile(`(?i)^(?:thanks[,!.]?\s*)?(?:applied|queued|pushed|picked up)` +
		`(?:\s+(?:it|this|the patch|this patch|the series|this series|both|all))?` +
		`(?:\s+(?:to|on|into|in|for)\s+(.+?))?` +
		`(?:\s*(?:,|\.|!|--?|;)?\s*(?:(?:many\s+)?thanks?(?:\s+you)?\b.*|now\b.*)?)?$`)
	patchworkRe = regexp.MustCompile(`^This (series|patch|pull request) was applied to (.+?):?$`)
	byRe        = regexp.MustCompile(`^by (.+?):?$`)
	mergedRe    = regexp.MustCompile(`^has been merged into (\S+?):?$`)
	stableRe    = regexp.MustCompile(`(?i)^patch "(.+)" (?:has been )?added to (?:the )?(.+?)(?: tree)?$`)
	failedRe    = regexp.MustCompile(`(?i)^FAILED: patch "(.+)" failed to apply to (?:the )?(\S+?)(?: tree)?$`)
	// treeLinkRe is a kernel.org git URL: the tree is what follows git/.
	treeLinkRe = regexp.MustCompile(`^(?:https?|git)://git\.kernel\.org/pub/scm/linux/kernel/git/(\S+)$`)
	// branchOfRe is Christian Brauner's "the vfs-6.18.misc branch of the
	// vfs/vfs.git tree".
	branchOfRe = regexp.MustCompile(`^the (\S+) branch of the (\S+) tree$`)
)

// StatusLines finds what a maintainer's or bot's mail says happened to
// the patch or pull request it answers, in mail text (MailText) or a
// subject: the line that says so, normalised ("Applied to rust-next",
// "This series was applied to netdev/net-next.git (main) by Jakub
// Kicinski", "has been merged into torvalds/linux.git", the stable
// subjects as they are). Status reads them back with StatusOf.
func StatusLines(text string) []string {
	if !mayStatus(text) {
		return nil
	}
	lines := mailLines(text)
	var out []string
	for i, l := range lines {
		if len(l) > 160 || !statusStart(l) {
			continue
		}
		next := ""
		if i+1 < len(lines) {
			next = lines[i+1]
		}
		switch {
		case stableRe.MatchString(l), failedRe.MatchString(l):
			out = appendNew(out, l)
		case mergedRe.MatchString(l):
			out = appendNew(out, strings.TrimSuffix(l, ":"))
		case patchworkRe.MatchString(l):
			if m := byRe.FindStringSubmatch(next); m != nil {
				l += " by " + personName(m[1])
			}
			out = appendNew(out, l)
		case strings.EqualFold(l, "applied to"):
			// Mark Brown's "Applied to" with the tree on the next line.
			if tree := cleanTree(next); tree != "-" && tree != "" {
				out = appendNew(out, "Applied to "+tree)
			}
		default:
			m := appliedRe.FindStringSubmatch(l)
			// A lower-case "picked up." is more often the end of a
			// wrapped sentence than a maintainer's answer.
			if m == nil || l[0] == 'p' {
				continue
			}
			tree := m[1]
			if tree = cleanTree(tree); tree == "-" {
				continue
			}
			s := "Applied"
			if tree != "" {
				s += " to " + tree
			}
			out = appendNew(out, s)
		}
	}
	return out
}

// cleanTree reduces what follows "Applied to" to the tree's name:
// backquotes and "[1]" references dropped, "local tree x" and kernel.org
// URLs shortened, "the B branch of the T tree" written "T (B)" as
// patchwork writes it. It returns "-" for prose ("applied to any older
// kernel releases"), which is no status line.
func cleanTree(t string) string {
	t = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(t), ".!,:;"))
	if t == "" {
		return ""
	}
	t = strings.TrimSpace(strings.TrimPrefix(t, "local tree "))
	t = strings.ReplaceAll(t, "`", "")
	if i := strings.Index(t, " ["); i > 0 && strings.HasSuffix(t, "]") {
		t = t[:i]
	}
	if m := branchOfRe.FindStringSubmatch(t); m != nil {
		return m[2] + " (" + m[1] + ")"
	}
	f := strings.Fields(t)
	if len(f) > 0 {
		if m := treeLinkRe.FindStringSubmatch(f[0]); m != nil {
			f[0] = m[1]
		}
	}
	if len(f) > 1 && strings.EqualFold(f[0], "the") {
		f = f[1:]
	}
	if n := len(f); n > 1 && (strings.EqualFold(f[n-1], "branch") || strings.EqualFold(f[n-1], "tree")) {
		f = f[:n-1]
	}
	switch {
	case len(f) == 2 && strings.HasSuffix(f[0], ".git"):
		return f[0] + " (" + f[1] + ")" // "broonie/sound.git for-5.8"
	case len(f) == 2 && strings.HasPrefix(f[1], "(") && strings.HasSuffix(f[1], ")"):
		return f[0] + " " + f[1] // "arm64 (for-next/acpi)"
	case len(f) == 1 && treeWord(f[0]):
		return f[0]
	}
	return "-"
}

// treeWord reports whether w can name a git tree or branch: letters,
// digits and -_./+, not a word of prose.
func treeWord(w string) bool {
	switch strings.ToLower(w) {
	case "it", "this", "that", "them", "all", "both", "here", "there", "now", "me", "you", "us":
		return false
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if !isAlnum(c) && !strings.ContainsRune("-_./+", rune(c)) {
			return false
		}
	}
	return w != ""
}

// StatusOf reads the first StatusLines finding that applies into an
// event. subject is the mail's subject: a line in the body counts only in
// a reply (a patch quoting "Applied" in its changelog says nothing), the
// stable maintainers' notes are their subject. It returns the event and,
// for a stable note, the subject of the patch it is about (so the note
// finds that patch's story); nil when nothing applies.
func StatusOf(found []string, subject string) (*item.Event, string) {
	if len(found) == 0 {
		return nil, ""
	}
	reply := replyPrefixRe.MatchString(subject)
	for _, f := range found {
		if m := stableRe.FindStringSubmatch(f); m != nil {
			if f != strings.TrimSpace(subject) {
				continue
			}
			ev := &item.Event{State: item.StateApplied, Tree: m[2], Text: f}
			if strings.HasSuffix(m[2], "-stable") {
				ev.State = item.StateStable
			}
			return ev, m[1]
		}
		if m := failedRe.FindStringSubmatch(f); m != nil {
			if f != strings.TrimSpace(subject) {
				continue
			}
			return &item.Event{State: item.StateStableFailed, Tree: m[2], Text: f}, m[1]
		}
		if !reply {
			continue
		}
		if m := mergedRe.FindStringSubmatch(f); m != nil {
			return &item.Event{State: item.StateMerged, Tree: m[1], Text: f}, ""
		}
		if m := patchworkRe.FindStringSubmatch(f); m != nil {
			tree, who, _ := strings.Cut(m[2], " by ")
			return &item.Event{State: item.StateApplied, Tree: tree, Who: who, Text: f}, ""
		}
		if rest, ok := strings.CutPrefix(f, "Applied"); ok {
			return &item.Event{State: item.StateApplied, Tree: strings.TrimPrefix(rest, " to "), Text: f}, ""
		}
	}
	return nil, ""
}

// replyPrefixRe is a mail reply's subject prefix ("Re:", "AW:", "SV:").
var replyPrefixRe = regexp.MustCompile(`(?i)^\s*(?:(?:fwd?)\s*:\s*)*(?:re|aw|sv)\s*:`)

// StableNote returns the subject of the patch a stable maintainers' note
// is about (`Patch "x: fix y" has been added to the 6.12-stable tree`
// gives "x: fix y"), "" for any other subject.
func StableNote(subject string) string {
	s := strings.TrimSpace(subject)
	if !strings.Contains(s, `"`) {
		return ""
	}
	if m := stableRe.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	if m := failedRe.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}

// statusStart reports whether line l starts like a status line: most
// lines do not, and the test spares them the regexps.
func statusStart(l string) bool {
	if len(l) < 7 {
		return false
	}
	switch l[0] | 0x20 {
	case 'a', 'q', 'p', 't', 'h', 'f':
		return true
	}
	return false
}

// mayStatus is false for text that cannot hold a status line.
func mayStatus(s string) bool {
	return strings.Contains(s, "pplied") || strings.Contains(s, "merged into") ||
		strings.Contains(s, "added to") || strings.Contains(s, "ueued") ||
		strings.Contains(s, "ushed") || strings.Contains(s, "icked up") || strings.Contains(s, "failed to apply")
}
