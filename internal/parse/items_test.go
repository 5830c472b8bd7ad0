package parse

import (
	"strings"
	"testing"
	"time"
)

func TestRelativeURLs(t *testing.T) {
	tests := []struct {
		file, feedURL  string
		feedLink       string
		hub            string
		firstItemLinks []string
	}{
		{
			// Relative channel and item links, no xml:base: resolved against
			// the feed's own (resolved) link.
			file:     "relative-urls_neverwinter_2017-12_rss2.xml",
			feedURL:  "http://www.arcgames.com/en/games/neverwinter/news/rss",
			feedLink: "http://www.arcgames.com/en/games/neverwinter/news",
			firstItemLinks: []string{
				"http://www.arcgames.com/en/games/neverwinter/news/detail/10743874-neverwinter-%26-jingle-jam-humble-bundle%21",
				"http://www.arcgames.com/en/games/neverwinter/news/detail/10738994-2x-underdark-currency-%26-15%25-off-bags%21",
			},
		},
		{
			file:     "atom-xhtml-relative-uris_intertwingly_2012-07.atom",
			feedURL:  "http://intertwingly.net/blog/index.atom",
			feedLink: "http://intertwingly.net/blog/",
			hub:      "http://pubsubhubbub.appspot.com/", // Atom <link rel="hub">
			firstItemLinks: []string{
				"http://intertwingly.net/blog/2012/07/16/Inhibiting-Suspend",
				"http://intertwingly.net/blog/2012/07/10/utf8mb4",
			},
		},
	}
	p := NewParser()
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			feed, err := p.Parse(readFixture(t, tc.file), "", tc.feedURL, testNow)
			if err != nil {
				t.Fatal(err)
			}
			if feed.Link != tc.feedLink || feed.HubURL != tc.hub {
				t.Errorf("feed: got link %q hub %q, want %q and %q", feed.Link, feed.HubURL, tc.feedLink, tc.hub)
			}
			for i, want := range tc.firstItemLinks {
				if got := feed.Items[i].Link; got != want {
					t.Errorf("item %d link: got %q, want %q", i, got, want)
				}
			}
		})
	}
}

func TestContentURLsResolved(t *testing.T) {
	doc := `<rss version="2.0"><channel><title>t</title><link>/blog/</link>
<item><title>a</title><link>posts/1.html</link>
<description>&lt;a href="../about"&gt;about&lt;/a&gt; &lt;img src="img/x.png"&gt; &lt;a href="#top"&gt;top&lt;/a&gt;</description></item>
<item><title>b</title><description>&lt;a href="/c"&gt;c&lt;/a&gt;</description></item>
</channel></rss>`
	feed, err := Parse([]byte(doc), "", "https://example.org/feed.xml", testNow)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		item int
		want []string
	}{
		// Against the item's own link.
		{0, []string{`href="https://example.org/blog/about"`, `src="https://example.org/blog/posts/img/x.png"`, `href="https://example.org/blog/posts/1.html#top"`}},
		// No item link: against the feed's link.
		{1, []string{`href="https://example.org/c"`}},
	}
	for _, tc := range tests {
		got := feed.Items[tc.item].Summary
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("item %d summary %q lacks %s", tc.item, got, w)
			}
		}
	}
	if got, want := feed.Items[0].Link, "https://example.org/blog/posts/1.html"; got != want {
		t.Errorf("link: got %q, want %q", got, want)
	}
}

func TestSlashdotOrigLink(t *testing.T) {
	feed, err := Parse(readFixture(t, "slashdot-main-rss1.0_2018-01-22T2349.rdf"), "", "http://rss.slashdot.org/Slashdot/slashdotMain", testNow)
	if err != nil {
		t.Fatal(err)
	}
	// <link> is http://rss.slashdot.org/~r/Slashdot/slashdot/~3/...;
	// feedburner:origLink carries utm_source/utm_medium, dropped.
	want := "https://science.slashdot.org/story/18/01/22/209215/china-unhampered-by-rules-races-ahead-in-gene-editing-trials"
	if got := feed.Items[0].Link; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	for i, it := range feed.Items {
		if strings.Contains(it.Link, "rss.slashdot.org") {
			t.Errorf("item %d: FeedBurner redirect %q kept", i, it.Link)
		}
	}
	if feed.HubURL != "http://pubsubhubbub.appspot.com/" || feed.UpdatePeriod != time.Hour {
		t.Errorf("got hub %q, update period %v", feed.HubURL, feed.UpdatePeriod)
	}
}

