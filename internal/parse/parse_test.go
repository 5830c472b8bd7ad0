package parse

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// testNow is after every item date in testdata (the newest is 2026-07-02),
// so "not in the future" can be asserted strictly.
var testNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// brokenFixtures are the testdata files that must be rejected. Both are
// HTML pages that merely contain a feed: accepting one would mean any HTML
// page that quotes a feed becomes a source.
var brokenFixtures = map[string]bool{
	// An XHTML <html><body> document with an Atom <feed> inside.
	"atom-wrapped-in-xhtml-page_tablix-avian_2014.xml": true,
	// Chrome's XML viewer saved as HTML, the RSS embedded in a <div>.
	"phoronix-rss-saved-via-chrome-xml-viewer_2025-07-28.xml": true,
}

// linklessFixtures hold items that have no link of their own (an Atom
// entry with only rel="self", an RSS item with only a description).
var linklessFixtures = map[string]bool{
	"lore-shaped-atom_angle-bracket-subjects.atom":     true,
	"rss-shaped-xmlbase-atomlink-description-only.xml": true,
}

// fixtureContentType is the Content-Type a fixture was served with, where
// it matters: these have no XML declaration and ISO-8859-1 bytes, the
// charset being known only from the HTTP header (testdata/README.md).
var fixtureContentType = map[string]string{
	"iso-8859-1-undeclared_le-cercle-psy_rss2.xml":   "application/rss+xml; charset=ISO-8859-1",
	"latin1-no-xml-declaration_uol-noticias_rss.xml": "text/xml; charset=iso-8859-1",
}

