package dedup

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kernelwire/kernelwire/internal/extract"
	"github.com/kernelwire/kernelwire/internal/item"
)

// Window is the default story window: items further apart are never one
// story, and a store can expire bucket and key entries after it.
const Window = 7 * 24 * time.Hour

// recurringGap is how far apart two recurring-shaped titles ("Security
// updates for Thursday") may be and still be one story: LWN posts one a
// day, so the same title 36 hours later is the next one; 36 rather than 24
// hours leaves room for time zones and late feeds.
const recurringGap = 36 * time.Hour

// seriesGap is how far apart the mails of one patch series may be sent.
// git send-email sends a series within seconds; a day allows for slow
// lists.
const seriesGap = 24 * time.Hour

// Text thresholds on title tokens (see tokens). A pair is near-duplicate
// when the Jaccard similarity reaches minJaccard, or when the shorter title
// is almost contained in the longer (overlap coefficient minOverlap, at
// least minShared words): aggregators shorten headlines ("Torvalds: Intel
// patches are garbage") while news sites lengthen them.
const (
	minJaccard = 0.5
	minOverlap = 0.75
	minShared  = 3
)

// minCover is how much of the lighter title's weight (the sum of its
// tokens' idf) the shared tokens must carry for a text match: the same
// few common words are not the same story.
const minCover = 0.7

// Reason says why SameStory decided as it did.
type Reason string

// Reasons for "same story".
const (
	ReasonIdentity Reason = "identity"       // a shared identity key: same article or mail
	ReasonThread   Reason = "thread"         // same mailing-list thread or patch series
	ReasonRelease  Reason = "release"        // both announce the same release
	ReasonCVE      Reason = "cve-news"       // both headlines name the same CVE
	ReasonTarget   Reason = "same-site"      // aggregators' posts of one site's home page
	ReasonText     Reason = "near-duplicate" // titles say the same thing
	ReasonRewrite  Reason = "rewrite"        // a news digest's headline for the same event
)

// Reasons for "different stories".
const (
	VetoWindow        Reason = "window"         // further apart than Window
	VetoPatch         Reason = "patch"          // different patches or series
	VetoReply         Reason = "reply"          // a reply joins only its own thread
	VetoKernelVersion Reason = "kernel-version" // 6.13-rc1 vs 6.13-rc2
	VetoVersion       Reason = "version"        // other products' versions differ
	VetoCVE           Reason = "cve"            // different CVE ids
	VetoNumber        Reason = "number"         // "day one" vs "day two", issue 500 vs 501
	VetoStage         Reason = "stage"          // a release vs its beta or pre-release testing
	VetoSpeaker       Reason = "speaker"        // different people's statements
	VetoRecurring     Reason = "recurring"      // a recurring title on another day
	ReasonDissimilar  Reason = "dissimilar"     // nothing says they are one story
)

// features is what SameStory compares, computed once per item.
type features struct {
	at        time.Time
	keys      keySet
	toks      []string
	weights   []float64 // idf of each of toks
	weight    float64   // their sum
	kernel    []string
	versions  []string
	cves      []string
	numbers   []string
	speakers  []string
	recurring bool
	stage     bool
	reply     bool
	// rewrite says the item is a news digest's own write-up of an
	// article (a Slashdot or SoylentNews story): its headline is the
	// digest's, not the article's.
	rewrite bool
	// asks says the title asks or explains ("Why Raspberry Pi isn't
	// vulnerable to Spectre", "Is it time for ...?"): commentary on an
	// event, not a report of it.
	asks   bool
	patch  *item.Patch
	author string
	// self is the identity of the item's link and parent that of the
	// mail it answers (Atom thr:in-reply-to), "" if none: the patches of
	// one series answer its cover letter, a reply the mail it quotes.
	self, parent string
}