func TestKdist(t *testing.T) {
	feed, err := Parse(readFixture(t, "kdist_2020-05-03_feed-rs-fixture_1item.xml"), "application/rss+xml", "https://www.kernel.org/feeds/kdist.xml", testNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(feed.Items) != 1 {
		t.Fatalf("got %d items, want 1", len(feed.Items))
	}
	it := feed.Items[0]
	want := struct{ guid, link, title string }{"kernel.org,mainline,5.7-rc4,2020-05-03", "http://www.kernel.org/", "5.7-rc4: mainline"}
	if it.GUID != want.guid || it.Link != want.link || it.Title != want.title {
		t.Errorf("got guid %q link %q title %q, want %+v", it.GUID, it.Link, it.Title, want)
	}
	if got := it.Published; !got.Equal(time.Date(2020, 5, 3, 21, 56, 15, 0, time.UTC)) {
		t.Errorf("published: got %v", got)
	}
}

// TestTitles checks titles go through extract.Text (its cases are there)
// once, after gofeed's XML unescaping.
func TestTitles(t *testing.T) {
	// End to end: the XML escaping is gofeed's, the HTML one ours, once.
	doc := `<rss version="2.0"><channel><title>t</title>
<item><title>Tom &amp;amp;amp; Jerry</title><link>https://example.org/1</link></item>
<item><title>A &amp;lt;b&amp;gt;</title><link>https://example.org/2</link></item>
<item><title><![CDATA[Rust & <em>Linux</em>]]></title><link>https://example.org/3</link></item>
<item><title>bell&amp;#7; and &lt;b&gt;bold&lt;/b&gt;</title><link>https://example.org/4</link></item>
</channel></rss>`
	feed, err := Parse([]byte(doc), "", "https://example.org/feed", testNow)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"Tom &amp; Jerry", "A <b>", "Rust & Linux", "bell and bold"} {
		if got := feed.Items[i].Title; got != want {
			t.Errorf("item %d: got %q, want %q", i, got, want)
		}
	}
}

func TestDates(t *testing.T) {
	doc := `<rss version="2.0"><channel><title>t</title>
<item><title>future</title><link>https://example.org/1</link><pubDate>Mon, 01 Jan 2035 00:00:00 GMT</pubDate></item>
<item><title>within a day</title><link>https://example.org/2</link><pubDate>Tue, 01 Dec 2026 20:00:00 GMT</pubDate></item>
<item><title>undated</title><link>https://example.org/3</link></item>
<item><title>zoned</title><link>https://example.org/4</link><pubDate>Sat, 02 Aug 2025 11:50:00 -0400</pubDate></item>
<item><title>portuguese</title><link>https://example.org/5</link><pubDate>Seg, 24 Set 2018 19:42:40 -0300</pubDate></item>
<item><title>unparsable</title><link>https://example.org/6</link><pubDate>sometime last week</pubDate></item>
</channel></rss>`
	feed, err := Parse([]byte(doc), "", "https://example.org/feed", testNow)
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Time{
		testNow,
		time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC),
		testNow,
		time.Date(2025, 8, 2, 15, 50, 0, 0, time.UTC),
		time.Date(2018, 9, 24, 22, 42, 40, 0, time.UTC),
		testNow,
	}
	wantUndated := []bool{false, false, true, false, false, true}
	for i, w := range want {
		got := feed.Items[i].Published
		if !got.Equal(w) || got.Location() != time.UTC {
			t.Errorf("item %d (%s): got %v, want %v in UTC", i, feed.Items[i].Title, got, w)
		}
		if feed.Items[i].Undated != wantUndated[i] {
			t.Errorf("item %d (%s): undated %v, want %v", i, feed.Items[i].Title, feed.Items[i].Undated, wantUndated[i])
		}
	}

	atomDoc := `<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<entry><title>updated only</title><id>u1</id><updated>2024-01-02T03:04:05Z</updated></entry>
<entry><title>both</title><id>u2</id><published>2024-01-01T00:00:00Z</published><updated>2024-02-01T00:00:00Z</updated></entry>
</feed>`
	feed, err = Parse([]byte(atomDoc), "", "https://example.org/feed", testNow)
	if err != nil {
		t.Fatal(err)
	}
	upd := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	if it := feed.Items[0]; !it.Published.Equal(upd) || !it.Updated.Equal(upd) {
		t.Errorf("updated only: got published %v updated %v, want both %v", it.Published, it.Updated, upd)
	}
	if it := feed.Items[1]; !it.Published.Equal(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)) || !it.Updated.Equal(time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("both: got published %v updated %v", it.Published, it.Updated)
	}
}

