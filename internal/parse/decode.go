package parse

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

// maxGunzipped caps a body that turned out to be gzip (see gunzip): the
// fetched size is bounded by package fetch, the inflated one only here.
const maxGunzipped = 32 << 20

// detectWindow is how far into the body gofeed looks for the root element
// (gofeed's detectionPeekSize, 4 KiB): a root after it is not detected.
const detectWindow = 4096

// toUTF8 turns a fetched body into UTF-8 without an XML declaration, so
// that gofeed (whose decoder would otherwise transcode by the declaration a
// second time) sees exactly one encoding. Which label wins (RFC 7303
// section 3 and XML 1.0 Appendix F):
//
//  1. a byte order mark (UTF-8, UTF-16, UTF-32), or the UTF-16/UTF-32
//     pattern of "<?" without one;
//  2. the HTTP charset parameter, which RFC 7303 makes authoritative for
//     XML media types, unless the bytes are invalid in it and valid in the
//     declared one, or it is a single-byte legacy charset while the bytes
//     are valid, non-ASCII UTF-8 and so declared: servers send a default
//     charset for every file, and Latin-1 text is practically never valid
//     UTF-8 by accident;
//  3. the XML declaration's encoding;
//  4. none, or a UTF-8 label on bytes that are not UTF-8: UTF-8 when
//     valid, else the legacy charset detectLegacy finds (windows-1252,
//     windows-1251, KOI8-R, GBK, Big5, Shift_JIS, EUC-JP, EUC-KR).
func toUTF8(body []byte, contentType string) ([]byte, error) {
	body, err := gunzip(body)
	if err != nil {
		return nil, err
	}
	switch {
	case bytes.HasPrefix(body, []byte{0xEF, 0xBB, 0xBF}):
		return decodeUTF8(body[3:]), nil
	case bytes.HasPrefix(body, []byte{0xFF, 0xFE, 0, 0}), bytes.HasPrefix(body, []byte{'<', 0, 0, 0}):
		return transcode(body, utf32.UTF32(utf32.LittleEndian, utf32.UseBOM))
	case bytes.HasPrefix(body, []byte{0, 0, 0xFE, 0xFF}), bytes.HasPrefix(body, []byte{0, 0, 0, '<'}):
		return transcode(body, utf32.UTF32(utf32.BigEndian, utf32.UseBOM))
	case bytes.HasPrefix(body, []byte{0xFF, 0xFE}), bytes.HasPrefix(body, []byte{'<', 0, '?', 0}):
		// gofeed's detector does not understand UTF-16 at all.
		return transcode(body, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM))
	case bytes.HasPrefix(body, []byte{0xFE, 0xFF}), bytes.HasPrefix(body, []byte{0, '<', 0, '?'}):
		return transcode(body, unicode.UTF16(unicode.BigEndian, unicode.UseBOM))
	}
	declared := declEncoding(body)
	// A declaration we could read byte by byte as ASCII is not in UTF-16
	// or UTF-32, whatever it says: such documents were re-encoded to UTF-8
	// by a tool that kept the old declaration.
	if l := strings.ToLower(declared); strings.HasPrefix(l, "utf-16") || strings.HasPrefix(l, "utf-32") {
		declared = "utf-8"
	}
	label := httpCharset(contentType)
	if label == "" || !knownLabel(label) {
		label = declared
	} else if declared != "" && knownLabel(declared) && !sameCharset(label, declared) && overrideHTTP(body, label, declared) {
		label = declared
	}
	switch {
	case label == "" || !knownLabel(label):
		if utf8.Valid(body) {
			return dropDecl(body), nil
		}
		return transcode(body, detectLegacy(body))
	case isUTF8Label(label):
		if utf8.Valid(body) {
			return dropDecl(body), nil
		}
		// Labelled UTF-8 but not: the label is a default, not a fact.
		return transcode(body, detectLegacy(body))
	}
	return transcode(body, lookup(label))
}

