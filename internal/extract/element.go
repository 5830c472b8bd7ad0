package extract

import "strings"

// htmlElements are the element names of HTML (WHATWG, plus the obsolete
// ones feeds still carry). Only these are markup when a string is read as
// HTML: "<linux/slab.h>", "Vec<T>" or "Option<Box<Error>>" in a kernel mail
// subject are text even in an HTML-typed title.
var htmlElements = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Fields(`a abbr acronym address area article aside audio b base basefont bdi bdo
		big blink blockquote body br button canvas caption center cite code col colgroup data datalist
		dd del details dfn dialog dir div dl dt em embed fieldset figcaption figure font footer form frame
		frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe img input ins kbd label legend li
		link main map mark marquee menu meta meter nav nobr noembed noframes noscript object ol optgroup
		option output p param picture plaintext pre progress q rp rt ruby s samp script search section
		select slot small source span strike strong style sub summary sup svg math table tbody td template
		textarea tfoot th thead time title tr track tt u ul var video wbr xmp`) {
		m[n] = true
	}
	return m
}()

// HTMLElement reports whether a tag name (lower-cased by the tokenizer,
// possibly prefixed as in XHTML "xhtml:b") is an HTML element: Text keeps
// any other "tag" as text.
func HTMLElement(name string) bool {
	return htmlElements[localName(name)]
}

// localName drops an XML namespace prefix: "xhtml:b" is "b".
func localName(name string) string {
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		return name[i+1:]
	}
	return name
}
