package parse

import (
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	utc := func(y, mo, d, h, mi, s int) time.Time { return time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC) }
	tests := []struct {
		in   string
		want time.Time // zero: must be refused
	}{
		// RFC 3339 / W3CDTF, reduced precision included.
		{"2003-12-13T18:30:02Z", utc(2003, 12, 13, 18, 30, 2)},
		{"2003-12-13T18:30:02.25+01:00", time.Date(2003, 12, 13, 17, 30, 2, 250_000_000, time.UTC)},
		{"2003-12-13T18:30+0100", utc(2003, 12, 13, 17, 30, 0)},
		{"2003-12-13", utc(2003, 12, 13, 0, 0, 0)},
		{"2003-12", utc(2003, 12, 1, 0, 0, 0)},
		{"2003", utc(2003, 1, 1, 0, 0, 0)},
		{"2003-12-13 18:30:02", utc(2003, 12, 13, 18, 30, 2)},
		{"2020/1/10 14:33:00", utc(2020, 1, 10, 14, 33, 0)},
		// RFC 822 and friends.
		{"Sat, 02 Aug 2025 11:50:00 -0400", utc(2025, 8, 2, 15, 50, 0)},
		{"Sun, 10 Dec 17 13:01:36 -0800", utc(2017, 12, 10, 21, 1, 36)},
		{"Thu, 01 Jan 2004 19:48:21 GMT", utc(2004, 1, 1, 19, 48, 21)},
		{"Thu, 01 Jan 2004 19:48 EST", utc(2004, 1, 2, 0, 48, 0)},
		{"Thu, 01 Jan 2004 19:48:21 PDT", utc(2004, 1, 2, 2, 48, 21)},
		{"Thu, 01 Jan 2004 19:48:21 Etc/GMT", utc(2004, 1, 1, 19, 48, 21)},
		{"Thu, 01 Jan 2004 19:48:21 Etc/GMT+2", utc(2004, 1, 1, 21, 48, 21)},
		{"Thu, 01 Jan 2004 19:48:21 GMT+2", utc(2004, 1, 1, 17, 48, 21)},
		{"Thu, 01 Jan 2004 19:48:21 GMT-01:01", utc(2004, 1, 1, 20, 49, 21)},
		{"Thu, 01 Jan 2004 19:48:21 MET", utc(2004, 1, 1, 18, 48, 21)},
		{"Thu, 01 Jul 2004 19:48:21 MEST", utc(2004, 7, 1, 17, 48, 21)},
		{"Thu, 01 Jul 2004 19:48:21 CEST", utc(2004, 7, 1, 17, 48, 21)},
		{"Thu, 01 Jul 2004 19:48:21 Europe/Berlin", utc(2004, 7, 1, 17, 48, 21)},
		{"Mon Jan  2 15:04:05 MST 2006", utc(2006, 1, 2, 22, 4, 5)},
		{"Tue Jun 09 2020 10:00:00 GMT+0200 (Central European Summer Time)", utc(2020, 6, 9, 8, 0, 0)},
		{"January 5, 2024 3:04 PM", utc(2024, 1, 5, 15, 4, 0)},
		// Localised day and month names.
		{"Seg, 24 Set 2018 19:42:40 -0300", utc(2018, 9, 24, 22, 42, 40)},  // Portuguese
		{"Ter, 02 Out 2018 08:00:00 -0300", utc(2018, 10, 2, 11, 0, 0)},    // Portuguese
		{"mar, 10 mar 2020 10:00:00 +0100", utc(2020, 3, 10, 9, 0, 0)},     // Italian
		{"Gio, 15 Ago 2019 12:00:00 +0200", utc(2019, 8, 15, 10, 0, 0)},    // Italian
		{"Mi, 24. Dez 2014 20:00:00 +0100", utc(2014, 12, 24, 19, 0, 0)},   // German
		{"Do, 05 Mär 2020 09:00:00 MEZ", utc(2020, 3, 5, 8, 0, 0)},         // German
		{"24.12.2014 20:00", utc(2014, 12, 24, 20, 0, 0)},                  // German numeric
		{"mer., 12 févr. 2020 14:00:00 +0100", utc(2020, 2, 12, 13, 0, 0)}, // French
		{"lundi 3 août 2020 09:30:00 +0200", utc(2020, 8, 3, 7, 30, 0)},    // French
		{"Mié, 04 Dic 2019 10:00:00 -0500", utc(2019, 12, 4, 15, 0, 0)},    // Spanish
		// Refused: an unknown zone is never UTC, nonsense is not a date.
		{"Thu, 01 Jan 2004 19:48:21 XYZT", time.Time{}},
		{"Thu, 01 Jan 2004 19:48:21 GMT+99", time.Time{}},
		{"2004-02-30T00:00:00Z", time.Time{}},
		{"2004-13-01", time.Time{}},
		{"sometime last week", time.Time{}},
		{"", time.Time{}},
		{"12345", time.Time{}},
	}
	for _, tc := range tests {
		got, ok := parseDate(tc.in)
		if tc.want.IsZero() {
			if ok {
				t.Errorf("parseDate(%q): got %v, want it refused", tc.in, got)
			}
			continue
		}
		if !ok || !got.Equal(tc.want) {
			t.Errorf("parseDate(%q): got %v (ok %v), want %v", tc.in, got, ok, tc.want)
		}
	}
}

