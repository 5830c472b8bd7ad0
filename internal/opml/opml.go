// Package opml reads and writes OPML 2.0 subscription lists
// (http://opml.org/spec2.opml), the format feed readers import and export.
//
// It owns the document model only: callers (web for export, cmd/kernelwire
// for import) decide what the outlines mean. It imports nothing of ours and
// does no I/O beyond the reader and writer it is given.
package opml

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Document is an OPML 2.0 document.
type Document struct {
	XMLName xml.Name `xml:"opml"`
	Version string   `xml:"version,attr"`
	Head    Head     `xml:"head"`
	Body    Body     `xml:"body"`
}

// Head is the document's metadata.
type Head struct {
	Title string `xml:"title,omitempty"`
	// DateCreated is RFC 822 with a four-digit year, as the spec asks.
	DateCreated string `xml:"dateCreated,omitempty"`
	OwnerName   string `xml:"ownerName,omitempty"`
	Docs        string `xml:"docs,omitempty"`
}

// Body holds the outlines; the spec requires at least one.
type Body struct {
	Outlines []Outline `xml:"outline"`
}

// Outline is one subscription (XMLURL set, Type "rss") or a folder of them.
type Outline struct {
	// Text is required by the spec; readers show it.
	Text        string    `xml:"text,attr"`
	Title       string    `xml:"title,attr,omitempty"`
	Type        string    `xml:"type,attr,omitempty"`
	Description string    `xml:"description,attr,omitempty"`
	XMLURL      string    `xml:"xmlUrl,attr,omitempty"`
	HTMLURL     string    `xml:"htmlUrl,attr,omitempty"`
	Outlines    []Outline `xml:"outline"`
}

// ErrNotOPML is returned (wrapped) by Parse for XML that is not OPML.
var ErrNotOPML = errors.New("not an OPML document")

// New returns an empty OPML 2.0 document titled title, created at created.
func New(title string, created time.Time) Document {
	d := Document{Version: "2.0", Head: Head{Title: title, Docs: "http://opml.org/spec2.opml"}}
	if !created.IsZero() {
		d.Head.DateCreated = created.UTC().Format(time.RFC1123Z)
	}
	return d
}

// Write writes d with an XML declaration.
func Write(w io.Writer, d Document) error {
	if d.Version == "" {
		d.Version = "2.0"
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write opml: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(d); err != nil {
		return fmt.Errorf("write opml: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write opml: %w", err)
	}
	return nil
}

// Parse reads an OPML document (versions 1.0 and 2.0 share these fields).
func Parse(r io.Reader) (Document, error) {
	var d Document
	dec := xml.NewDecoder(r)
	// Readers export OPML declared as ISO-8859-1 or windows-1252 now and
	// then; their outlines are ASCII URLs in practice, so pass bytes through
	// rather than refuse the file.
	dec.CharsetReader = func(charset string, input io.Reader) (io.Reader, error) { return input, nil }
	if err := dec.Decode(&d); err != nil {
		// encoding/xml reports a wrong root element only as text (an
		// UnmarshalError string).
		if strings.Contains(err.Error(), "expected element type <opml>") {
			return Document{}, fmt.Errorf("parse opml: %w: %w", ErrNotOPML, err)
		}
		return Document{}, fmt.Errorf("parse opml: %w", err)
	}
	return d, nil
}

// Feeds returns every outline with an xmlUrl, depth first in document
// order; folders are flattened away.
func (d Document) Feeds() []Outline {
	var out []Outline
	var walk func([]Outline)
	walk = func(os []Outline) {
		for _, o := range os {
			if strings.TrimSpace(o.XMLURL) != "" {
				leaf := o
				leaf.Outlines = nil
				out = append(out, leaf)
			}
			walk(o.Outlines)
		}
	}
	walk(d.Body.Outlines)
	return out
}
