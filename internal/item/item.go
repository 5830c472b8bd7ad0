// Package item is kernelwire's shared vocabulary: the Item that flows through
// fetch -> parse -> tag -> dedup -> store -> publish, the Source it came from
// and the Topic it is filed under. It imports nothing of ours, so every other
// package can depend on it without cycles.
package item

import (
	"slices"
	"time"
)

// Item is one normalised entry of an upstream feed.
type Item struct {
	// Key is the identity key (see package dedup): items with the same Key
	// are the same article, whichever source carried them.
	Key string `json:"key"`
	// Source is the name (feeds.yaml) of the source that first carried it.
	Source string `json:"source"`
	// GUID is the upstream id (RSS guid, Atom id, JSON Feed id), verbatim.
	GUID string `json:"guid,omitempty"`
	// Link is the canonical absolute link (see parse.CanonicalURL).
	Link string `json:"link,omitempty"`
	// InReplyTo is the link of the entry this one answers (Atom threading,
	// RFC 4685 thr:in-reply-to: lore gives every reply and every patch of
	// a series its parent mail), "" if none.
	InReplyTo string `json:"in_reply_to,omitempty"`
	// Title is plain text: trimmed, entities unescaped once.
	Title string `json:"title"`
	// Summary is sanitised HTML (may be plain text, which is valid HTML).
	Summary string `json:"summary,omitempty"`
	// Content is sanitised HTML.
	Content string `json:"content,omitempty"`
	Author  string `json:"author,omitempty"`
	// Categories are the feed-provided categories, verbatim.
	Categories []string `json:"categories,omitempty"`
	// Comments is the comment count the upstream states (slash:comments,
	// thr:total, hnrss's "# Comments"), 0 when it states none. It is as
	// of the item's last stored version: a count alone changing is not an
	// update (Hash leaves it out).
	Comments int `json:"comments,omitempty"`
	// Topics are the topic slugs assigned by package tag, sorted.
	Topics []string `json:"topics,omitempty"`
	// OnTopic says the item's source is wholly on-topic (Source.OnTopic):
	// the item belongs in the curated river even without a topic.
	OnTopic bool `json:"on_topic,omitempty"`
	// Matched explains each topic: which rule fired on which words.
	Matched map[string]Match `json:"matched,omitempty"`
	// Extracted holds what the kernel extractors found.
	Extracted Extracted `json:"extracted,omitzero"`

	// Published is the item's date: published, else updated, else first
	// seen; never more than a day in the future (parse clamps it).
	Published time.Time `json:"published"`
	// Undated reports that the upstream gave no date parse could read:
	// Published is then when the item was first parsed, not its own date,
	// and listings place it after dated items.
	Undated bool `json:"undated,omitempty"`
	// Updated is the upstream's updated date, zero if none.
	Updated time.Time `json:"updated,omitzero"`
	// FirstSeen is when kernelwire first stored the item.
	FirstSeen time.Time `json:"first_seen,omitzero"`
	// Hash summarises the fields that make an update (title, summary,
	// content, link, topics); a changed hash means "updated in place".
	Hash string `json:"hash,omitempty"`

	// StoryKeys and Buckets are where the item's story may be found (see
	// package dedup: exact story keys and LSH buckets of its title). Assign
	// sets them for the store to look up and record during SaveItems; they
	// are derived data, so they are never stored or published.
	StoryKeys []string `json:"-"`
	Buckets   []string `json:"-"`

	// Related is the other coverage of the item's story and Replies the
	// number of mailing-list replies in it. The store fills them on the
	// items Items returns (story representatives); they are not part of
	// the item itself and are never stored with it.
	Related []Related `json:"related,omitempty"`
	Replies int       `json:"replies,omitempty"`
	// StoryID is the published id of the item's story: the key of the
	// story's first item, fixed when the story was first published and
	// kept through new representatives, merges (the older story's id
	// wins), retagging and restarts. The store sets it on the items Items
	// returns; empty, the story is the item alone and its id is Key.
	StoryID string `json:"story_id,omitempty"`
	// StoryUpdated is when the store last saw the item's story change: new
	// coverage, a new representative, an update in place. Zero: not since
	// it was first stored.
	StoryUpdated time.Time `json:"story_updated,omitzero"`
	// Status is where the story's patch series or pull request stands,
	// gathered from its members; filled by the store like Related.
	Status *Status `json:"status,omitempty"`
}

// Related is one other report of a story: another source's item.
type Related struct {
	URL       string    `json:"url,omitempty"`
	Source    string    `json:"source"`
	Title     string    `json:"title"`
	Published time.Time `json:"published,omitzero"`
	// Comments is the report's comment count (Item.Comments).
	Comments int `json:"comments,omitempty"`
}

// Match says why a topic was assigned.
type Match struct {
	Rule  string   `json:"rule"`
	Words []string `json:"words,omitempty"`
}

// Extracted is what the kernel extractors found in an item.
type Extracted struct {
	KernelVersions []string `json:"kernel_versions,omitempty"`
	CVEs           []string `json:"cves,omitempty"`
	Patch          *Patch   `json:"patch,omitempty"`
	// The kernel lane's facts (kernel.go): what a mail says about its
	// series, a CVE announcement, a kernel.org release record.
	Series  *Series  `json:"series,omitempty"`
	Reviews []Review `json:"reviews,omitempty"`
	Event   *Event   `json:"event,omitempty"`
	CVE     *CVE     `json:"cve,omitempty"`
	Release *Release `json:"release,omitempty"`
}

// Patch describes a mailing-list patch subject such as
// "[PATCH v3 02/11] rust: kernel: add foo".
type Patch struct {
	Kind      string `json:"kind"` // PATCH, RFC, GIT PULL, ...
	Version   int    `json:"version,omitempty"`
	Index     int    `json:"index,omitempty"`
	Total     int    `json:"total,omitempty"`
	Subsystem string `json:"subsystem,omitempty"`
}

// HasTopic reports whether the item is filed under slug.
func (it *Item) HasTopic(slug string) bool {
	return slices.Contains(it.Topics, slug)
}

// Source is one upstream feed from feeds.yaml.
type Source struct {
	Name string
	URL  string
	// Title is the display name feeds.yaml gives (title:); "" means the
	// feed's own title, as the poller last read it.
	Title string
	// Topics are default topics every item of this source gets.
	Topics []string
	// Interval is the poll interval; zero means the configured default.
	Interval time.Duration
	// Priority ranks sources when several carry the same story (higher wins).
	Priority int
	// AllowPrivateNetworks lets this source reach loopback, private and
	// link-local addresses (refused by default: feeds.yaml's
	// allow_private_networks).
	AllowPrivateNetworks bool
	// OnTopic marks a source that is wholly on-topic (feeds.yaml on_topic,
	// e.g. a kernel mailing list): its items belong in the curated river
	// even when no topic rule matches them.
	OnTopic bool
	// MaxItemsPerPoll caps the items one poll takes (newest first); zero
	// means the configured default.
	MaxItemsPerPoll int
}

// Topic is a curated topic, published at /feeds/<Slug>.<ext>.
type Topic struct {
	Slug        string
	Title       string
	Description string
}