func fixtures(t testing.TB) []string {
	t.Helper()
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		if e.IsDir() || e.Name() == "README.md" {
			continue
		}
		files = append(files, e.Name())
	}
	if len(files) < 30 {
		t.Fatalf("got %d fixtures, want at least 30", len(files))
	}
	return files
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestFixtures makes every file in testdata a case.
func TestFixtures(t *testing.T) {
	p := NewParser()
	for _, name := range fixtures(t) {
		t.Run(name, func(t *testing.T) {
			feed, err := p.Parse(readFixture(t, name), fixtureContentType[name], "https://feeds.example.org/feed", testNow)
			if brokenFixtures[name] {
				if !errors.Is(err, ErrNotFeed) {
					t.Fatalf("got err %v, want one wrapping ErrNotFeed", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(feed.Items) == 0 {
				t.Fatal("got 0 items")
			}
			if feed.Damage != nil {
				t.Errorf("damage reported: %v", feed.Damage)
			}
			checkText(t, "feed title", feed.Title)
			for i, it := range feed.Items {
				if it.Title == "" && it.Link == "" && it.GUID == "" {
					t.Errorf("item %d: neither title, link nor guid", i)
				}
				if it.Link == "" && linklessFixtures[name] {
					continue
				}
				if !strings.HasPrefix(it.Link, "http://") && !strings.HasPrefix(it.Link, "https://") {
					t.Errorf("item %d: link %q is not absolute http(s)", i, it.Link)
				} else if c, err := CanonicalURL(it.Link); err != nil || c != it.Link {
					t.Errorf("item %d: link %q is not canonical (%q, %v)", i, it.Link, c, err)
				}
				for field, s := range map[string]string{
					"title": it.Title, "summary": it.Summary, "content": it.Content,
					"author": it.Author, "guid": it.GUID, "categories": strings.Join(it.Categories, ","),
				} {
					checkText(t, field, s)
				}
				for _, html := range []string{it.Summary, it.Content} {
					l := strings.ToLower(html)
					for _, bad := range []string{"<script", "<style", "<iframe", "<form", " style=", " onclick=", `href="javascript:`} {
						if strings.Contains(l, bad) {
							t.Errorf("item %d: sanitised HTML contains %q", i, bad)
						}
					}
				}
				if it.Published.IsZero() || it.Published.After(testNow) {
					t.Errorf("item %d: published %v, want non-zero and not after %v", i, it.Published, testNow)
				}
				if it.Updated.After(testNow) {
					t.Errorf("item %d: updated %v is in the future", i, it.Updated)
				}
				if it.Key != "" || it.Source != "" || it.Hash != "" || !it.FirstSeen.IsZero() || len(it.Topics) > 0 {
					t.Errorf("item %d: sets fields owned by other packages", i)
				}
			}
		})
	}
}

// checkText fails on invalid UTF-8 or characters XML 1.0 forbids.
func checkText(t *testing.T, field, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Errorf("%s: invalid UTF-8 %q", field, s)
	}
	for _, r := range s {
		if !xmlChar(r) {
			t.Errorf("%s: forbidden character %U in %q", field, r, s)
			return
		}
	}
}

func TestCharsets(t *testing.T) {
	tests := []struct {
		file, contentType string
		feedTitle         string // "" to skip
		itemTitle         string // some item must have this title
	}{
		{"gb2312_kc0011-forum.rss", "", "投资资讯网交易在线--流通纪念币最新20篇论坛主题-全文", "建国35周年纪念，华表，和平鸽"},
		// The prolog (gb2312) wins over a contradicting HTTP charset.
		{"gb2312_kc0011-forum.rss", "text/xml; charset=utf-8", "", "建国35周年纪念，华表，和平鸽"},
		{"windows-1251_oren-ru_2014-01_rss2.xml", "", "Новости Оренбурга и области / Раздел Новости", "ЧОПовцы в Оренбурге избили молодого человека"},
		{"iso-8859-1-declared_golem-de_rss2.xml", "", "Golem.de", "Wochenrückblick: Wilder Westen, buntes Handy, nutzloses Siegel"},
		{"iso-8859-1-declared_golem-de_rss2.xml", "application/rss+xml; charset=UTF-8", "", "Machine Learning: Von KI erstelltes Porträt für 432.500 US.Dollar versteigert"},
		{"iso-8859-1-undeclared_le-cercle-psy_rss2.xml", "application/rss+xml; charset=ISO-8859-1", "", "La criminalité liée surtout à... l'ennui ?"},
		// No declaration, no HTTP charset, not UTF-8: windows-1252.
		{"iso-8859-1-undeclared_le-cercle-psy_rss2.xml", "", "", "Caroline Eliacheff : « Dolto reste authentiquement subversive »"},
		{"latin1-no-xml-declaration_uol-noticias_rss.xml", "text/xml;charset=ISO-8859-1", "UOL Noticias", "Ibope: Bolsonaro perde de Haddad, Ciro e Alckmin em simulações de 2º turno"},
		{"latin1-no-xml-declaration_uol-noticias_rss.xml", "text/xml", "", "Promotoria abre inquérito para apurar suspeita de improbidade de Skaf no Sebrae-SP"},
		// A UTF-8 BOM wins over a contradicting HTTP charset.
		{"utf8-bom-rss1.0_orf-at_2017.xml", "text/xml; charset=ISO-8859-1", "news.ORF.at", "US-Band New Edition mit Stern auf „Walk of Fame“ geehrt"},
		// Declared UTF-8 is not decoded a second time by the HTTP charset.
		{"rss-0.9-netscape-rdf_heise-online.xml", "text/xml; charset=ISO-8859-1", "heise online News", "OLED-TVs: Vorsichtsmaßnahmen gegen Einbrennen"},
		{"jsonfeed-1.1_journal-3960-org.json", "", "fboës - Der Blog | Startseite", "„Sabine“ am Flughafen Amsterdam"},
	}
	p := NewParser()
	for _, tc := range tests {
		t.Run(tc.file+"/"+tc.contentType, func(t *testing.T) {
			feed, err := p.Parse(readFixture(t, tc.file), tc.contentType, "https://example.org/feed", testNow)
			if err != nil {
				t.Fatal(err)
			}
			if tc.feedTitle != "" && feed.Title != tc.feedTitle {
				t.Errorf("feed title: got %q, want %q", feed.Title, tc.feedTitle)
			}
			var titles []string
			for _, it := range feed.Items {
				if it.Title == tc.itemTitle {
					return
				}
				titles = append(titles, it.Title)
			}
			t.Errorf("no item titled %q; got %q", tc.itemTitle, titles)
		})
	}
}

// TestItemCounts pins the item count of fixtures whose shape is a trap.
func TestItemCounts(t *testing.T) {
	tests := []struct {
		file string
		want int
	}{
		{"kdist_2020-05-03_feed-rs-fixture_1item.xml", 1},
		{"guid-dupes_braingle-feedburner_2014-06_rss2.xml", 1}, // <guid> twice, one item
		{"gzip-body-invalid-characters_2014-07.xml.gz", 25},
		{"illegally-nested-items_pcmag-dvorak_2018_rss2.xml", 10}, // nested <item>s are not items
		{"iso-8859-1-undeclared_le-cercle-psy_rss2.xml", 9},       // one item is empty
		{"not-well-formed-atom_hnapp-hackernews-score85_2022-11-06.rss", 30},
		{"rss-0.9-netscape-rdf_heise-online.xml", 60},
		{"hn-frontpage-scraped_2025-12-01T0546_atom.xml", 90},
		{"jsonfeed-1.1_influxdata-blog.json", 3}, // no ids, one undated
		{"same-blog-two-formats_dustri-org_atom.xml", 25},
		{"same-blog-two-formats_dustri-org_rss2.xml", 25},
	}
	p := NewParser()
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			feed, err := p.Parse(readFixture(t, tc.file), fixtureContentType[tc.file], "https://example.org/feed", testNow)
			if err != nil {
				t.Fatal(err)
			}
			if len(feed.Items) != tc.want {
				t.Errorf("got %d items, want %d", len(feed.Items), tc.want)
			}
		})
	}
}