func TestItemFields(t *testing.T) {
	doc := `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Feed &amp;amp; co</title><link>https://example.org/</link><description>&lt;p&gt;About&lt;/p&gt;</description>
<ttl>90</ttl><atom:link rel="hub" href="https://hub.example.net/"/>
<sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>4</sy:updateFrequency>
<item><guid>https://example.org/permalink?utm_source=feedburner</guid><title>guid as link</title>
  <author>dev@example.org</author>
  <category> kernel </category><category>kernel</category><category>rust</category><category> </category></item>
<item><guid isPermaLink="false">https://example.org/not-a-link</guid><title>opaque guid</title></item>
<item><description>no title, link or guid: kept, identified by its content</description></item>
<item><description>  </description></item>
<item><title>long</title><link>https://example.org/long</link><content:encoded>&lt;p&gt;` + strings.Repeat("word ", 200) + `&lt;/p&gt;</content:encoded></item>
</channel></rss>`
	feed, err := Parse([]byte(doc), "", "https://example.org/feed", testNow)
	if err != nil {
		t.Fatal(err)
	}
	if feed.Title != "Feed & co" || feed.Description != "About" || feed.Link != "https://example.org/" {
		t.Errorf("feed: got title %q description %q link %q", feed.Title, feed.Description, feed.Link)
	}
	if feed.TTL != 90*time.Minute || feed.HubURL != "https://hub.example.net/" || feed.UpdatePeriod != 6*time.Hour {
		t.Errorf("feed: got ttl %v hub %q update period %v", feed.TTL, feed.HubURL, feed.UpdatePeriod)
	}
	if len(feed.Items) != 4 {
		t.Fatalf("got %d items, want 4 (the empty one dropped)", len(feed.Items))
	}
	first := feed.Items[0]
	if first.Link != "https://example.org/permalink" || first.GUID != "https://example.org/permalink?utm_source=feedburner" {
		t.Errorf("permalink guid: got link %q guid %q", first.Link, first.GUID)
	}
	if first.Author != "dev@example.org" {
		t.Errorf("author: got %q, want the email", first.Author)
	}
	if got := strings.Join(first.Categories, "|"); got != "kernel|rust" {
		t.Errorf("categories: got %q", got)
	}
	if feed.Items[1].Link != "" {
		t.Errorf("isPermaLink=false guid used as link %q", feed.Items[1].Link)
	}
	if d := feed.Items[2]; d.GUID == "" || !strings.HasPrefix(d.GUID, "content:") || d.Summary == "" {
		t.Errorf("description-only item: got guid %q summary %q", d.GUID, d.Summary)
	}
	long := feed.Items[3]
	if !strings.HasPrefix(long.Content, "<p>word word") {
		t.Errorf("content: got %.60q", long.Content)
	}
	if n := len([]rune(long.Summary)); n < 250 || n > 305 || !strings.HasSuffix(long.Summary, "word…") || strings.Contains(long.Summary, "<") {
		t.Errorf("derived summary (%d runes): %q", n, long.Summary)
	}
}

func TestAtomTextContentEscaped(t *testing.T) {
	doc := `<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<entry><title>x</title><id>1</id><content type="text">if a &lt;b&gt; c</content></entry></feed>`
	feed, err := Parse([]byte(doc), "", "https://example.org/feed", testNow)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := feed.Items[0].Content, "if a &lt;b&gt; c"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestSameBlogTwoFormats: the same 25 posts as Atom and as RSS must give
// the same links, or cross-format dedup has nothing to work with.
func TestSameBlogTwoFormats(t *testing.T) {
	links := func(file string) []string {
		feed, err := Parse(readFixture(t, file), "", "https://dustri.org/b/feed", testNow)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, it := range feed.Items {
			out = append(out, it.Link)
		}
		return out
	}
	atom, rss := links("same-blog-two-formats_dustri-org_atom.xml"), links("same-blog-two-formats_dustri-org_rss2.xml")
	if strings.Join(atom, " ") != strings.Join(rss, " ") {
		t.Errorf("links differ:\natom %q\nrss  %q", atom, rss)
	}
}

func TestParserConcurrent(t *testing.T) {
	p := NewParser()
	body := readFixture(t, "rust-blog-feed_2023-07-18_atom.xml")
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			_, err := p.Parse(body, "", "https://blog.rust-lang.org/feed.xml", testNow)
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
