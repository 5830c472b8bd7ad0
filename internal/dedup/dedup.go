package dedup

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"regexp"
	"strings"

	"github.com/kernelwire/kernelwire/internal/item"
)

// Key kinds. The prefix keeps the three namespaces apart: a GUID that happens
// to look like a URL must not collide with a link key.
const (
	linkPrefix  = "l:"
	guidPrefix  = "g:"
	titlePrefix = "t:"
)

// Assign sets Key, Hash, StoryKeys and Buckets on every item of one poll of
// source src: everything a store needs to save them.
func Assign(items []item.Item, src string) {
	// Each link is parsed and each title split into words once, for
	// the identity, the story keys and the signature alike.
	links := make([]linkFacts, len(items))
	for i := range items {
		links[i] = linkOf(items[i].Link)
	}
	assignIdentity(items, links, src)
	for i := range items {
		it := &items[i]
		ws := words(it.Title)
		// The store looks the item's story up under these (see doc.go,
		// Stories); StoryKeys needs the Key just set.
		it.StoryKeys = keyList(storyKeysFrom(*it, kernelVersions(it.Title), links[i], ws))
		// ws is not read again: its tokens may take its place.
		it.Buckets = signatureOf(distinct(tokensOf(ws, ws[:0]))).Buckets()
	}
}

// assignIdentity sets Key and Hash on every item of one poll of source
// src; links are the items' linkOf. It needs the whole batch because a
// link shared by several items of one feed is not an identity:
// kernel.org's kdist.xml links every release to http://www.kernel.org/,
// and only the guid tells them apart.
func assignIdentity(items []item.Item, links []linkFacts, src string) {
	shared := sharedLinks(items, links)
	for i := range items {
		it := &items[i]
		id := links[i].id
		if id != "" && !shared[id] {
			it.Key = linkPrefix + digest(id)
		} else if g := strings.TrimSpace(it.GUID); g != "" {
			it.Key = guidPrefix + digest(src+"\x00"+g)
		} else {
			it.Key = titlePrefix + digest(src+"\x00"+strings.ToLower(strings.TrimSpace(it.Title)))
		}
		it.Hash = Hash(*it)
	}
}

// sharedLinks returns the identity URLs that several items of the batch carry
// while being told apart by guid or title; links are the items' linkOf.
func sharedLinks(items []item.Item, links []linkFacts) map[string]bool {
	first := make(map[string]string, len(items))
	shared := map[string]bool{}
	for i, it := range items {
		id := links[i].id
		if id == "" {
			continue
		}
		who := it.GUID + "\x00" + it.Title
		if prev, ok := first[id]; ok && prev != who {
			shared[id] = true
			continue
		}
		first[id] = who
	}
	return shared
}

// lwnArticle matches LWN's aliases of one article: /Articles/N/,
// /Articles/N/rss (old headline feeds) and /SubscriberLink/N/<token>/.
var lwnArticle = regexp.MustCompile(`^/(?:Articles|SubscriberLink)/(\d+)(?:/.*)?$`)

// IdentityURL reduces a canonical link to what identifies the article: the
// scheme, a leading "www." and a trailing slash are dropped because sites serve
// the same article under each variant, and known per-site aliases are folded:
// LWN's /Articles/N/rss and /SubscriberLink/N/<token>/ are /Articles/N/, and a
// mail's lore URLs (any list, /T/, /t/, /raw, /t.mbox.gz; lkml.kernel.org/r/
// and patch.msgid.link too) are lore.kernel.org/r/<Message-ID>, so the same
// mail cross-posted to several lists is one item.
// It returns "" when the link cannot identify an article: empty, unparsable,
// without a host name, or a site's home page (a feed whose items all point at its home page, like
// kdist.xml, would otherwise collapse into one item even when it has a single
// entry).
func IdentityURL(link string) string {
	return linkOf(link).id
}

// linkFacts are what this package reads off a link: its host as linkHost
// gives it and its identity as IdentityURL does. Both come from one parse:
// url.Parse was the largest single cost of assigning and preparing an item,
// which asked for the same link's host and identity up to five times.
type linkFacts struct{ host, id string }

// linkOf parses link once for linkHost and IdentityURL.
func linkOf(link string) linkFacts {
	if link == "" {
		return linkFacts{}
	}
	u, err := url.Parse(link)
	if err != nil {
		return linkFacts{}
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	if u.Host == "" {
		return linkFacts{host: host}
	}
	return linkFacts{host: host, id: identity(u, host)}
}

// identity is IdentityURL of the parsed link u, whose host (lower case, no
// "www.") is host.
func identity(u *url.URL, host string) string {
	if strings.Contains(host, ":") {
		// An IPv6 literal keeps its brackets, so the identity reads
		// back as the same host; any other colon is junk ("//::/0").
		if !strings.HasPrefix(u.Host, "[") {
			return ""
		}
		host = "[" + host + "]"
	}
	path := strings.TrimRight(u.EscapedPath(), "/")
	// u.Host can be a bare port (":0"): no host name, so nothing that
	// tells one site's article from another's.
	if host == "" || path == "" && u.RawQuery == "" {
		return ""
	}
	if host == "lwn.net" {
		if m := lwnArticle.FindStringSubmatch(path); m != nil {
			return "lwn.net/Articles/" + m[1]
		}
	}
	if id := messageIdentity(host, path); id != "" {
		return id
	}
	id := host + path
	if u.RawQuery != "" {
		id += "?" + u.RawQuery
	}
	return id
}

// Hash summarises what makes an item "updated in place" when it changes.
// Topics are part of it so that a re-poll after a rules change re-files the
// item.
func Hash(it item.Item) string {
	h := sha256.New()
	for _, s := range []string{it.Title, it.Summary, it.Content, it.Link, strings.Join(it.Topics, ",")} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	if it.OnTopic {
		// Only when set, so that the hashes stored before the field
		// existed stay valid.
		h.Write([]byte("on-topic\x00"))
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}
