// Package publish renders kernelwire's curated feeds (RSS 2.0, Atom 1.0 and
// JSON Feed 1.1) and caches the rendered bytes with their ETags.
//
// It owns the published representation of an item: its stable id, which
// fields are text and which are HTML, dates, links, categories and the
// _kernelwire JSON Feed extension. It does not read the store, route
// requests, log or start goroutines: callers hand it a Feed and serve the
// Entry it returns.
//
// gorilla/feeds v1.2.0 is used only for its element types (AtomLink,
// AtomAuthor, AtomSummary, AtomContent, RssGuid, RssContent, JSONItem,
// JSONFeed, ...) and its XmlFeed/WriteXML writer; the documents themselves
// are our own structs, because gorilla's converters have these defects
// (numbered; other comments cite them as "gap N"), each filled here:
//
//  1. Atom ids derived from links without the query string collide
//     (view?id=100 vs view?id=200): every id here is the item Key,
//     percent-encoded into a tag: URI (RFC 4151) by itemID; links are never
//     used to derive ids.
//  2. Random ids (urn:uuid) for items without link and date: ids are a pure
//     function of the Key (falling back to GUID, link, then a hash of
//     source, title and date), so every render yields the same bytes.
//  3. Empty <updated>, <id>, <link href="">: Render refuses a feed without
//     Title or SelfURL, every date falls back to a non-zero one, and links
//     are only written when their URL is non-empty.
//  4. No <published>, no rel="self": Atom entries carry <published> and
//     <updated>; Atom has rel="self", "alternate", "next" and "hub" links and
//     RSS has <atom:link rel="self"> (and hub/next) in the channel.
//  5. No item categories; hand-made Atom categories lack term: topics become
//     <category term="slug" label="Title"/> in Atom, <category> in RSS and
//     tags in JSON Feed.
//  6. Every Atom summary is type="html": summaries are classified by
//     looksLikeHTML and written as type="text" or type="html"; titles are
//     plain text (escaped once, never HTML); JSON Feed summary is plain text.
//  7. RSS drops the author's email and <source> lacks url: an author with an
//     address becomes <author>email (Name)</author>, a bare name becomes
//     <dc:creator>; <source url="..."> is written whenever the source's
//     feed URL is known (Feed.SourceURLs). (We publish no enclosures.)
//  8. JSON Feed: summary-only items lack content_html/content_text, missing
//     ids are "", an empty feed has no items, banner_/size are misspelt:
//     every item has content_html or content_text and a non-empty id, items
//     is always an array, and the misspelt fields are never set (we publish
//     no banner images or attachments).
//  9. Control characters are written raw (RSS becomes ill-formed XML):
//     every text field, attribute and CDATA section goes through cleanText,
//     which drops characters XML 1.0 forbids.
package publish
