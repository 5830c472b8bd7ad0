package extract

import "strings"

// simpleText is tokenizedText for the HTML nearly every item carries
// (sanitised summaries, titles with a <b>), several times faster: it reads
// tags written as plain elements with well-formed attributes, and reports
// false on anything else (comments, doctypes, raw-text elements such as
// script, a name that is no HTML element, odd quoting, an unclosed tag), which Text then hands to the
// tokenizer. FuzzSimpleText checks that the two agree whenever it reports true.
func simpleText(s string) (string, bool) {
	var b textWriter
	b.buf.Grow(len(s))
	text := 0 // start of the pending text segment
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], '<')
		if j < 0 {
			break
		}
		lt := i + j
		i = lt + 1
		if i == len(s) {
			break
		}
		end := false
		switch c := s[i]; {
		case isLetter(c):
		case c == '/' && i+1 < len(s) && isLetter(s[i+1]):
			end = true
			i++
		case c == '!' || c == '?' || c == '/':
			return "", false // comment, doctype, processing instruction, bogus end tag
		default:
			continue // a "<" in text: "a < b"
		}
		name, close, selfClosing, ok := simpleTag(s, i)
		if !ok || rawTextElement(name) || rawTextName(name) || !HTMLElement(name) {
			return "", false
		}
		b.writeHTML(s[text:lt])
		text = close + 1
		i = text
		if selfClosing && !end || !inlineElement(name) {
			b.sep()
		}
	}
	b.writeHTML(s[text:])
	return b.buf.String(), true
}

// rawTextName names the elements whose content the tokenizer reads as raw
// text (HTML's RAWTEXT, RCDATA, script data and plaintext states).
func rawTextName(name string) bool {
	switch name {
	case "iframe", "noembed", "noframes", "noscript", "plaintext", "script", "style", "textarea", "title", "xmp":
		return true
	}
	return false
}

// simpleTag reads the tag whose name starts at s[i]: a name of letters,
// digits and hyphens, then attributes (name, optionally "=" and a quoted
// value or an unquoted one without "/"), then an optional "/" and ">". It
// returns the lower-case name, the index of the closing ">" and whether the
// tag closes itself; ok is false for anything else.
func simpleTag(s string, i int) (name string, close int, selfClosing, ok bool) {
	start := i
	for i < len(s) && (isAlnum(s[i]) && s[i] != '_' || s[i] == '-') {
		i++
	}
	if i == len(s) {
		return "", 0, false, false
	}
	name = asciiLower(s[start:i])
	for {
		spaced := i < len(s) && isTagSpace(s[i])
		for i < len(s) && isTagSpace(s[i]) {
			i++
		}
		switch {
		case i == len(s):
			return "", 0, false, false
		case s[i] == '>':
			return name, i, false, true
		case s[i] == '/':
			if i+1 < len(s) && s[i+1] == '>' {
				return name, i + 1, true, true
			}
			return "", 0, false, false
		case !spaced || !isAttrNameByte(s[i]):
			return "", 0, false, false
		}
		for i < len(s) && isAttrNameByte(s[i]) {
			i++
		}
		j := i
		for j < len(s) && isTagSpace(s[j]) {
			j++
		}
		if j == len(s) || s[j] != '=' {
			continue // an attribute without a value
		}
		i = j + 1
		for i < len(s) && isTagSpace(s[i]) {
			i++
		}
		if i == len(s) {
			return "", 0, false, false
		}
		switch q := s[i]; q {
		case '"', '\'':
			k := strings.IndexByte(s[i+1:], q)
			if k < 0 {
				return "", 0, false, false
			}
			i += k + 2
			if i < len(s) && !isTagSpace(s[i]) && s[i] != '>' && s[i] != '/' {
				return "", 0, false, false
			}
		default:
			v := i
			for i < len(s) && !isTagSpace(s[i]) && s[i] != '>' {
				switch s[i] {
				case '"', '\'', '=', '<', '`', '/':
					return "", 0, false, false
				}
				i++
			}
			if i == v {
				return "", 0, false, false
			}
		}
	}
}

// isTagSpace is the tokenizer's white space inside tags.
func isTagSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f'
}

func isAttrNameByte(c byte) bool {
	return isAlnum(c) || c == '-' || c == ':' || c == '.'
}

func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}
