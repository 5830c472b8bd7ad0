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
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// maxGunzipped caps a body that turned out to be gzip (see gunzip): the
// fetched size is bounded by package fetch, the inflated one only here.
const maxGunzipped = 32 << 20

// detectWindow is how far into the body gofeed looks for the root element
// (gofeed's detectionPeekSize, 4 KiB): a root after it is not detected.
const detectWindow = 4096

// toUTF8 turns a fetched body into UTF-8 without an XML declaration, so
// that gofeed (whose decoder would otherwise transcode by the declaration a
// second time) sees exactly one encoding. The order follows XML 1.0
// Appendix F and the brief: a byte order mark wins; then the XML prolog's
// encoding; then the HTTP charset; then, for bytes that are not UTF-8,
// windows-1252 (the WHATWG default for unlabelled legacy text: the
// undeclared ISO-8859-1 fixtures are in fact plain Latin-1).
func toUTF8(body []byte, contentType string) ([]byte, error) {
	body, err := gunzip(body)
	if err != nil {
		return nil, err
	}
	switch {
	case bytes.HasPrefix(body, []byte{0xEF, 0xBB, 0xBF}):
		return dropDecl(validUTF8(body[3:])), nil
	case bytes.HasPrefix(body, []byte{0xFF, 0xFE}), bytes.HasPrefix(body, []byte{'<', 0, '?', 0}):
		// gofeed's detector does not understand UTF-16 at all.
		return transcode(body, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM))
	case bytes.HasPrefix(body, []byte{0xFE, 0xFF}), bytes.HasPrefix(body, []byte{0, '<', 0, '?'}):
		return transcode(body, unicode.UTF16(unicode.BigEndian, unicode.UseBOM))
	}
	if label := declEncoding(body); label != "" {
		// A declaration we could read byte by byte as ASCII is not in UTF-16,
		// whatever it says: such documents were re-encoded to UTF-8 by a tool
		// that kept the old declaration.
		if strings.HasPrefix(strings.ToLower(label), "utf-16") {
			label = "utf-8"
		}
		if enc := lookup(label); enc != nil {
			return transcode(body, enc)
		}
		if isUTF8Label(label) {
			return dropDecl(validUTF8(body)), nil
		}
		// An unknown label: fall through as if none were declared.
	}
	if label := httpCharset(contentType); label != "" {
		if isUTF8Label(label) {
			return dropDecl(validUTF8(body)), nil
		}
		if enc := lookup(label); enc != nil {
			return transcode(body, enc)
		}
	}
	if utf8.Valid(body) {
		return dropDecl(body), nil
	}
	return transcode(body, charmap.Windows1252)
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
		return params["charset"]
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
			if f := bytes.Fields(rest[9:min(len(rest), 64)]); len(f) > 0 &&
				strings.EqualFold(strings.TrimSuffix(string(f[0]), ">"), "html") {
				return "", i, errHTML
			}
			i += skipPast(rest, ">")
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
			return name, i, nil
		default:
			return "", i, nil
		}
	}
	return "", i, nil
}

// skipPast returns the offset just after the first end in b, or len(b).
func skipPast(b []byte, end string) int {
	j := bytes.Index(b, []byte(end))
	if j < 0 {
		return len(b)
	}
	return j + len(end)
}