// overrideHTTP reports whether the declared charset should win over the
// HTTP one (rule 2 of toUTF8).
func overrideHTTP(body []byte, httpLabel, declared string) bool {
	if validIn(body, httpLabel) {
		return singleByte(httpLabel) && isUTF8Label(declared) && utf8.Valid(body) && !isASCII(body)
	}
	return validIn(body, declared)
}

// validIn reports whether body decodes in label without a replacement.
func validIn(body []byte, label string) bool {
	if isUTF8Label(label) {
		return utf8.Valid(body)
	}
	if l := strings.ToLower(strings.TrimSpace(label)); l == "us-ascii" || l == "ascii" {
		return isASCII(body)
	}
	enc := lookup(label)
	if enc == nil {
		return false
	}
	out, err := enc.NewDecoder().Bytes(body)
	return err == nil && bytes.Count(out, []byte("\uFFFD")) <= bytes.Count(body, []byte("\uFFFD"))
}

// singleByte reports the legacy charsets servers default to.
func singleByte(label string) bool {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "iso-8859-1", "latin1", "l1", "iso_8859-1", "iso8859-1", "windows-1252", "cp1252", "us-ascii", "ascii", "iso-8859-15":
		return true
	}
	return false
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

func knownLabel(label string) bool {
	return isUTF8Label(label) || lookup(label) != nil
}

func sameCharset(a, b string) bool {
	if isUTF8Label(a) || isUTF8Label(b) {
		return isUTF8Label(a) && isUTF8Label(b)
	}
	ea, eb := lookup(a), lookup(b)
	return ea != nil && ea == eb
}

func decodeUTF8(b []byte) []byte {
	if utf8.Valid(b) {
		return dropDecl(b)
	}
	return dropDecl(validUTF8(b))
}

// gunzip inflates a body that is still gzip: some servers compress a
// static .xml.gz without saying so in Content-Encoding, so the transport
// hands us the raw stream (testdata/gzip-body-invalid-characters_*.xml.gz).
func gunzip(body []byte) ([]byte, error) {
	if !bytes.HasPrefix(body, []byte{0x1f, 0x8b}) {
		return body, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	out, err := io.ReadAll(io.LimitReader(zr, maxGunzipped+1))
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	if len(out) > maxGunzipped {
		return nil, fmt.Errorf("gunzip: more than %d bytes", maxGunzipped)
	}
	return out, nil
}

func transcode(body []byte, enc encoding.Encoding) ([]byte, error) {
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return nil, fmt.Errorf("decode charset: %w", err)
	}
	return dropDecl(validUTF8(bytes.TrimPrefix(out, []byte("\uFEFF")))), nil
}

// lookup finds a non-UTF-8 encoding by its label (WHATWG names: "gb2312"
// is GBK, "iso-8859-1" is windows-1252, as browsers do).
func lookup(label string) encoding.Encoding {
	if isUTF8Label(label) {
		return nil
	}
	enc, _ := charset.Lookup(label)
	return enc
}

func isUTF8Label(label string) bool {
	l := strings.ToLower(strings.TrimSpace(label))
	return l == "utf-8" || l == "utf8" || l == "unicode-1-1-utf-8"
}

// validUTF8 replaces invalid sequences in text that claims to be UTF-8 but
// is not, so that the XML decoder does not reject the whole feed for one
// stray byte.
func validUTF8(b []byte) []byte {
	if utf8.Valid(b) {
		return b
	}
	return bytes.ToValidUTF8(b, []byte("\uFFFD"))
}

// httpCharset returns the charset parameter of a Content-Type, or "".
func httpCharset(contentType string) string {
	if contentType == "" {
		return ""
	}
	_, params, err := mime.ParseMediaType(contentType)
	if err == nil {
		// charset='gb2312': single quotes are not MIME quoting, but
		// servers send them.
		return strings.Trim(strings.TrimSpace(params["charset"]), `"'`)
	}
	// Be lenient with malformed headers ("text/xml; charset=utf-8;").
	lower := strings.ToLower(contentType)
	i := strings.Index(lower, "charset=")
	if i < 0 {
		return ""
	}
	v := contentType[i+len("charset="):]
	if j := strings.IndexAny(v, "; \t"); j >= 0 {
		v = v[:j]
	}
	return strings.Trim(v, `"'`)
}