func featuresOf(it item.Item) features {
	ws := words(it.Title)
	kv := kernelVersions(it.Title)
	lf := linkOf(it.Link)
	f := features{
		at:        storyTime(it),
		keys:      keySetFrom(it, kv, lf, ws),
		toks:      distinct(tokensOf(ws, make([]string, 0, len(ws)))),
		kernel:    kv,
		cves:      extract.CVEs(it.Title),
		speakers:  speakers(it.Title, ws),
		recurring: hasMark(ws, recurringWords, recurringPairs),
		stage:     hasMark(ws, stageWords, stagePairs),
		reply:     IsReply(it),
		rewrite:   rewriteHost(lf.host),
		asks:      asks(it.Title, ws),
		patch:     patchOf(it),
		author:    strings.ToLower(strings.TrimSpace(it.Author)),
	}
	if it.InReplyTo != "" {
		f.parent = IdentityURL(it.InReplyTo)
		f.self = lf.id
	} else if f.patch != nil {
		f.self = lf.id
	}
	for _, w := range ws {
		switch {
		case isVersionWord(w):
			f.versions = appendNew(f.versions, normVersion(w))
		case isCommitID(w):
			// "for-next updated to 213f627104da" and "... to
			// ae29e4220fd3" are two updates.
			f.numbers = appendNew(f.numbers, w)
		case isDigit(w[0]):
			// Read off the title below, magnitudes folded.
		case numberWords[w] != "":
			f.numbers = appendNew(f.numbers, numberWords[w])
		}
	}
	if strings.ContainsAny(it.Title, "0123456789") {
		f.numbers = appendAmounts(f.numbers, it.Title)
	}
	f.weights = make([]float64, len(f.toks))
	for i, t := range f.toks {
		f.weights[i] = idf(t)
		f.weight += f.weights[i]
	}
	return f
}

// storyTime is when the item happened: published, else first seen.
func storyTime(it item.Item) time.Time {
	if !it.Published.IsZero() {
		return it.Published
	}
	return it.FirstSeen
}

// SameStory decides whether a and b, candidates because they share a
// story key or a bucket, are one story. In order:
//  1. a shared identity key (same article, mail, or aggregator target) is
//     always one story;
//  2. items further apart than Window never are;
//  3. two patch mails are one story when their subjects match (successive
//     versions of a series by one sender, and replies) or they are parts
//     of one series (same sender, version and length, within a day), and
//     never otherwise, however alike: "rust: add foo" and "rust: add bar"
//     are two patches; other mails with the same subject are one thread
//     (versions tied by b4's change-id or "Link to v1:" share a key, rule
//     1);
//  4. a reply joins nothing but its thread;
//  5. vetoes, read from the titles (a headline names the event; bodies
//     mention its neighbours, the previous -rc or a related CVE): both
//     name kernel versions, other versions, CVE ids, or counts ("day
//     one"/"day two") and each names one the other does not; one is a
//     beta or pre-release and the other is not; both quote someone and
//     the speakers differ; one announces a release and the other is an
//     article about that version; both are recurring-shaped and more than
//     36 hours apart;
//  6. a shared release key ("Linux 6.13 released" and "6.13: mainline"),
//     a CVE id named in both headlines, or aggregators' posts of one
//     site's home page;
//  7. near-duplicate titles (see minJaccard and minOverlap);
//  8. a news digest's own headline for an article another item reports,
//     by the rare words they share (rewrittenAs).
func SameStory(a, b item.Item) (bool, Reason) {
	return sameStory(featuresOf(a), featuresOf(b), Window)
}

func sameStory(a, b features, window time.Duration) (bool, Reason) {
	if intersects(a.keys.strong, b.keys.strong) {
		return true, ReasonIdentity
	}
	gap := a.at.Sub(b.at).Abs()
	if gap > window {
		return false, VetoWindow
	}
	if a.patch != nil && b.patch != nil {
		return samePatch(a, b, gap)
	}
	if intersects(a.keys.thread, b.keys.thread) {
		return true, ReasonThread
	}
	if a.reply || b.reply {
		return false, VetoReply
	}
	if r := veto(a, b, gap); r != "" {
		return false, r
	}
	if intersects(a.keys.release, b.keys.release) {
		return true, ReasonRelease
	}
	if intersects(a.keys.cve, b.keys.cve) {
		return true, ReasonCVE
	}
	if intersects(a.keys.target, b.keys.target) {
		return true, ReasonTarget
	}
	if sameText(a, b) {
		return true, ReasonText
	}
	if rewrittenAs(a, b, gap) {
		return true, ReasonRewrite
	}
	return false, ReasonDissimilar
}

