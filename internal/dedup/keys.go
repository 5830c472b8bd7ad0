package dedup

import (
	"html"
	"net/url"
	"regexp"
	"strings"

	"github.com/kernelwire/kernelwire/internal/extract"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/parse"
)

// Story key kinds, beside the item key kinds of dedup.go ("l:" is shared:
// an aggregator's target link key is the target item's own Key).
const (
	releasePrefix = "r:" // r:linux/6.13-rc2, r:rust/1.71
	cvePrefix     = "c:" // c:CVE-2024-1086
	threadPrefix  = "s:" // digest of a mailing-list subject
	seriesPrefix  = "x:" // x:<b4 change-id> of a patch series
	targetPrefix  = "a:" // a:<digest> of a site an aggregator post links to
)

// keySet is an item's story keys by strength. Strong keys are identities:
// sharing one means the same article or mail, whatever else differs.
// Release and thread keys name an event and are still checked against the
// vetoes in SameStory.
type keySet struct {
	strong, release, cve, thread, target []string
}

// StoryKeys returns the exact keys an item can be found under; items that
// share one are candidates for SameStory (which accepts most of them, see
// there). They are short, stable strings meant to be stored beside the
// signature's buckets:
//   - "l:<digest>": the item's link identity (IdentityURL: scheme, www.,
//     trailing slash, LWN and lore aliases folded), equal to Item.Key of a
//     link-keyed item. An item whose Key is a guid or title key (its link
//     was shared by several items of its feed, like kdist.xml's) gets that
//     Key instead, since its link identifies nothing;
//   - for an aggregator item whose link is the aggregator's own page (a
//     Reddit comments page, a Slashdot story), the "l:" key of the link it
//     points to, so it joins the story of the article it discusses.
//     Aggregators that link straight to the article (Hacker News feeds)
//     need nothing more: their link key already is the article's;
//   - "r:<product>/<version>" for release announcements ("Linux 6.13
//     released", "6.13-rc2: mainline", "Announcing Rust 1.71.0", a GitHub
//     release "1.71.0" of rust-lang/rust), see releaseKeys;
//   - "c:<CVE id>" for each CVE id in the title: headlines naming the
//     same CVE report the same vulnerability;
//   - "s:<digest>" of the normalised subject for mailing-list posts and
//     patches, so replies and later versions of a series join the thread
//     (a stable maintainers' note, `Patch "x" has been added to the
//     6.12-stable tree`, is keyed by the subject of the patch it names);
//   - for a patch series, "x:<change-id>" of b4's change-id trailer and
//     the "l:" key of every earlier version its cover letter links to
//     ("Link to v1: URL"): the versions of one series are one story
//     however their subjects changed. Both are identities, like an
//     aggregator's target;
//   - "a:<digest>" of the site an aggregator's post links to when the
//     link is the site's home page ("https://jsonquerylang.org/"), which
//     is no article identity (kernel.org's feed links every release to
//     its home page) but, posted by Hacker News and Lobsters the same
//     week, is one project's launch. Checked against the vetoes;
//   - for an entry that answers another (Atom thr:in-reply-to: a mail's
//     reply, a patch of a series under its cover letter), the "l:" key of
//     its parent, so a thread is one story even where subjects change
//     and a series' patches reach a list without their cover letter.
func StoryKeys(it item.Item) []string {
	return keyList(storyKeys(it))
}

// keyList is StoryKeys' list of the keys of ks: each once, by kind.
func keyList(ks keySet) []string {
	out := make([]string, 0, len(ks.strong)+len(ks.release)+len(ks.cve)+len(ks.thread)+len(ks.target))
	for _, group := range [][]string{ks.strong, ks.release, ks.cve, ks.thread, ks.target} {
		for _, k := range group {
			if !containsString(out, k) {
				out = append(out, k)
			}
		}
	}
	return out
}

