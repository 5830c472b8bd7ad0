package parse

import (
	"testing"
)

func TestComments(t *testing.T) {
	feed, err := Parse(readFixture(t, "slashdot-main-rss1.0_2018-01-22T2349.rdf"), "", "http://rss.slashdot.org/Slashdot/slashdotMain", testNow)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, it := range feed.Items {
		got[it.Title] = it.Comments
	}
	if n := got["Corporate Cultural Issues Hold Back Secure Software Development"]; n != 21 {
		t.Errorf("slash:comments: got %d, want 21 (%v)", n, got)
	}
	tests := []struct {
		name, doc string
		want      int
	}{
		{"thr:total", `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:thr="http://purl.org/syndication/thread/1.0"><title>t</title><id>x</id>
<entry><title>e</title><id>e1</id><link href="https://example.org/e1"/><updated>2026-07-01T00:00:00Z</updated><thr:total>142</thr:total></entry></feed>`, 142},
		{"hnrss", `<rss version="2.0"><channel><title>Hacker News: Front Page</title><link>https://news.ycombinator.com/</link><description>d</description>
<item><title>Linux 6.17</title><link>https://lwn.net/Articles/1/</link><description><![CDATA[<p>Article URL: <a href="https://lwn.net/Articles/1/">x</a></p><p>Points: 300</p><p># Comments: <a href="https://news.ycombinator.com/item?id=1">142</a></p>]]></description></item></channel></rss>`, 142},
		{"none", `<rss version="2.0"><channel><title>t</title><link>https://example.org/</link><description>d</description>
<item><title>e</title><link>https://example.org/e</link><description>no count here: 142 comments</description></item></channel></rss>`, 0},
		{"nonsense", `<rss version="2.0" xmlns:slash="http://purl.org/rss/1.0/modules/slash/"><channel><title>t</title><link>https://example.org/</link><description>d</description>
<item><title>e</title><link>https://example.org/e</link><slash:comments>-3</slash:comments></item></channel></rss>`, 0},
	}
	for _, tc := range tests {
		f, err := Parse([]byte(tc.doc), "", "https://example.org/feed", testNow)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(f.Items) != 1 || f.Items[0].Comments != tc.want {
			t.Errorf("%s: items %+v, want one with %d comments", tc.name, f.Items, tc.want)
		}
	}
}
