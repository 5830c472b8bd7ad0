package extract

import (
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// clean collapses white space, trims, drops the characters XML 1.0 forbids
// (C0 controls other than tab, LF and CR; surrogates; U+FFFE and U+FFFF)
// and replaces invalid UTF-8 with U+FFFD. Text that needs none of it, most
// titles, is returned without a copy.
func clean(s string) string {
	if isClean(s) {
		return s
	}
	var b textWriter
	b.buf.Grow(len(s))
	b.write(s)
	return b.buf.String()
}

// textWriter appends text as clean returns it: a run of white space
// becomes one space, written only once a word follows it, so the result
// is trimmed too.
type textWriter struct {
	buf   strings.Builder
	space bool // white space is pending
	refs  bool // the text is HTML: decode character references
}

// sep marks a word boundary (a block element's tag).
func (w *textWriter) sep() { w.space = w.buf.Len() > 0 }

// writeHTML writes a segment of HTML text, its character references
// decoded.
func (w *textWriter) writeHTML(seg string) {
	w.refs = true
	w.write(seg)
	w.refs = false
}

func (w *textWriter) write(s string) {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case '!' <= c && c <= '~' && c != '&':
			// A run of printable ASCII with single spaces, nearly all
			// of any text, is copied at once; a space ending it is
			// left pending.
			k := i + 1 + plainRun(s[i+1:])
			chunk := s[i:k]
			if w.space {
				w.buf.WriteByte(' ')
			}
			w.space = chunk[len(chunk)-1] == ' '
			if w.space {
				chunk = chunk[:len(chunk)-1]
			}
			w.buf.WriteString(chunk)
			i = k
		case c == ' ' || '\t' <= c && c <= '\r':
			// \v and \f, forbidden in XML, separate words too.
			w.sep()
			i++
		case c == '&':
			k := refEnd(s, i)
			if w.refs {
				// Decoded text is text: a "&amp;" leaves a "&" that
				// starts nothing.
				w.refs = false
				w.write(html.UnescapeString(s[i:k]))
				w.refs = true
			} else {
				w.appendString(s[i:k])
			}
			i = k
		case c < utf8.RuneSelf:
			if c == 0x7f {
				w.appendRune(rune(c))
			}
			// Other C0 controls are forbidden in XML: dropped.
			i++
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			i += n
			switch {
			case r == utf8.RuneError && n == 1:
				w.appendRune(r)
			case unicode.IsSpace(r):
				w.sep()
			case xmlChar(r):
				w.appendRune(r)
			}
		}
	}
}

// plainRun returns the length of the prefix of s, which follows a
// printable byte, made of printable ASCII but "&" and of spaces with no
// two in a row. It looks at eight bytes at a time: in x - 0x20 per byte, a byte
// below 0x20 borrows into its top bit, and a non-ASCII byte has it set
// already; the lowest flagged byte is always a true one, as a borrow only
// flags bytes above a byte that is flagged itself. Spaces are found
// exactly as the zero bytes of x ^ 0x20 per byte.
func plainRun(s string) int {
	const ones, tops, lows = 0x0101010101010101, 0x8080808080808080, 0x7f7f7f7f7f7f7f7f
	prevSpace := uint64(0) // 0x80 when the byte before the word is a space
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		odd := ((x - 0x20*ones) | x) & tops
		t := x ^ 0x20*ones
		spaces := ^((t&lows + lows) | t | lows)
		odd |= spaces & (spaces<<8 | prevSpace)
		a := x ^ 0x26*ones
		odd |= ^((a&lows + lows) | a | lows) // ampersands
		if odd != 0 {
			return i + bits.TrailingZeros64(odd)/8
		}
		prevSpace = spaces >> 56
	}
	for ; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x80 || c == '&' || c == ' ' && i > 0 && s[i-1] == ' ' {
			return i
		}
	}
	return i
}

// refEnd returns the end of the character reference that may start at
// s[i] == '&': the run of letters and digits after it (after a "#" for a
// numeric one) and a ";". html.UnescapeString never reads further, so
// decoding the reference alone is decoding it in its text.
func refEnd(s string, i int) int {
	k := i + 1
	if k < len(s) && s[k] == '#' {
		k++
	}
	for k < len(s) && isAlnum(s[k]) && s[k] != '_' {
		k++
	}
	if k < len(s) && s[k] == ';' {
		k++
	}
	return k
}

func (w *textWriter) appendString(t string) {
	if w.space {
		w.buf.WriteByte(' ')
		w.space = false
	}
	w.buf.WriteString(t)
}

func (w *textWriter) appendRune(r rune) {
	if w.space {
		w.buf.WriteByte(' ')
		w.space = false
	}
	w.buf.WriteRune(r)
}

// isClean reports whether clean(s) is s: no leading, trailing or repeated
// white space, no white space other than ' ', nothing XML forbids.
func isClean(s string) bool {
	if printableASCII(s) {
		return s == "" || s[0] != ' ' && s[len(s)-1] != ' ' && !strings.Contains(s, "  ")
	}
	prevSpace := true // a leading space is not clean
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == ' ':
				if prevSpace {
					return false
				}
				prevSpace = true
				continue
			case c < 0x20:
				return false // tab, LF, CR are white space; the rest is forbidden
			}
			prevSpace = false
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if r == utf8.RuneError && n == 1 || unicode.IsSpace(r) || !xmlChar(r) {
			return false
		}
		prevSpace = false
	}
	return !prevSpace || s == ""
}

func xmlChar(r rune) bool {
	return r == 0x9 || r == 0xA || r == 0xD ||
		0x20 <= r && r <= 0xD7FF ||
		0xE000 <= r && r <= 0xFFFD ||
		0x10000 <= r && r <= 0x10FFFF
}

// printableASCII reports whether s is ASCII without control characters
// other than DEL (no tab or newline either), eight bytes at a time: a byte
// below 0x20 makes the subtraction borrow into its top bit, a non-ASCII
// byte has it set already.
func printableASCII(s string) bool {
	const ones, tops = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if ((x-0x20*ones)|x)&tops != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x80 {
			return false
		}
	}
	return true
}