func TestUTF16(t *testing.T) {
	doc := "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<rss version=\"2.0\"><channel><title>Ünïcödé</title>" +
		"<item><title>Café crème</title><link>https://example.org/a</link></item></channel></rss>"
	tests := []struct {
		name string
		body []byte
	}{
		{"LE with BOM", append([]byte{0xFF, 0xFE}, utf16Bytes(doc, false)...)},
		{"BE with BOM", append([]byte{0xFE, 0xFF}, utf16Bytes(doc, true)...)},
		{"LE without BOM", utf16Bytes(doc, false)},
		{"BE without BOM", utf16Bytes(doc, true)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			feed, err := Parse(tc.body, "", "https://example.org/feed", testNow)
			if err != nil {
				t.Fatal(err)
			}
			if feed.Title != "Ünïcödé" || len(feed.Items) != 1 || feed.Items[0].Title != "Café crème" {
				t.Errorf("got title %q, items %+v", feed.Title, feed.Items)
			}
		})
	}
}

func TestMisdeclaredUTF16(t *testing.T) {
	doc := `<?xml version="1.0" encoding="UTF-16"?><rss version="2.0"><channel><title>Café</title>` +
		`<item><title>x</title><link>https://example.org/x</link></item></channel></rss>`
	feed, err := Parse([]byte(doc), "", "https://example.org/feed", testNow)
	if err != nil {
		t.Fatal(err)
	}
	if feed.Title != "Café" {
		t.Errorf("got %q, want Café", feed.Title)
	}
}

func utf16Bytes(s string, bigEndian bool) []byte {
	var out []byte
	for _, r := range s {
		if r > 0xFFFF {
			panic("test text is BMP only")
		}
		hi, lo := byte(r>>8), byte(r)
		if bigEndian {
			out = append(out, hi, lo)
		} else {
			out = append(out, lo, hi)
		}
	}
	return out
}

func TestNotFeed(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{"empty", ""},
		{"white space", " \n\t "},
		{"html5 page", "<!DOCTYPE html>\n<html><head><title>Login</title></head><body></body></html>"},
		{"html without doctype", "<html><body><p>Moved</p></body></html>"},
		{"xhtml with prolog", `<?xml version="1.0"?><!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x.dtd"><html xmlns="http://www.w3.org/1999/xhtml"/>`},
		{"plain text", "404 page not found"},
		{"unknown root", `<?xml version="1.0"?><sitemap><url/></sitemap>`},
		{"truncated rss", `<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>a`},
		{"json not a feed", `{"hello": "world"}`},
		{"broken json", `{"version": "https://jsonfeed.org/version/1.1", "items": [`},
		{"gzip garbage", "\x1f\x8b\x08\x00garbage"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			feed, err := Parse([]byte(tc.body), "", "https://example.org/feed", testNow)
			if !errors.Is(err, ErrNotFeed) {
				t.Fatalf("got feed %+v, err %v; want an error wrapping ErrNotFeed", feed, err)
			}
			if !strings.Contains(err.Error(), "https://example.org/feed") {
				t.Errorf("error %q does not name the feed", err)
			}
		})
	}
}
