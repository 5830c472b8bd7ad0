package publish

import "strings"

// Format is a published feed format; its value is the file extension.
type Format string

// The published formats.
const (
	RSS  Format = "rss"
	Atom Format = "atom"
	JSON Format = "json"
)

// ParseFormat maps a file extension ("atom", ".atom", "xml", "rss", "json")
// to its Format. "xml" means RSS, the format readers assume for feed.xml.
func ParseFormat(ext string) (Format, bool) {
	switch strings.ToLower(strings.TrimPrefix(ext, ".")) {
	case "rss", "xml":
		return RSS, true
	case "atom":
		return Atom, true
	case "json":
		return JSON, true
	}
	return "", false
}

// ContentType is the media type the format is served with. The specific
// types (not application/xml) let browsers and readers detect feeds.
func (f Format) ContentType() string {
	switch f {
	case RSS:
		return "application/rss+xml; charset=utf-8"
	case Atom:
		return "application/atom+xml; charset=utf-8"
	case JSON:
		return "application/feed+json; charset=utf-8"
	}
	return "application/octet-stream"
}