func storyKeys(it item.Item) keySet {
	return storyKeysWith(it, kernelVersions(it.Title))
}

// kernelVersions is extract.KernelVersions, skipped when s has no dotted
// number: most titles have none, and the extractor's regexp is the
// largest cost of a signature.
func kernelVersions(s string) []string {
	for i := 1; i+1 < len(s); i++ {
		if s[i] == '.' && isDigit(s[i-1]) && isDigit(s[i+1]) {
			return extract.KernelVersions(s)
		}
	}
	return nil
}

// keySetOf is the item's story keys by kind: read off StoryKeys when
// Assign set them (the kind is the prefix), computed otherwise (a stored
// item does not keep them). Computing them is most of what preparing an
// item for SameStory costs.
func keySetOf(it item.Item, kv []string) keySet {
	return keySetFrom(it, kv, linkOf(it.Link), words(it.Title))
}

// keySetFrom is keySetOf given the item's link facts and title words
// (words(it.Title), only read), which featuresOf has at hand.
func keySetFrom(it item.Item, kv []string, lf linkFacts, ws []string) keySet {
	if it.StoryKeys == nil {
		return storyKeysFrom(it, kv, lf, ws)
	}
	var ks keySet
	for _, k := range it.StoryKeys {
		switch k[:min(len(k), 2)] {
		case releasePrefix:
			ks.release = append(ks.release, k)
		case cvePrefix:
			ks.cve = append(ks.cve, k)
		case threadPrefix:
			ks.thread = append(ks.thread, k)
		case targetPrefix:
			ks.target = append(ks.target, k)
		case seriesPrefix:
			ks.strong = append(ks.strong, k)
		default:
			ks.strong = append(ks.strong, k)
		}
	}
	return ks
}

// storyKeysWith is storyKeys given the title's kernel versions, which
// SameStory computes anyway.
func storyKeysWith(it item.Item, kv []string) keySet {
	return storyKeysFrom(it, kv, linkOf(it.Link), words(it.Title))
}

// storyKeysFrom is storyKeysWith given also what Assign and Prepare read
// off the item anyway: its link's facts and its title's words (only read).
func storyKeysFrom(it item.Item, kv []string, lf linkFacts, ws []string) keySet {
	var ks keySet
	host, id := lf.host, lf.id
	switch {
	case it.Key != "" && !strings.HasPrefix(it.Key, linkPrefix):
		ks.strong = append(ks.strong, it.Key)
	case id != "":
		ks.strong = append(ks.strong, linkPrefix+digest(id))
	}
	if t := aggregatorTarget(it, host); t != "" {
		if k := linkPrefix + digest(t); !containsString(ks.strong, k) {
			ks.strong = append(ks.strong, k)
		}
	}
	ks.strong = appendSeriesKeys(ks.strong, it.Extracted.Series)
	if id := IdentityURL(it.InReplyTo); id != "" {
		if k := linkPrefix + digest(id); !containsString(ks.strong, k) {
			ks.strong = append(ks.strong, k)
		}
	}
	ks.release = releaseKeysWith(it.Title, it.Link, kv, ws)
	for _, c := range extract.CVEs(it.Title) {
		ks.cve = append(ks.cve, cvePrefix+c)
	}
	if s := threadSubject(it, host); s != "" {
		ks.thread = []string{threadPrefix + digest(s)}
	}
	if t := homeTarget(it, lf); t != "" {
		ks.target = []string{targetPrefix + digest(t)}
	}
	return ks
}

// homeTarget is the host an aggregator's post (its guid the aggregator's
// discussion page) links to when the link is that site's home page, ""
// otherwise: see StoryKeys.
func homeTarget(it item.Item, lf linkFacts) string {
	if lf.host == "" || lf.id != "" || aggregatorHost(lf.host) || !aggregatorHost(linkHost(it.GUID)) {
		return ""
	}
	return lf.host
}

