package parse

import (
	"bytes"
	"html"
	"net/url"
	"regexp"
	"strings"
)

// docInfo is what gofeed's structs lose and a light scan of the XML keeps:
// the xml:base in scope for each entry and the type attribute of its text
// constructs.
//
// xml:base: gofeed resolves it by appending "/" to a base that does not end
// in one, treating a document URL as a folder (href="#frag" against
// .../Rust-1.70.0.html becomes .../Rust-1.70.0.html/#frag). RFC 3986 section
// 5.2 merges a reference with the base's path up to its last "/", and XML
// Base (https://www.w3.org/TR/xmlbase/) says the base of an element is its
// own xml:base resolved against its parent's, the outermost against the
// document's URL. scanXML computes the bases that way and removes every
// xml:base attribute from the document, so gofeed leaves relative
// references alone and convertItem resolves them.
type docInfo struct {
	// base is the feed element's (or RSS channel's) base, "" when no
	// xml:base is in scope there.
	base string
	// titleType is the feed title's type attribute (Atom), lower-cased.
	titleType string
	entries   []entryInfo
	// ends are the offsets just past each entry's end tag, and closers
	// the elements open around the entries (outermost first): a prefix
	// doc[:ends[k]] plus their end tags is a document of k entries.
	ends    []int
	closers []string
	// lifted says pubDate elements were taken out (scanXML's liftDates).
	lifted bool
}

// entryInfo describes one top-level <entry> or <item>, in document order.
type entryInfo struct {
	// base, contentBase and summaryBase are "" when no xml:base is in
	// scope for the element.
	base, contentBase, summaryBase string
	titleType, summaryType         string
	// pubDate is the text of the item's last <pubDate> when scanXML
	// lifted it out of the document (pubDateLifted; see liftPubDate).
	pubDate       string
	pubDateLifted bool
}

// scanXML scans doc (UTF-8, declaration removed) and returns it without
// its xml:base attributes, with what it found. docURL is the base of the
// outermost element. With liftDates, the items' plain <pubDate> elements
// are taken out too, their text kept in the entries (see liftPubDate). It
// never fails: a document it cannot follow is returned as it is, with
// what was found up to there.
func scanXML(doc []byte, docURL string, liftDates bool) ([]byte, docInfo) {
	liftDates = liftDates && !defaultNS.Match(doc)
	var (
		info   docInfo
		strip  [][2]int // byte ranges of xml:base attributes
		stack  []scanElem
		cur    *entryInfo // the entry being scanned
		curTop = -1       // its depth in stack
	)
	baseOf := func() (string, bool) {
		if len(stack) == 0 {
			return docURL, false
		}
		top := stack[len(stack)-1]
		return top.base, top.declared
	}
	for i := 0; i < len(doc); {
		j := bytes.IndexByte(doc[i:], '<')
		if j < 0 {
			break
		}
		i += j
		rest := doc[i:]
		switch {
		case bytes.HasPrefix(rest, []byte("<!--")):
			i += skipPast(rest, "-->")
			continue
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			i += skipPast(rest, "]]>")
			continue
		case bytes.HasPrefix(rest, []byte("<!")):
			i += skipDecl(rest)
			continue
		case bytes.HasPrefix(rest, []byte("<?")):
			i += skipPast(rest, "?>")
			continue
		case bytes.HasPrefix(rest, []byte("</")):
			end := bytes.IndexByte(rest, '>')
			if end < 0 {
				i = len(doc)
				continue
			}
			name := string(bytes.TrimSpace(rest[2:end]))
			// Pop to the matching element: an unclosed child must not
			// shift every scope after it.
			for k := len(stack) - 1; k >= 0; k-- {
				if stack[k].name == name {
					stack = stack[:k]
					break
				}
			}
			if cur != nil && len(stack) <= curTop {
				cur, curTop = nil, -1
				info.ends = append(info.ends, i+end+1)
				if info.closers == nil {
					for _, e := range stack {
						info.closers = append(info.closers, e.name)
					}
				}
			}
			i += end + 1
			continue
		}
		tag, ok := scanTag(rest)
		if !ok {
			i++
			continue
		}
		parentBase, declared := baseOf()
		el := scanElem{name: tag.name, base: parentBase, declared: declared}
		if tag.hasBase {
			strip = append(strip, [2]int{i + tag.baseStart, i + tag.baseEnd})
			el.declared = true
			el.base = resolveBase(parentBase, tag.base)
		}
		prefix, local := splitName(tag.name)
		depth := len(stack)
		if cur != nil && depth == curTop+1 && prefix == "" && strings.EqualFold(local, "pubDate") {
			if n, text, ok := liftPubDate(rest, tag); liftDates && ok {
				strip = append(strip, [2]int{i, i + n})
				cur.pubDate, cur.pubDateLifted = text, true
				info.lifted = true
				i += n
				continue
			}
			// gofeed keeps the last: this one, left in the document.
			cur.pubDate, cur.pubDateLifted = "", false
		}
		switch {
		case cur == nil && (local == "entry" || local == "item") && depth > 0 && isContainer(stack):
			info.entries = append(info.entries, entryInfo{base: declaredBase(el)})
			cur, curTop = &info.entries[len(info.entries)-1], depth
		case cur == nil && (local == "feed" || local == "channel") && (depth == 0 || isRoot(stack)):
			if el.declared {
				info.base = el.base
			}
		case cur == nil && local == "title" && depth == 1 && prefix == "":
			info.titleType = strings.ToLower(tag.typ)
		case cur != nil && depth == curTop+1:
			switch local {
			case "title":
				if prefix == "" {
					cur.titleType = strings.ToLower(tag.typ)
				}
			case "summary":
				cur.summaryType = strings.ToLower(tag.typ)
				cur.summaryBase = declaredBase(el)
			case "content", "encoded":
				cur.contentBase = declaredBase(el)
			case "description":
				cur.summaryBase = declaredBase(el)
			}
		}
		if !tag.selfClosing {
			stack = append(stack, el)
		}
		i += tag.end
	}
	if len(strip) == 0 {
		return doc, info
	}
	out := make([]byte, 0, len(doc))
	last := 0
	for _, r := range strip {
		out = append(out, doc[last:r[0]]...)
		last = r[1]
	}
	return append(out, doc[last:]...), info
}

