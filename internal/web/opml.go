package web

import (
	"bytes"
	"net/http"

	"github.com/kernelwire/kernelwire/internal/opml"
)

// handleSourcesOPML serves GET /opml: the upstream sources, for a reader
// that wants to follow the same feeds kernelwire polls. Outline text and
// title are the display name readers show (feeds.yaml's title:, else the
// feed's own title), htmlUrl the site's home page as the feed gives it.
func (s *Server) handleSourcesOPML(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := withTimeout(r)
	defer cancel()
	names, err := s.loadSourceNames(ctx)
	if err != nil {
		// The list is feeds.yaml's: serve it with the config's names
		// rather than fail while the store is away.
		s.cfg.Log.Warn("opml: source names from feeds.yaml only", "err", err)
		names = s.configSourceNames()
	}
	d := opml.New("kernelwire sources", s.cfg.Now())
	for _, src := range s.cfg.Sources {
		title := names.titles[src.Name]
		d.Body.Outlines = append(d.Body.Outlines, opml.Outline{
			Text: title, Title: title, Type: "rss", XMLURL: src.URL, HTMLURL: names.sites[src.Name],
		})
	}
	return writeOPML(w, d)
}

// handleFeedsOPML serves GET /feeds.opml: kernelwire's own feeds, one
// outline per topic (plus all news and the named feeds), each pointing at
// the Atom format, for a reader to subscribe to all of them at once.
func (s *Server) handleFeedsOPML(w http.ResponseWriter, r *http.Request) error {
	d := opml.New("kernelwire feeds", s.cfg.Now())
	for _, row := range s.feedRows(s.baseURL(r)) {
		d.Body.Outlines = append(d.Body.Outlines, opml.Outline{
			Text: "kernelwire: " + row.Title, Title: "kernelwire: " + row.Title, Type: "rss",
			Description: row.Description, XMLURL: row.URLs.Atom, HTMLURL: row.HTMLURL,
		})
	}
	return writeOPML(w, d)
}

func writeOPML(w http.ResponseWriter, d opml.Document) error {
	var buf bytes.Buffer
	if err := opml.Write(&buf, d); err != nil {
		return err
	}
	// text/x-opml is what readers and browsers recognise for OPML.
	w.Header().Set("Content-Type", "text/x-opml; charset=utf-8")
	_, err := w.Write(buf.Bytes())
	return err
}