// samePatch is rule 3 of SameStory. A pull request is sent under the same
// subject every week ("[GIT PULL] x86 fixes"), so pulls match by subject
// only within recurringGap unless one answers the other.
func samePatch(a, b features, gap time.Duration) (bool, Reason) {
	if intersects(a.keys.thread, b.keys.thread) {
		pull := a.patch.Kind == "GIT PULL" || b.patch.Kind == "GIT PULL"
		if pull && gap > recurringGap && !a.reply && !b.reply {
			return false, VetoRecurring
		}
		// A reply that says which mail it answers joins that mail's
		// thread and the later versions of its series, not another
		// posting of the same or an older version under the same
		// subject: the same patch is often carried in two series
		// ("RISC-V: Export few kernel symbols" in a fixes series and in
		// KVM's), and the reply is about one of them.
		if r, p, ok := replyAndPost(a, b); ok && r.parent != "" && !answers(r, p) &&
			(max(p.patch.Version, 1) <= max(r.patch.Version, 1) || r.patch.Index > 0 && r.patch.Total != p.patch.Total) {
			return false, VetoReply
		}
		// Two posts under one subject are one series when one sender
		// sent both ("[PATCH] MAINTAINERS: update email" is sent by many
		// people); replies join whoever wrote them.
		if !a.reply && !b.reply && a.author != "" && b.author != "" && a.author != b.author {
			return false, VetoPatch
		}
		return true, ReasonThread
	}
	pa, pb := a.patch, b.patch
	// Parts of one series (same sender, version and length, sent
	// together) when the list does not thread them. A maintainer sends
	// several series of one length in a minute ("[PATCHSET 0/3] xfs: add
	// the ability to flag a fs for repair" and "[PATCHSET 0/3] various:
	// random fixes"): where both parts say which mail they answer, the
	// parts of one series answer one cover letter.
	if threaded(a) && threaded(b) && a.parent != b.parent && !answers(a, b) && !answers(b, a) {
		return false, VetoPatch
	}
	if a.author != "" && a.author == b.author && pa.Version == pb.Version &&
		pa.Total > 1 && pa.Total == pb.Total && pa.Index != pb.Index && gap <= seriesGap {
		return true, ReasonThread
	}
	return false, VetoPatch
}

// replyAndPost returns the reply and the posting of a and b, ok when
// exactly one of them is a reply.
func replyAndPost(a, b features) (r, p features, ok bool) {
	switch {
	case a.reply && !b.reply:
		return a, b, true
	case b.reply && !a.reply:
		return b, a, true
	}
	return a, b, false
}

// answers reports whether a says it answers b.
func answers(a, b features) bool { return a.parent != "" && a.parent == b.self }

// threaded reports whether f's place in its thread is known: it answers
// a mail, or it is a patch mail at the top of its thread with a link
// that identifies it (a cover letter or a single patch).
func threaded(f features) bool { return f.parent != "" || f.self != "" && !f.reply }

