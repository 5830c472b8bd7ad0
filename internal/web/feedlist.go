package web

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// handleFeedList serves GET /feeds: every feed with its three format URLs,
// as HTML. GET /feeds.json (handleFeedListJSON) is the same list for
// programs; separate URLs rather than content negotiation, so that both
// can be linked and cached without Vary.
func (s *Server) handleFeedList(w http.ResponseWriter, r *http.Request) error {
	base := s.baseURL(r)
	setHTMLHeaders(w.Header())
	return s.serveCached(w, r, s.pages, base+"/feeds", 0, func(ctx context.Context) ([]byte, string, time.Time, error) {
		v := struct {
			chrome
			Subscribe []feedRow
			Example   string
			ScanLimit int
		}{
			chrome:    s.chrome(base, "kernelwire: every feed"),
			Subscribe: s.feedRows(base),
			Example:   base + "/feeds/all.atom?not=" + firstNonAll(s.topicSlugs()) + "&q=rust",
			ScanLimit: s.cfg.ScanLimit,
		}
		v.Alternates = s.feedLinks(base, "all", "kernelwire: all news", nil)
		h, err := s.sourceHealth(ctx)
		if err != nil {
			return nil, "", time.Time{}, err
		}
		v.SourceCount = h.count
		body, err := s.execute("feeds", v)
		return body, htmlType, time.Time{}, err
	})
}

func firstNonAll(slugs []string) string {
	if len(slugs) > 1 {
		return slugs[1]
	}
	return "none"
}

// feedList is the JSON document of GET /feeds.json.
type feedList struct {
	Feeds []feedRow `json:"feeds"`
	// Parameters documents the query parameters every feed takes.
	Parameters map[string]string `json:"parameters"`
	OPML       string            `json:"opml"`
}

func (s *Server) handleFeedListJSON(w http.ResponseWriter, r *http.Request) error {
	base := s.baseURL(r)
	body, err := json.MarshalIndent(feedList{
		Feeds: s.feedRows(base),
		Parameters: map[string]string{
			"topics": "comma-separated topic slugs: items under any of them",
			"not":    "comma-separated topic slugs: leave out items under any of them",
			"source": "a source name: items from that source",
			"q":      "words: items whose title, summary or source has every word (whole words, case and accents ignored; \"quoted phrases\" in order)",
			"since":  "an RFC 3339 time or a date (2026-11-01): items published since",
			"limit":  "items per page, 1 to 1000 (default 50)",
			"offset": "items to skip",
		},
		OPML: base + "/feeds.opml",
	}, "", "  ")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, err = w.Write(append(body, '\n'))
	return err
}
