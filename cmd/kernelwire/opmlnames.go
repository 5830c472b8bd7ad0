package main

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// feedScheme turns the feed: URLs some readers export into the http(s) URL
// they stand for: feed://host/path is http://host/path, and
// feed:https://host/path is https://host/path (the scheme was never
// standardised; these are the two forms in use).
func feedScheme(raw string) string {
	if len(raw) < 5 || !strings.EqualFold(raw[:5], "feed:") {
		return raw
	}
	rest := raw[5:]
	if strings.HasPrefix(rest, "//") {
		return "http:" + rest
	}
	return rest
}

// kernelwireFeedPath is the path of a feed kernelwire publishes.
var kernelwireFeedPath = regexp.MustCompile(`/feeds/[a-z0-9-]+\.(atom|rss|json|xml)$`)

// ownFeed says why raw is one of kernelwire's own feeds, or "": a URL under
// this instance's base URL, or a feed whose outline carries the title our
// /feeds.opml gives it. Sites that re-syndicate the curated feed export it
// with their other feeds; polling it would bring our own items back as
// another source's.
func ownFeed(raw, title, baseURL string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	if baseURL != "" {
		base := strings.TrimRight(baseURL, "/")
		if b, err := url.Parse(base); err == nil && strings.EqualFold(u.Host, b.Host) &&
			(u.Path == b.Path || strings.HasPrefix(u.Path, b.Path+"/")) {
			return "a URL of this kernelwire instance (" + base + ")"
		}
	}
	if strings.HasPrefix(title, "kernelwire: ") && kernelwireFeedPath.MatchString(u.Path) {
		return "a kernelwire feed: polling it would bring kernelwire's own items back in"
	}
	return ""
}

// uniqueName is name, or name-2, name-3 ... when taken.
func uniqueName(name string, taken map[string]string) string {
	if taken[name] == "" {
		return name
	}
	for n := 2; ; n++ {
		suffix := fmt.Sprintf("-%d", n)
		cand := name
		if len(cand)+len(suffix) > maxSlug {
			cand = strings.TrimRight(cand[:maxSlug-len(suffix)], "-")
		}
		if cand += suffix; taken[cand] == "" {
			return cand
		}
	}
}

// sourceName makes a source name (a slug, as config requires) from an
// outline title, else from the feed URL's host.
func sourceName(title, rawURL string) string {
	slug := slugify(title)
	if slug == "" {
		if u, err := url.Parse(rawURL); err == nil {
			slug = slugify(strings.TrimPrefix(u.Hostname(), "www."))
		}
	}
	switch slug {
	case "":
		return "feed"
	case "all": // reserved: /feeds/all is kernelwire's own
		return "all-feed"
	}
	return slug
}

const maxSlug = 40

// slugify keeps letters and digits as ASCII, lower-cased, joined by single
// hyphens, at most maxSlug bytes: "LWN.net: Headlines" is
// "lwn-net-headlines", "Ünïcode" is "unicode" (accents dropped), "Хабр" is
// "khabr" and "Πύλη" is "pyli" (transliterated). Scripts with no table here
// (Han, Arabic ...) leave nothing, and the caller falls back to the host.
func slugify(s string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range greekOU.Replace(strings.ToLower(s)) {
		latin := spell(r)
		if latin == "" {
			hyphen = true
			continue
		}
		if hyphen && b.Len() > 0 {
			b.WriteByte('-')
		}
		b.WriteString(latin)
		hyphen = false
	}
	out := b.String()
	if len(out) > maxSlug {
		out = strings.TrimRight(out[:maxSlug], "-")
	}
	return out
}

// spell is r in ASCII letters and digits: itself, its transliteration, or
// its letter without accents (NFD: "ü" is "u" and a combining diaeresis);
// "" when it has none.
func spell(r rune) string {
	switch {
	case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
		return string(r)
	case translit[r] != "":
		return translit[r]
	}
	var out strings.Builder
	for _, d := range norm.NFD.String(string(r)) {
		if d != r && (d >= 'a' && d <= 'z' || translit[d] != "") {
			out.WriteString(spell(d))
		}
	}
	return out.String()
}

// greekOU is the one Greek digraph every romanisation spells as one sound.
var greekOU = strings.NewReplacer("ου", "ou", "ού", "ou")

// translit spells Cyrillic and Greek letters and the Latin letters NFD does
// not decompose into ASCII, after the common romanisations (BGN/PCGN for
// Cyrillic, ELOT 743 for Greek); accented letters not listed are spelt
// through their base letter (spell).
var translit = func() map[rune]string {
	m := map[rune]string{
		'ß': "ss", 'æ': "ae", 'ø': "o", 'œ': "oe", 'đ': "d", 'ł': "l", 'þ': "th", 'ð': "d", 'ı': "i",
	}
	pairs := func(letters string, latin ...string) {
		for i, r := range []rune(letters) {
			m[r] = latin[i]
		}
	}
	pairs("абвгдежзийклмнопрстуфхцчшщъыьэюяёієїґ",
		"a", "b", "v", "g", "d", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t", "u", "f",
		"kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya", "e", "i", "ye", "yi", "g")
	pairs("αβγδεζηθικλμνξοπρσςτυφχψω",
		"a", "v", "g", "d", "e", "z", "i", "th", "i", "k", "l", "m", "n", "x", "o", "p", "r", "s", "s", "t", "y",
		"f", "ch", "ps", "o")
	return m
}()