// aggregatorHost reports whether host (lower case, no "www.") is a link
// aggregator whose item pages discuss an article published elsewhere.
func aggregatorHost(host string) bool {
	switch {
	case host == "news.ycombinator.com", host == "lobste.rs":
		return true
	case host == "reddit.com" || strings.HasSuffix(host, ".reddit.com"):
		return true
	case host == "slashdot.org" || strings.HasSuffix(host, ".slashdot.org"):
		return true
	}
	return false
}

var (
	// redditLinkRe is the "[link]" anchor Reddit's Atom puts after a link
	// post's text; a self post's points back at Reddit.
	redditLinkRe = regexp.MustCompile(`<a [^>]*href="([^"]+)"[^>]*>\s*\[link\]\s*</a>`)
	// articleURLRe is hnrss.org's "Article URL: <a href=...>", present
	// when its items link to the discussion (link=comments).
	articleURLRe = regexp.MustCompile(`Article URL:\s*<a [^>]*href="([^"]+)"`)
)

// aggregatorTarget returns the identity of the article an aggregator item
// points to when its own link is the aggregator's discussion page, else
// "". Only explicit markers are trusted: Reddit's "[link]" anchor and
// hnrss's "Article URL:". Other links in an aggregator's summary are not
// the story: Slashdot's RSS summaries, for one, carry only share buttons
// (Twitter, Facebook) and links to older Slashdot stories (checked on the
// 11 fixture snapshots), so Slashdot items reach their story by text.
func aggregatorTarget(it item.Item, host string) string {
	if !aggregatorHost(host) {
		return ""
	}
	// Both markers are literal text: skip the regexps, slow on long
	// bodies, when neither occurs.
	text := it.Summary + " " + it.Content
	if !strings.Contains(text, "[link]") && !strings.Contains(text, "Article URL:") {
		return ""
	}
	m := redditLinkRe.FindStringSubmatch(text)
	if m == nil {
		m = articleURLRe.FindStringSubmatch(text)
	}
	if m == nil {
		return ""
	}
	canon, err := parse.CanonicalURL(html.UnescapeString(m[1]))
	if err != nil || aggregatorHost(linkHost(canon)) {
		return ""
	}
	return IdentityURL(canon)
}

// rewriteHost reports whether host is a news digest whose stories are its
// own write-ups of articles published elsewhere, under its own headlines.
func rewriteHost(host string) bool {
	return host == "slashdot.org" || strings.HasSuffix(host, ".slashdot.org") || host == "soylentnews.org"
}

// linkHost is the lower-case host of link without "www.", "" if none.
func linkHost(link string) string {
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
}

// messageIdentity folds the URLs of one mail to one identity. lore's
// message URL is /<list>/<Message-ID>/, and /T/, /t/, /raw, /t.mbox.gz and
// /t.atom under it are the same message's thread or raw forms; the same
// mail cross-posted to several lists has the same Message-ID under each
// list. lore's own list-agnostic /r/<Message-ID> redirect, lkml.kernel.org
// and patch.msgid.link name the same mail. The result is lore's /r/ URL,
// which resolves.
func messageIdentity(host, path string) string {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	var msgid string
	switch host {
	case "lore.kernel.org":
		if len(segs) < 2 || len(segs) > 3 {
			return ""
		}
		if len(segs) == 3 {
			switch segs[2] {
			case "T", "t", "raw", "t.mbox.gz", "t.atom":
			default:
				return ""
			}
		}
		msgid = segs[1]
	case "lkml.kernel.org":
		if len(segs) != 2 || segs[0] != "r" {
			return ""
		}
		msgid = segs[1]
	case "patch.msgid.link":
		if len(segs) != 1 {
			return ""
		}
		msgid = segs[0]
	default:
		return ""
	}
	msgid = strings.ReplaceAll(msgid, "%40", "@")
	if !strings.Contains(msgid, "@") {
		return ""
	}
	return "lore.kernel.org/r/" + msgid
}