// TestFeedDates: the date elements of every format, and Undated.
func TestFeedDates(t *testing.T) {
	feed, err := Parse(readFixture(t, "rss-shaped-xmlbase-atomlink-description-only.xml"), "", "https://blog.example.org/feed.xml", testNow)
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Time{
		time.Date(2023, 5, 31, 22, 0, 0, 0, time.UTC), // MEST
		time.Date(2023, 6, 2, 8, 0, 0, 0, time.UTC),   // dcterms:modified only
		time.Date(2023, 6, 2, 8, 0, 0, 0, time.UTC),   // GMT+2
		time.Date(2003, 12, 1, 0, 0, 0, 0, time.UTC),  // 2003-12
		time.Date(2020, 1, 10, 14, 33, 0, 0, time.UTC),
	}
	for i, w := range want {
		if it := feed.Items[i]; !it.Published.Equal(w) || it.Undated {
			t.Errorf("item %d: got %v (undated %v), want %v", i, it.Published, it.Undated, w)
		}
	}
	feed, err = Parse(readFixture(t, "rss-0.9-netscape-rdf_heise-online.xml"), "", "https://heise.example/feed", testNow)
	if err != nil {
		t.Fatal(err)
	}
	for i, it := range feed.Items {
		if !it.Undated || !it.Published.Equal(testNow) {
			t.Errorf("undated fixture item %d: undated %v published %v", i, it.Undated, it.Published)
		}
	}
}

// TestFeedOwnDate: the feed's own date (the earlier of RSS pubDate and
// lastBuildDate, Atom updated) is read as item dates are, and an item
// whose date cannot be read is Undated, first seen now.
func TestFeedOwnDate(t *testing.T) {
	rss := func(channel, item string) string {
		return `<rss version="2.0"><channel><title>t</title><link>https://x.example/</link>` + channel +
			`<item><title>a</title><link>https://x.example/a</link>` + item + `</item></channel></rss>`
	}
	tests := []struct {
		name    string
		doc     string
		want    time.Time
		undated bool
	}{
		{"rss pubDate and lastBuildDate: the earlier",
			rss(`<pubDate>Mon, 29 Jun 2026 10:00:00 +0000</pubDate><lastBuildDate>Tue, 30 Jun 2026 08:00:00 +0200</lastBuildDate>`, ``),
			time.Date(2026, 6, 29, 10, 0, 0, 0, time.UTC), true},
		{"rss lastBuildDate only", rss(`<lastBuildDate>Tue, 30 Jun 2026 08:00:00 +0200</lastBuildDate>`, `<pubDate>sometime last week</pubDate>`),
			time.Date(2026, 6, 30, 6, 0, 0, 0, time.UTC), true},
		{"rss without a date", rss(``, `<pubDate>Mon, 29 Jun 2026 10:00:00 +0000</pubDate>`), time.Time{}, false},
		{"rss with an unreadable date", rss(`<pubDate>yesterday</pubDate>`, ``), time.Time{}, true},
		{"atom updated", `<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:x</id><updated>2026-06-28T12:00:00Z</updated>` +
			`<entry><title>a</title><id>urn:a</id><link href="https://x.example/a"/></entry></feed>`,
			time.Date(2026, 6, 28, 12, 0, 0, 0, time.UTC), true},
		{"a future date is clamped", rss(`<lastBuildDate>Fri, 01 Jan 2100 00:00:00 +0000</lastBuildDate>`, ``), testNow, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			feed, err := Parse([]byte(tc.doc), "", "https://x.example/feed", testNow)
			if err != nil {
				t.Fatal(err)
			}
			if !feed.Date.Equal(tc.want) {
				t.Errorf("feed date %v, want %v", feed.Date, tc.want)
			}
			if it := feed.Items[0]; it.Undated != tc.undated || tc.undated && !it.Published.Equal(testNow) {
				t.Errorf("item undated %v published %v, want undated %v", it.Undated, it.Published, tc.undated)
			}
		})
	}
}

