// Package dedup decides item identity and story membership. It does no I/O:
// the store applies its keys atomically (package store), so every decision
// here is pure and stable across versions (changing a key's derivation
// re-announces stored items as new, or stops stored stories from being
// found).
//
// # Items
//
// Assign gives each item its Key (the same article, whichever source and
// whichever spelling of its link: IdentityURL folds scheme, "www.", a
// trailing slash, LWN's /rss and SubscriberLink aliases and lore's
// per-list and thread URLs of one Message-ID) and its Hash (what makes an
// update).
//
// # Stories
//
// A story is one event told by several items: Linux 6.13 on kernel.org,
// LWN, Phoronix, The Register and Hacker News. Finding an item's story must
// cost a store a constant number of round trips, so it works in two steps:
//
//  1. Lookup. Each item has a few exact keys (StoryKeys: link identity,
//     aggregator target, release "r:linux/6.13", CVE "c:CVE-...", mail
//     thread "s:...") and LSH buckets of a MinHash signature of its title
//     (Signature(it).Buckets(): 24 short strings). A store keeps, for the
//     story Window (7 days), which items it saw under each key and bucket
//     (an index in each process's memory, persisted as one record per save
//     and shared between replicas through Redis), and fetches all of a
//     poll's candidates in at most one batched round trip. An item that
//     names another by its link key (the mail it answers, an earlier
//     version of its series, the article an aggregator points at) has
//     that item as a candidate for as long as it is stored: a reply a
//     month later is still in its thread (IsLinkKey).
//  2. Verification. SameStory(candidate, item) decides on each candidate;
//     the item joins the first story it verifies against (identity-key
//     candidates first, then event keys, then buckets, oldest first).
//     Representative picks the item that stands for the story.
//
// # Why these rules
//
// Near-duplicate text is judged on titles only: outlets' summaries differ
// in kind (Hacker News repeats the title, GitHub releases have none, LWN
// quotes the announcement), while the headline is each outlet's own summary
// of the event. Titles are compared by Jaccard similarity of normalised
// words, or by containment when one outlet shortens another's headline,
// and the shared words must carry most of the lighter title's weight when
// each word counts by its rarity (idf from a background table of real
// headlines, common_words.txt): a few words that every week's headlines
// carry are not one story. Amounts are compared as values ("$1B" and "$1
// Billion"), abbreviated commit ids as numbers. A news digest (Slashdot,
// SoylentNews) writes its own headline for an article that others post
// under the publisher's: the two share the event's rare names, not its
// phrasing, so a digest's story within two days of a report matches on
// two rare shared words carrying half the lighter title's weight, unless
// either title asks or explains (commentary is its own story).
//
// A false merge hides a story from readers, so vetoes come before text and
// release keys: look-alikes that differ in a kernel version ("6.13-rc1" vs
// "6.13-rc2"), another version, a CVE id, a count or day ("day one" vs "day
// two", "for Thursday" vs "for Friday"), in stage (a release vs its
// pre-release testing or beta), in speaker ("Torvalds says" vs "Kroah-Hartman
// says"), a release vs an article about that version, and recurring titles
// ("Security updates for Thursday", "This Week in Rust") more than 36 hours
// apart are never one story. Vetoes read titles, not bodies: a body
// mentions the previous -rc or a related CVE. Identity keys are not vetoed:
// the same article is the same story, however it is titled.
//
// Mailing lists: a mail's subject, without "Re:" and its "[PATCH v3 0/5]"
// tags, names its thread, so replies and later versions of a series join
// it; two different patches are never merged by text, since patch subjects
// in one subsystem look alike ("rust: alloc: add Vec::pop" and "... add
// Vec::push_within_capacity"). The newest version of a series represents it.
//
// The package must not log, fetch or store, and must not depend on any
// package beyond item, tag (the kernel extractors) and parse (CanonicalURL).
package dedup