type scanElem struct {
	name     string
	base     string
	declared bool // an xml:base is in scope
}

func declaredBase(el scanElem) string {
	if el.declared {
		return el.base
	}
	return ""
}

// isContainer reports whether the innermost open element holds entries:
// an Atom feed, an RSS channel, or an RSS 1.0 rdf:RDF.
func isContainer(stack []scanElem) bool {
	_, local := splitName(stack[len(stack)-1].name)
	return local == "feed" || local == "channel" || local == "RDF"
}

func isRoot(stack []scanElem) bool {
	_, local := splitName(stack[len(stack)-1].name)
	return len(stack) == 1 && (local == "rss" || local == "RDF")
}

func splitName(name string) (prefix, local string) {
	if i := strings.IndexByte(name, ':'); i >= 0 {
		return name[:i], name[i+1:]
	}
	return "", name
}

// resolveBase resolves an xml:base value against the base in scope (RFC
// 3986 section 5.2, which url.ResolveReference implements). A value that
// does not parse leaves the parent's base in force.
func resolveBase(parent, ref string) string {
	r, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return parent
	}
	if r.IsAbs() {
		return r.String()
	}
	b, err := url.Parse(parent)
	if err != nil || !b.IsAbs() {
		return parent
	}
	return b.ResolveReference(r).String()
}

// scannedTag is one start tag.
type scannedTag struct {
	name, typ, base    string
	hasBase            bool
	baseStart, baseEnd int // the xml:base attribute, leading space included
	end                int // just past '>'
	selfClosing        bool
}

// scanTag reads the start tag at the beginning of b ("<name attr='v'>").
func scanTag(b []byte) (scannedTag, bool) {
	var t scannedTag
	i := 1
	for i < len(b) && !isSpace(b[i]) && b[i] != '>' && b[i] != '/' {
		i++
	}
	if i == 1 {
		return t, false
	}
	t.name = string(b[1:i])
	for i < len(b) {
		attrStart := i
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i >= len(b) {
			return t, false
		}
		switch b[i] {
		case '>':
			t.end = i + 1
			return t, true
		case '/':
			if i+1 < len(b) && b[i+1] == '>' {
				t.end, t.selfClosing = i+2, true
				return t, true
			}
			i++
			continue
		}
		k := i
		for i < len(b) && b[i] != '=' && b[i] != '>' && !isSpace(b[i]) {
			i++
		}
		key := string(b[k:i])
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i >= len(b) || b[i] != '=' {
			continue // an attribute without a value: not XML, skip it
		}
		i++
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i >= len(b) || (b[i] != '"' && b[i] != '\'') {
			return t, false
		}
		q := b[i]
		end := bytes.IndexByte(b[i+1:], q)
		if end < 0 {
			return t, false
		}
		val := html.UnescapeString(string(b[i+1 : i+1+end]))
		i += end + 2
		switch key {
		case "xml:base":
			t.base, t.hasBase = val, true
			t.baseStart, t.baseEnd = attrStart, i
		case "type":
			t.typ = strings.TrimSpace(val)
		}
	}
	return t, false
}

// defaultNS finds a default namespace declaration. In a document that has
// one, an unprefixed <pubDate> may be an extension element to gofeed, so
// none is lifted.
var defaultNS = regexp.MustCompile(`xmlns\s*=`)

// liftPubDate reports whether the <pubDate> start tag t at the start of b
// can be taken out of the document, and the element's length and text: it
// holds plain text only (no markup, CDATA or references, so its text is
// exactly its bytes, as gofeed would read them) and closes with its own
// end tag. gofeed parses every item's pubDate with a long list of layouts,
// the commonest form (RFC 822 with "GMT") failing all numeric ones first
// and allocating an error for each: a third of a cold poll's allocations,
// for dates parse never uses (dates.go reads its own); the lifted text is
// what dateStrings reads instead.
func liftPubDate(b []byte, t scannedTag) (n int, text string, ok bool) {
	if t.selfClosing || t.hasBase {
		return 0, "", false
	}
	k := bytes.IndexByte(b[t.end:], '<')
	if k < 0 {
		return 0, "", false
	}
	content := b[t.end : t.end+k]
	if bytes.IndexByte(content, '&') >= 0 {
		return 0, "", false
	}
	rest := b[t.end+k:]
	if !bytes.HasPrefix(rest, []byte("</")) || !bytes.HasPrefix(rest[2:], []byte(t.name)) {
		return 0, "", false
	}
	j := 2 + len(t.name)
	for j < len(rest) && isSpace(rest[j]) {
		j++
	}
	if j >= len(rest) || rest[j] != '>' {
		return 0, "", false
	}
	return t.end + k + j + 1, string(content), true
}

// skipDecl skips a <!DOCTYPE ...> or other declaration, internal subset
// ([...]) included.
func skipDecl(b []byte) int {
	gt := bytes.IndexByte(b, '>')
	br := bytes.IndexByte(b, '[')
	if br >= 0 && (gt < 0 || br < gt) {
		if end := bytes.Index(b[br:], []byte("]>")); end >= 0 {
			return br + end + 2
		}
		return len(b)
	}
	if gt < 0 {
		return len(b)
	}
	return gt + 1
}