// xmlDecl returns the XML declaration at the start of b (after white
// space), or nil.
func xmlDecl(b []byte) []byte {
	t := bytes.TrimLeft(b, " \t\r\n")
	if len(t) < 6 || !bytes.HasPrefix(t, []byte("<?xml")) || !isSpace(t[5]) {
		return nil
	}
	end := bytes.Index(t, []byte("?>"))
	if end < 0 {
		return nil
	}
	return t[:end+2]
}

// declEncoding returns the encoding pseudo-attribute of the XML
// declaration, or "".
func declEncoding(b []byte) string {
	d := string(xmlDecl(b))
	i := strings.Index(d, "encoding")
	if i < 0 {
		return ""
	}
	rest := strings.TrimLeft(d[i+len("encoding"):], " \t\r\n")
	if !strings.HasPrefix(rest, "=") {
		return ""
	}
	rest = strings.TrimLeft(rest[1:], " \t\r\n")
	if rest == "" || (rest[0] != '"' && rest[0] != '\'') {
		return ""
	}
	end := strings.IndexByte(rest[1:], rest[0])
	if end < 0 {
		return ""
	}
	return rest[1 : end+1]
}

// dropDecl removes the XML declaration: the body is UTF-8 now, which an
// XML document without a declaration is by definition.
func dropDecl(b []byte) []byte {
	d := xmlDecl(b)
	if d == nil {
		return b
	}
	start := bytes.Index(b, d)
	return b[start+len(d):]
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

var errHTML = errors.New("HTML page, not a feed")

// rootElement returns the name of the first element of an XML body and its
// offset, skipping white space, processing instructions, comments and the
// DOCTYPE. It returns an error for an HTML document: gofeed would say
// "failed to detect feed type", which hides the usual cause (a login page,
// a parked domain or a browser's saved view of a feed).
func rootElement(b []byte) (name string, offset int, err error) {
	i := 0
	htmlDoctype := false
	for i < len(b) {
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		rest := b[i:]
		switch {
		case bytes.HasPrefix(rest, []byte("<?")):
			i += skipPast(rest, "?>")
		case bytes.HasPrefix(rest, []byte("<!--")):
			i += skipPast(rest, "-->")
		case len(rest) >= 9 && strings.EqualFold(string(rest[:9]), "<!doctype"):
			// An XHTML DOCTYPE is no proof of a page: some generators put
			// one before <rss> (for the entities it declares). The root
			// element decides; after an HTML DOCTYPE only a feed root is
			// taken.
			if f := bytes.Fields(rest[9:min(len(rest), 64)]); len(f) > 0 &&
				strings.EqualFold(strings.TrimSuffix(string(f[0]), ">"), "html") {
				htmlDoctype = true
			}
			i += skipDecl(rest)
		case bytes.HasPrefix(rest, []byte("<")):
			end := 1
			for end < len(rest) && !isSpace(rest[end]) && rest[end] != '>' && rest[end] != '/' {
				end++
			}
			name = string(rest[1:end])
			local := name
			if j := strings.LastIndexByte(local, ':'); j >= 0 {
				local = local[j+1:]
			}
			if strings.EqualFold(local, "html") {
				return name, i, errHTML
			}
			if htmlDoctype && !feedRoot(local) {
				return name, i, errHTML
			}
			return name, i, nil
		default:
			if htmlDoctype {
				return "", i, errHTML
			}
			return "", i, nil
		}
	}
	return "", i, nil
}

func feedRoot(local string) bool {
	switch strings.ToLower(local) {
	case "rss", "feed", "rdf", "channel":
		return true
	}
	return false
}

// skipPast returns the offset just after the first end in b, or len(b).
func skipPast(b []byte, end string) int {
	j := bytes.Index(b, []byte(end))
	if j < 0 {
		return len(b)
	}
	return j + len(end)
}