// mailingListHost reports whether host archives mailing lists, whose items
// are mails: their subject names a thread.
func mailingListHost(host string) bool {
	switch host {
	case "lore.kernel.org", "lkml.kernel.org", "lkml.org", "marc.info", "spinics.net",
		"mail-archive.com", "patch.msgid.link":
		return true
	}
	return strings.HasPrefix(host, "lists.") || strings.HasPrefix(host, "patchwork.")
}

var (
	// replyPrefixRe is the reply or forward prefix mail clients add,
	// repeated.
	replyPrefixRe = regexp.MustCompile(`(?i)^\s*(?:(?:re|fwd?|aw|sv)\s*:\s*)+`)
	// replyRe is a reply prefix ("Re:", German "AW:", Nordic "SV:") among
	// those; a bare "Fwd:" is a new post, not an answer.
	replyRe = regexp.MustCompile(`(?i)^\s*(?:fwd?\s*:\s*)*(?:re|aw|sv)\s*:`)
	// trailingVersionRe is a version tag at the end of a subject:
	// "[ver #3]", "[v2]", "(v4)".
	trailingVersionRe = regexp.MustCompile(`(?i)\s*[\[(](?:ver\s*#?|v)\s*\d+[\])]\s*$`)
)

// threadSubject is the normalised subject of a mail (or a patch subject
// seen elsewhere): reply prefixes and leading [...] tags ("[PATCH v3 0/5]",
// "[GIT PULL]") dropped, lower case, spaces collapsed. The tags go because
// successive versions of a series differ only there; the kind of post
// (patch, pull) is compared separately by SameStory. "" for anything else.
func threadSubject(it item.Item, host string) string {
	if !mailingListHost(host) && patchOf(it) == nil {
		return ""
	}
	s := it.Title
	if inner := extract.StableNote(s); inner != "" {
		s = inner
	}
	s = replyPrefixRe.ReplaceAllString(s, "")
	// b4's thank-you mail for part of a series: "Re: (subset) [PATCH ...]".
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "(subset)"))
	for strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			break
		}
		s = strings.TrimSpace(s[end+1:])
	}
	// Some senders put the version last: David Howells's "... [ver #3]".
	if strings.HasSuffix(s, "]") || strings.HasSuffix(s, ")") {
		if m := trailingVersionRe.FindStringIndex(s); m != nil && m[0] > 0 {
			s = strings.TrimSpace(s[:m[0]])
		}
	}
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// appendSeriesKeys adds the keys that tie a patch series' versions
// together (see StoryKeys).
func appendSeriesKeys(keys []string, s *item.Series) []string {
	if s == nil {
		return keys
	}
	if s.ChangeID != "" {
		keys = append(keys, seriesPrefix+s.ChangeID)
	}
	for _, prev := range s.Previous {
		canon, err := parse.CanonicalURL(prev)
		if err != nil {
			continue
		}
		if id := IdentityURL(canon); id != "" {
			if k := linkPrefix + digest(id); !containsString(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	return keys
}

// IsLinkKey reports whether a story key is a link identity ("l:"): the
// Key of the item at that link, so a store can read that item by it
// after the lookup index has forgotten the key.
func IsLinkKey(k string) bool { return strings.HasPrefix(k, linkPrefix) }

// IsReply reports whether it is a reply in a mail thread ("Re: ..."):
// phase 2 counts replies on their story instead of listing them.
func IsReply(it item.Item) bool {
	// Every reply prefix ends in a colon; most titles have none.
	return strings.IndexByte(it.Title, ':') >= 0 && replyRe.MatchString(it.Title)
}

// patchOf is the item's patch subject, from the tagger when it ran.
func patchOf(it item.Item) *item.Patch {
	if it.Extracted.Patch != nil {
		return it.Extracted.Patch
	}
	return extract.Patch(it.Title)
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