// TestLiftedPubDates checks the RSS pubDates scanXML takes out of the
// document (gofeed never parses them) against the dates gofeed's own copy
// gives: the same date, the last pubDate of an item winning, and the
// elements it cannot lift left to gofeed.
func TestLiftedPubDates(t *testing.T) {
	utc := func(d, h int) time.Time { return time.Date(2024, 3, d, h, 0, 0, 0, time.UTC) }
	rss := func(ns, item string) string {
		return `<rss version="2.0"` + ns + `><channel><title>t</title><item><title>a</title><link>https://example.org/a</link>` +
			item + `</item></channel></rss>`
	}
	tests := []struct {
		name   string
		doc    string
		lifted bool
		want   time.Time // zero: undated
	}{
		{"plain", rss("", `<pubDate>Tue, 05 Mar 2024 10:00:00 GMT</pubDate>`), true, utc(5, 10)},
		{"end tag spaced", rss("", `<pubDate>Tue, 05 Mar 2024 10:00:00 GMT</pubDate >`), true, utc(5, 10)},
		{"CDATA", rss("", `<pubDate><![CDATA[Tue, 05 Mar 2024 10:00:00 GMT]]></pubDate>`), false, utc(5, 10)},
		{"reference", rss("", `<pubDate>Tue, 05 Mar 2024 10:00:00 &#43;0100</pubDate>`), false, utc(5, 9)},
		{"last wins", rss("", `<pubDate><![CDATA[Tue, 05 Mar 2024 10:00:00 GMT]]></pubDate><pubDate>Wed, 06 Mar 2024 11:00:00 GMT</pubDate>`), true, utc(6, 11)},
		{"last wins, left in", rss("", `<pubDate>Tue, 05 Mar 2024 10:00:00 GMT</pubDate><pubDate><![CDATA[Wed, 06 Mar 2024 11:00:00 GMT]]></pubDate>`), true, utc(6, 11)},
		{"last empty", rss("", `<pubDate>Tue, 05 Mar 2024 10:00:00 GMT</pubDate><pubDate/>`), true, time.Time{}},
		{"xml:base", rss("", `<pubDate xml:base="https://example.org/">Tue, 05 Mar 2024 10:00:00 GMT</pubDate>`), false, utc(5, 10)},
		{"default namespace", rss(` xmlns="http://backend.userland.com/rss2"`, `<pubDate>Tue, 05 Mar 2024 10:00:00 GMT</pubDate>`), false, utc(5, 10)},
		{"prefixed", rss(` xmlns:x="urn:x"`, `<x:pubDate>Tue, 05 Mar 2024 10:00:00 GMT</x:pubDate>`), false, time.Time{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, info := scanXML([]byte(tc.doc), "https://example.org/feed", true)
			if info.lifted != tc.lifted {
				t.Errorf("lifted = %v, want %v", info.lifted, tc.lifted)
			}
			if info.lifted && strings.Contains(string(out), "Tue, 05 Mar 2024 10:00:00 GMT</pubDate") {
				t.Errorf("a lifted pubDate is still in the document: %s", out)
			}
			f, err := Parse([]byte(tc.doc), "", "https://example.org/feed", testNow)
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Items) != 1 {
				t.Fatalf("%d items, want 1", len(f.Items))
			}
			it := f.Items[0]
			if tc.want.IsZero() {
				if !it.Undated {
					t.Errorf("published %v, want undated", it.Published)
				}
			} else if it.Undated || !it.Published.Equal(tc.want) {
				t.Errorf("published %v (undated %v), want %v", it.Published, it.Undated, tc.want)
			}
		})
	}
}