// veto is rule 5 of SameStory: it returns why a and b cannot be one story,
// or "".
func veto(a, b features, gap time.Duration) Reason {
	switch {
	case eachHasOwn(a.kernel, b.kernel):
		return VetoKernelVersion
	case eachHasOwn(a.cves, b.cves):
		return VetoCVE
	case eachHasOwn(a.versions, b.versions):
		return VetoVersion
	case eachHasOwn(a.numbers, b.numbers):
		return VetoNumber
	case a.stage != b.stage:
		return VetoStage
	case (len(a.keys.release) > 0) != (len(b.keys.release) > 0) && sharesVersion(a, b):
		// "Linux 6.13 released" and "Linux 6.13 features", or "Linux
		// 6.18 will complicate non-GPL filesystems": the release and an
		// article about that version are two stories.
		return VetoStage
	case len(a.speakers) > 0 && len(b.speakers) > 0 && !intersects(a.speakers, b.speakers):
		return VetoSpeaker
	case a.recurring && b.recurring && gap > recurringGap:
		return VetoRecurring
	}
	return ""
}

// sharesVersion reports whether a and b name a common version.
func sharesVersion(a, b features) bool {
	return intersects(a.kernel, b.kernel) || intersects(a.versions, b.versions)
}

// eachHasOwn reports whether both lists are non-empty and each holds a
// value the other lacks. One being a subset of the other is not a veto:
// "Linux 6.13 released" and "Linux 6.13 released, 6.14 merge window
// opens" are one story.
func eachHasOwn(a, b []string) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	return hasOwn(a, b) && hasOwn(b, a)
}

func hasOwn(a, b []string) bool {
	for _, v := range a {
		if !containsString(b, v) {
			return true
		}
	}
	return false
}

func intersects(a, b []string) bool {
	for _, v := range a {
		if containsString(b, v) {
			return true
		}
	}
	return false
}

func appendNew(list []string, v string) []string {
	if containsString(list, v) {
		return list
	}
	return append(list, v)
}

// numberWords spell counts, ordinals and days that tell episodes apart
// ("day one", "the second half of the merge window", "Security updates for
// Thursday" and "... for Friday").
var numberWords = map[string]string{
	"monday": "mon", "tuesday": "tue", "wednesday": "wed", "thursday": "thu",
	"friday": "fri", "saturday": "sat", "sunday": "sun",
	"one": "1", "first": "1", "two": "2", "second": "2", "three": "3", "third": "3",
	"four": "4", "fourth": "4", "five": "5", "fifth": "5", "six": "6", "sixth": "6",
	"seven": "7", "seventh": "7", "eight": "8", "eighth": "8", "nine": "9", "ninth": "9",
	"ten": "10", "tenth": "10",
}

// recurringWords mark titles a source reuses on a schedule: LWN's daily
// "Security updates for Thursday", its weekly edition and kernel prepatch,
// newsletters. recurringPairs are two-word marks ("this week [in Rust]",
// "security updates", "stable kernels").
var (
	recurringWords = map[string]bool{
		"monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true,
		"saturday": true, "sunday": true, "weekly": true, "daily": true, "monthly": true,
		"digest": true, "roundup": true, "newsletter": true, "edition": true, "prepatch": true,
	}
	recurringPairs = map[[2]string]bool{
		{"this", "week"}: true, {"security", "updates"}: true, {"security", "advisories"}: true,
		{"stable", "kernel"}: true, {"stable", "kernels"}: true, {"round", "up"}: true,
	}
	// stageWords mark a pre-release post: Inside Rust's "1.71.0 pre-release
	// testing", betas, previews; stagePairs the two-word ones.
	stageWords = map[string]bool{"prerelease": true, "prelease": true, "beta": true, "alpha": true, "preview": true}
	stagePairs = map[[2]string]bool{{"pre", "release"}: true, {"release", "candidate"}: true}
	// speechVerbs follow a speaker's name: "Linus Torvalds says".
	speechVerbs = map[string]bool{
		"says": true, "said": true, "calls": true, "slams": true, "warns": true, "wants": true,
		"thinks": true, "argues": true, "explains": true, "admits": true, "claims": true,
		"urges": true, "rejects": true, "blasts": true, "rants": true, "responds": true,
		"defends": true, "criticizes": true, "criticises": true, "praises": true, "tells": true,
		"insists": true, "vows": true, "apologizes": true, "apologises": true,
	}
)

