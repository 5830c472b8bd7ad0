package parse

import (
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// linkRel is the rel every sanitised link carries: nofollow because the
// content is someone else's, noopener so a target page cannot script us.
const linkRel = "nofollow noopener"

// newPolicy builds the sanitiser. UGCPolicy already refuses style
// attributes and elements, iframes, forms, scripts and event handlers; this
// tightens it further (a policy can only be widened, so the tightening is
// in what we add: nofollow required, rel fixed to linkRel) and keeps
// relative URLs only because resolveRefs leaves one when there is no base.
func newPolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	// resolveRefs sets rel on every <a>; allowing exactly that value lets it
	// through while any upstream rel was overwritten before sanitising.
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^nofollow noopener$`)).OnElements("a")
	return p
}

// sanitize returns s as safe HTML: relative href/src/cite/poster resolved
// against base (so that a Summary shown on another site still points
// home), links given linkRel, then bluemonday, then characters XML 1.0
// forbids dropped.
func (p *Parser) sanitize(s, base string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	s = resolveRefs(xmlChars(s), base)
	// Policy.Sanitize, into a buffer sized for the output up front: it
	// grew its own from nothing, then copied it into the string.
	var b strings.Builder
	b.Grow(len(s))
	if err := p.policy.SanitizeReaderToWriter(strings.NewReader(s), &b); err != nil {
		return "" // as Sanitize does
	}
	return strings.TrimSpace(xmlChars(b.String()))
}

// resolveRefs parses s as an HTML fragment, resolves its URL attributes
// against base and sets linkRel on links. Where base is "" relative URLs
// stay as they are.
func resolveRefs(s, base string) string {
	if !strings.Contains(s, "<") {
		return s
	}
	ctx := &xhtml.Node{Type: xhtml.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := xhtml.ParseFragment(strings.NewReader(s), ctx)
	if err != nil {
		// ParseFragment only fails on reader errors; keep the input and
		// let the sanitiser deal with it.
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for _, n := range nodes {
		rewriteNode(n, base)
		if err := xhtml.Render(&b, n); err != nil {
			return s
		}
	}
	return b.String()
}

func rewriteNode(n *xhtml.Node, base string) {
	if n.Type == xhtml.ElementNode {
		hasRel := false
		for i := range n.Attr {
			a := &n.Attr[i]
			switch a.Key {
			case "href", "src", "cite", "poster":
				if base != "" {
					if abs := Resolve(base, a.Val); abs != "" {
						a.Val = abs
					}
				}
			case "rel":
				if n.DataAtom == atom.A {
					a.Val = linkRel
					hasRel = true
				}
			}
		}
		if n.DataAtom == atom.A && !hasRel {
			n.Attr = append(n.Attr, xhtml.Attribute{Key: "rel", Val: linkRel})
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		rewriteNode(c, base)
	}
}
