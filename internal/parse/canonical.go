package parse

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// CanonicalURL normalises a link for identity, so that the same article
// reached through differently spelt links gets the same Item.Link:
//
//   - absolute http(s) only: any other scheme, an empty host or an unparsable
//     link is an error;
//   - scheme and host lower-cased (IDN hosts too, by Unicode case folding);
//     the default port (:80 for http, :443 for https) and an empty port
//     dropped;
//   - the fragment dropped;
//   - tracking parameters dropped (utm_*, which includes FeedBurner's
//     utm_source=feedburner family, fbclid, gclid, ...; see isTrackingParam),
//     the remaining ones kept and sorted so that their order does not matter;
//   - percent-encoding normalised (RFC 3986 section 6.2.2.2: escapes of
//     unreserved characters decoded, other escapes upper-cased, characters
//     that must be escaped escaped) and dot segments removed (section
//     6.2.2.3);
//   - an empty path becomes "/", but "/a/" and "/a" stay distinct: servers
//     differ on whether they are the same resource.
//
// CanonicalURL is idempotent: CanonicalURL(CanonicalURL(x)) == CanonicalURL(x).
func CanonicalURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("canonical url %q: %w", raw, err)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", fmt.Errorf("canonical url %q: %w", raw, errNotHTTP)
	}
	host, err := canonicalHost(scheme, u.Host)
	if err != nil {
		return "", fmt.Errorf("canonical url %q: %w", raw, err)
	}

	var b strings.Builder
	b.WriteString(scheme)
	b.WriteString("://")
	if u.User != nil {
		b.WriteString(u.User.String())
		b.WriteByte('@')
	}
	b.WriteString(host)

	p := removeDotSegments(normEscapes(u.EscapedPath(), pathChar))
	if p == "" {
		p = "/"
	}
	b.WriteString(p)

	if q := canonicalQuery(u.RawQuery); q != "" {
		b.WriteByte('?')
		b.WriteString(q)
	}
	out := b.String()
	// Re-parse what we built: a host or userinfo Go accepts on input but
	// spells differently on output would otherwise break idempotence.
	if _, err := url.Parse(out); err != nil {
		return "", fmt.Errorf("canonical url %q: %w", raw, err)
	}
	return out, nil
}

var (
	errNotHTTP   = errors.New("not an absolute http(s) URL")
	errEmptyHost = errors.New("empty host")
)

// canonicalHost lower-cases host and drops the scheme's default port.
func canonicalHost(scheme, host string) (string, error) {
	host = strings.ToLower(host)
	name, port := host, ""
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		name, port = host[:i], host[i+1:]
	}
	if name == "" || name == "[]" {
		return "", errEmptyHost
	}
	if port == "" || (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		host = name
	}
	// url.Parse has already rejected ASCII a host may not carry; what it
	// unescaped is UTF-8 (an IDN, kept readable rather than re-escaped as
	// url.URL.String would) or an IPv6 zone's '%', which must be escaped.
	return strings.ReplaceAll(host, "%", "%25"), nil
}

// canonicalQuery drops tracking parameters, normalises escapes and sorts the
// rest. It splits on '&' itself rather than using url.ParseQuery, which
// decodes '+' and drops malformed pairs: identity must not change meaning.
func canonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	var kept []string
	for pair := range strings.SplitSeq(raw, "&") {
		if pair == "" {
			continue
		}
		key, value, hasValue := strings.Cut(pair, "=")
		key = normEscapes(key, queryKeyChar)
		if isTrackingParam(key) {
			continue
		}
		if hasValue {
			key += "=" + normEscapes(value, queryValueChar)
		}
		kept = append(kept, key)
	}
	slices.Sort(kept)
	return strings.Join(kept, "&")
}

// isTrackingParam reports whether a query key only identifies the campaign
// or click that brought the reader, not the resource.
func isTrackingParam(key string) bool {
	k := strings.ToLower(key)
	if decoded, err := url.QueryUnescape(k); err == nil {
		k = decoded
	}
	if strings.HasPrefix(k, "utm_") {
		return true
	}
	switch k {
	case "fbclid", "gclid", "mc_cid", "mc_eid", "ref_src", "igshid",
		"_hsenc", "_hsmi", "yclid", "msclkid",
		// heise's Webtrekk campaign tags (wt_mc=rss.ho.beitrag.rdf in
		// testdata/rss-0.9-netscape-rdf_heise-online.xml): same article,
		// different tag per feed flavour.
		"wt_mc", "wt_zmc":
		return true
	}
	return false
}

// Character classes of RFC 3986 section 2 and 3.3/3.4.
func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

func subDelim(c byte) bool { return strings.IndexByte("!$&'()*+,;=", c) >= 0 }

func pathChar(c byte) bool { return unreserved(c) || subDelim(c) || c == ':' || c == '@' || c == '/' }

// queryKeyChar keeps '&' and '=' escaped inside a key: raw, they would
// change where the pair splits when the result is parsed again.
func queryKeyChar(c byte) bool {
	return (pathChar(c) || c == '?') && c != '&' && c != '='
}

func queryValueChar(c byte) bool { return (pathChar(c) || c == '?') && c != '&' }

// normEscapes rewrites s so that unreserved characters appear raw, every
// other character allowed raw by keep stays as it is, and everything else
// is a %XX escape with upper-case hex. A '%' not starting an escape is
// itself escaped as %25.
func normEscapes(s string, keep func(byte) bool) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			d := unhex(s[i+1])<<4 | unhex(s[i+2])
			i += 2
			if unreserved(d) {
				b.WriteByte(d)
				continue
			}
			b.WriteByte('%')
			b.WriteByte(hex[d>>4])
			b.WriteByte(hex[d&15])
			continue
		}
		if c != '%' && keep(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// removeDotSegments is RFC 3986 section 5.2.4 on an escaped path. Unlike
// path.Clean it keeps a trailing slash and empty segments ("//").
func removeDotSegments(p string) string {
	if !strings.Contains(p, ".") {
		return p
	}
	segs := strings.Split(p, "/")
	out := make([]string, 0, len(segs))
	for i, s := range segs {
		last := i == len(segs)-1
		switch s {
		case ".":
			if last {
				out = append(out, "")
			}
		case "..":
			if len(out) > 1 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, s)
		}
	}
	r := strings.Join(out, "/")
	if strings.HasPrefix(p, "/") && !strings.HasPrefix(r, "/") {
		r = "/" + r
	}
	return r
}

// Resolve resolves ref against base, returning an absolute URL, or "" when
// ref is empty, either does not parse, or the result is still relative.
func Resolve(base, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if !r.IsAbs() {
		b, err := url.Parse(strings.TrimSpace(base))
		if err != nil || !b.IsAbs() {
			return ""
		}
		r = b.ResolveReference(r)
	}
	if r.Scheme == "" || (r.Opaque == "" && r.Host == "" && isHierarchical(r.Scheme)) {
		return ""
	}
	return r.String()
}

// isHierarchical reports whether a URL of scheme needs a host to be usable.
func isHierarchical(scheme string) bool {
	switch strings.ToLower(scheme) {
	case "http", "https", "ftp", "ws", "wss":
		return true
	}
	return false
}
