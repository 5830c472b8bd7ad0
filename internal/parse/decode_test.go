package parse

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/unicode/utf32"
)

// redeclare replaces the fixture's XML declaration: "" removes it.
func redeclare(t *testing.T, body []byte, encoding string) []byte {
	t.Helper()
	d := xmlDecl(body)
	if d == nil {
		t.Fatal("fixture has no declaration")
	}
	repl := []byte{}
	if encoding != "" {
		repl = []byte(`<?xml version="1.0" encoding="` + encoding + `"?>`)
	}
	return bytes.Replace(body, d, repl, 1)
}

func encode(t *testing.T, enc encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCharsetPrecedence: RFC 7303 (HTTP charset over the declaration, with
// the exceptions of toUTF8), quoted values, UTF-32 and detection of
// unlabelled legacy bytes.
func TestCharsetPrecedence(t *testing.T) {
	cp1251 := readFixture(t, "windows-1251_oren-ru_2014-01_rss2.xml")
	gb := readFixture(t, "gb2312_kc0011-forum.rss")
	const ruTitle = "Новости Оренбурга и области / Раздел Новости"
	const zhTitle = "投资资讯网交易在线--流通纪念币最新20篇论坛主题-全文"
	doc := func(title string) string {
		return `<rss version="2.0"><channel><title>` + title + `</title><item><title>x</title><link>https://example.org/x</link></item></channel></rss>`
	}
	const ru = "Новости Оренбурга: в городе открылся новый мост через реку Урал, движение по нему начнётся завтра утром"
	const ja = "カーネルの新しいバージョンが公開されました。詳しくはこちらをご覧ください。"
	const ko = "리눅스 커널 새 버전이 공개되었습니다. 자세한 내용은 여기를 보십시오."
	tests := []struct {
		name, contentType string
		body              []byte
		want              string
	}{
		{"HTTP charset wins over a wrong utf-8 declaration", "text/xml; charset=windows-1251", redeclare(t, cp1251, "utf-8"), ruTitle},
		{"HTTP charset wins over a wrong legacy declaration", "application/rss+xml; charset=utf-8",
			[]byte(`<?xml version="1.0" encoding="windows-1251"?>` + doc("Café – Новости")), "Café – Новости"},
		{"declared charset wins when the bytes are invalid in HTTP's", "text/xml; charset=utf-8", cp1251, ruTitle},
		{"declared utf-8 wins over a default latin-1", "text/xml; charset=ISO-8859-1",
			[]byte(`<?xml version="1.0" encoding="utf-8"?>` + doc("Vorsichtsmaßnahmen")), "Vorsichtsmaßnahmen"},
		{"single-quoted charset", "text/xml; charset='gb2312'", redeclare(t, gb, ""), zhTitle},
		{"double-quoted charset", `text/xml; charset="windows-1251"`, redeclare(t, cp1251, ""), ruTitle},
		{"cp1251 declared utf-8, no HTTP charset: detected, not U+FFFD", "", redeclare(t, cp1251, "utf-8"), ruTitle},
		{"unlabelled cp1251", "", redeclare(t, cp1251, ""), ruTitle},
		{"unlabelled gb2312", "", redeclare(t, gb, ""), zhTitle},
		{"unlabelled koi8-r", "", encode(t, charmap.KOI8R, doc(ru)), ru},
		{"unlabelled shift_jis", "", encode(t, japanese.ShiftJIS, doc(ja)), ja},
		{"unlabelled euc-kr", "", encode(t, korean.EUCKR, doc(ko)), ko},
		{"unlabelled latin-1", "", encode(t, charmap.Windows1252, doc("Café crème à la française")), "Café crème à la française"},
		{"UTF-32LE with BOM", "", encode(t, utf32.UTF32(utf32.LittleEndian, utf32.ExpectBOM), `<?xml version="1.0" encoding="UTF-32"?>`+doc("Ünïcödé 𝄞")), "Ünïcödé 𝄞"},
		{"UTF-32BE with BOM", "", encode(t, utf32.UTF32(utf32.BigEndian, utf32.ExpectBOM), doc("Ünïcödé")), "Ünïcödé"},
		{"UTF-32LE without BOM", "", encode(t, utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM), `<?xml version="1.0" encoding="UTF-32"?>`+doc("Ünïcödé")), "Ünïcödé"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			feed, err := Parse(tc.body, tc.contentType, "https://example.org/feed", testNow)
			if err != nil {
				t.Fatal(err)
			}
			if feed.Title != tc.want {
				t.Errorf("got %q, want %q", feed.Title, tc.want)
			}
			if strings.ContainsRune(feed.Title, '\uFFFD') {
				t.Errorf("replacement character in %q", feed.Title)
			}
		})
	}
}