// hasMark reports whether ws holds one of words or of the adjacent pairs.
func hasMark(ws []string, words map[string]bool, pairs map[[2]string]bool) bool {
	for i, w := range ws {
		if words[w] || i > 0 && pairs[[2]string{ws[i-1], w}] {
			return true
		}
	}
	return false
}

// speakers returns the lower-case words naming who is quoted in a title,
// or nil: the one to four words before a speech verb ("Linus Torvalds Says
// ..." gives [linus torvalds]), or LWN's "Brockmeier: ..." and "Torvalds:
// ...", one to three capitalised words before a colon.
func speakers(title string, ws []string) []string {
	for i := 1; i < len(ws) && i <= 4; i++ {
		if speechVerbs[ws[i]] {
			return nameWords(ws[:i])
		}
	}
	head, _, ok := strings.Cut(title, ": ")
	if !ok {
		return nil
	}
	f := strings.Fields(head)
	if len(f) == 0 || len(f) > 3 {
		return nil
	}
	for _, w := range f {
		r, _ := utf8.DecodeRuneInString(w)
		if !unicode.IsUpper(r) {
			return nil
		}
	}
	return nameWords(words(head))
}

// nameWords keeps the words of a name: no stopwords, no numbers.
func nameWords(ws []string) []string {
	var out []string
	for _, w := range ws {
		if isDigit(w[0]) {
			return nil
		}
		if !stopwords[w] {
			out = append(out, w)
		}
	}
	return out
}

// amountRe is a number in a title with its magnitude: "$80B", "$80
// billion", "780k", "780,000", "14,000", "1.5 billion".
var amountRe = regexp.MustCompile(`(?i)(?:^|[^\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s*(k|m|mn|b|bn|t|thousand|million|billion|trillion)\b)?`)

var magnitudes = map[string]float64{"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6,
	"b": 1e9, "bn": 1e9, "billion": 1e9, "t": 1e12, "trillion": 1e12}

// appendAmounts adds the numbers of title to list as values, so that
// outlets' spellings of one amount agree ("$1B" and "$1 Billion", "780k"
// and "780,000"). A dotted version ("6.13", "1.71.0") is no amount.
func appendAmounts(list []string, title string) []string {
	for _, m := range amountRe.FindAllStringSubmatchIndex(title, -1) {
		num := title[m[2]:m[3]]
		if end := m[3]; end+1 < len(title) && title[end] == '.' && isDigit(title[end+1]) {
			continue
		}
		if m[3] < len(title) && (title[m[3]] == '-' || unicode.IsLetter(rune(title[m[3]]))) && m[4] < 0 {
			// "6.13-rc1", "x86", "3D": part of a word, not an amount.
			continue
		}
		if m[4] < 0 && strings.Contains(num, ".") {
			// "Rust 1.23": a version (f.versions), not an amount.
			continue
		}
		v, err := strconv.ParseFloat(strings.ReplaceAll(num, ",", ""), 64)
		if err != nil {
			continue
		}
		if m[4] >= 0 {
			v *= magnitudes[strings.ToLower(title[m[4]:m[5]])]
		}
		list = appendNew(list, strconv.FormatFloat(v, 'g', -1, 64))
	}
	return list
}

// isCommitID reports whether w looks like an abbreviated git commit id:
// 7 to 40 hex digits, with both a digit and a letter (so neither a plain
// number nor a word like "defaced").
func isCommitID(w string) bool {
	if len(w) < 7 || len(w) > 40 {
		return false
	}
	digit, letter := false, false
	for i := 0; i < len(w); i++ {
		switch c := w[i]; {
		case isDigit(c):
			digit = true
		case 'a' <= c && c <= 'f':
			letter = true
		default:
			return false
		}
	}
	return digit && letter
}

// isYear reports whether a token is a year of the 1900s or 2000s.
func isYear(t string) bool {
	if len(t) != 4 || (t[:2] != "19" && t[:2] != "20") {
		return false
	}
	return isDigit(t[2]) && isDigit(t[3])
}
