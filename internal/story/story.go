// Package story owns clustering: it decides what one save of a poll's
// items changes in stories (which story each item joins, which stories
// merge, who represents each, what every index and seen mark becomes) and
// writes the decision down as a Plan. It is pure: it reads through a
// Reader and never imports a store, so every rule is tested without one;
// the backends in store/ apply a Plan through a Writer inside their own
// atomic step. dedup's rules (identity keys, SameStory, Representative)
// are called directly.
//
// Every stored item belongs to a story. A story of one item has no record:
// its id is the item's key and it is indexed as the item. Once a second
// item joins (or another source carries the same article), a Story record
// lists the members, and only its representative is indexed: in "all", in
// its own source's index and under the union of the members' topics.
// Curated feeds therefore list stories, and paging counts stories.
//
// Saving, as both backends do it: read what the batch depends on (its
// items' marks and stored copies, the items found under its story keys and
// buckets, and their stories) through a Reader, call PlanSave, and apply
// the Plan with Plan.Apply: bbolt inside the one write transaction it read
// in, Redis in one script that first checks nothing it read has changed
// since (optimistic concurrency).
package story

import (
	"slices"
	"time"

	"github.com/kernelwire/kernelwire/internal/dedup"
	"github.com/kernelwire/kernelwire/internal/item"
)

// allTopic is store.AllTopic, the pseudo-topic of the index of every
// item, and curatedTopic store.CuratedTopic, of the curated river (story
// does not import the store; storetest checks they agree).
const (
	allTopic     = "all"
	curatedTopic = "_curated"
)

// DefaultWindow is the story window when none is configured: dedup.Window.
const DefaultWindow = dedup.Window

// LookupTTL is how long a story key or bucket entry is kept: the story
// window (DefaultWindow when zero) plus a day of slack for late feeds and
// clock skew between pollers.
func LookupTTL(window time.Duration) time.Duration {
	if window <= 0 {
		window = DefaultWindow
	}
	return window + 24*time.Hour
}

// Story is a stored story record.
type Story struct {
	// ID is the key of the story's first item; it never changes, so members
	// can point at it.
	ID string `json:"id"`
	// Version counts writes of the record; Redis checks it to detect a
	// concurrent change.
	Version int64 `json:"v"`
	// Rep is the key of the representative member.
	Rep     string   `json:"rep"`
	Members []Member `json:"m"`
	// Updated is when a save last changed what the story shows: its
	// representative, its members' titles and links, its topics.
	Updated time.Time `json:"up,omitzero"`
}

// since is when the story was first published: its earliest member's
// first sighting.
func (s *Story) since() time.Time {
	var t time.Time
	for _, m := range s.Members {
		if !m.Alias && (t.IsZero() || m.FirstSeen.Before(t)) {
			t = m.FirstSeen
		}
	}
	return t
}

// older reports whether s was published before o (ties by id, so the
// choice does not depend on the order stories are met in).
func (s *Story) older(o *Story) bool {
	if a, b := s.since(), o.since(); !a.Equal(b) {
		return a.Before(b)
	}
	return s.ID < o.ID
}

// shows reports whether s and o show readers the same: representative,
// members (titles, links, dates, topics) and so coverage and topics.
func (s *Story) shows(o *Story) bool {
	return s.Rep == o.Rep && slices.EqualFunc(s.Members, o.Members, func(a, b Member) bool {
		return a.Key == b.Key && a.Source == b.Source && a.Title == b.Title && a.Link == b.Link &&
			a.Published.Equal(b.Published) && a.Alias == b.Alias && slices.Equal(a.Topics, b.Topics) &&
			// A member's status or reviews show in the story's status.
			(a.Event == nil) == (b.Event == nil) && (a.Event == nil || *a.Event == *b.Event) && slices.Equal(a.Reviews, b.Reviews)
	})
}

// Member is what a story keeps of each member: enough to choose the
// representative, union topics and list the coverage without reading the
// members' items.
type Member struct {
	Key       string      `json:"k"`
	Source    string      `json:"s"`
	Title     string      `json:"t"`
	Link      string      `json:"u,omitempty"`
	Published time.Time   `json:"p"`
	FirstSeen time.Time   `json:"f"`
	Topics    []string    `json:"tp,omitempty"`
	Patch     *item.Patch `json:"pa,omitempty"`
	Reply     bool        `json:"r,omitempty"`
	// Author, Event and Reviews are what the member's mail says of its
	// series (status.go): who sent it, the status it announces, the
	// review trailers it gives.
	Author  string        `json:"au,omitempty"`
	Event   *item.Event   `json:"ev,omitempty"`
	Reviews []item.Review `json:"rv,omitempty"`
	// Alias marks another source carrying the very same article (same
	// Key): it is coverage, but no item of its own is stored for it.
	Alias bool `json:"a,omitempty"`
	// OnTopic is Item.OnTopic: from a wholly on-topic source.
	OnTopic bool `json:"o,omitempty"`
	// Comments is Item.Comments, for the coverage list.
	Comments int `json:"c,omitempty"`
}

func (m Member) item() item.Item {
	return item.Item{
		Key: m.Key, Source: m.Source, Title: m.Title, Link: m.Link, Published: m.Published,
		FirstSeen: m.FirstSeen, Topics: m.Topics, Author: m.Author, OnTopic: m.OnTopic,
		Extracted: item.Extracted{Patch: m.Patch, Event: m.Event, Reviews: m.Reviews},
	}
}

func memberOf(it item.Item) Member {
	return Member{
		Key: it.Key, Source: it.Source, Title: it.Title, Link: it.Link, Published: it.Published,
		FirstSeen: it.FirstSeen, Topics: it.Topics, Patch: it.Extracted.Patch,
		Reply: dedup.IsReply(it), Author: it.Author, Event: it.Extracted.Event, Reviews: it.Extracted.Reviews,
		OnTopic: it.OnTopic, Comments: it.Comments,
	}
}

// rep returns the representative member.
func (s *Story) rep() (Member, bool) {
	for _, m := range s.Members {
		if m.Key == s.Rep && !m.Alias {
			return m, true
		}
	}
	return Member{}, false
}

// Topics is the union of the members' topics, sorted.
func (s *Story) Topics() []string {
	var out []string
	for _, m := range s.Members {
		for _, t := range m.Topics {
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	slices.Sort(out)
	return out
}

// Summary is what a store's Items adds to a story's representative.
type Summary struct {
	ID      string         `json:"id,omitempty"`
	Updated time.Time      `json:"up,omitzero"`
	Topics  []string       `json:"t,omitempty"`
	Related []item.Related `json:"r,omitempty"`
	Replies int            `json:"n,omitempty"`
	Status  *item.Status   `json:"st,omitempty"`
}

// Summarize is the story as its representative shows it: the story's id
// and last change, the union of topics, the other members as coverage
// (replies counted, not listed), and the status of its patch series or
// pull request. A series' own mails (its other patches and versions,
// status notes) are counted in its status, not listed as coverage.
func (s *Story) Summarize() Summary {
	sum := Summary{ID: s.ID, Updated: s.Updated, Topics: s.Topics(), Status: s.Status()}
	for _, m := range s.Members {
		switch {
		case m.Key == s.Rep && !m.Alias:
		case m.Reply:
			sum.Replies++
		case !m.Alias && sum.Status != nil && (m.patch() != nil || m.Event != nil):
		default:
			sum.Related = append(sum.Related, item.Related{URL: m.Link, Source: m.Source, Title: m.Title, Published: m.Published, Comments: m.Comments})
		}
	}
	return sum
}

// Apply puts the summary on its representative.
func (sum Summary) Apply(it *item.Item) {
	it.Topics, it.Related, it.Replies, it.Status = sum.Topics, sum.Related, sum.Replies, sum.Status
	it.StoryID = sum.ID
	if sum.Updated.After(it.StoryUpdated) {
		it.StoryUpdated = sum.Updated
	}
}

// IndexKind names the kind of an index.
type IndexKind byte

// Index kinds.
const (
	IndexAll    IndexKind = 'a'
	IndexSource IndexKind = 's'
	IndexTopic  IndexKind = 't'
)

// IndexEntry is one entry of one index: Key sorted by Published.
type IndexEntry struct {
	Kind      IndexKind
	Name      string // source or topic; "" for IndexAll
	Key       string
	Published time.Time
}

// Entries are the index entries of a story: its representative under
// "all", its source and the union of topics (a topic named like the
// pseudo-topic "all" is the all index already), and under the curated
// river when it has a topic or a member from a wholly on-topic source.
func (s *Story) Entries() []IndexEntry {
	r, ok := s.rep()
	if !ok {
		return nil
	}
	out := []IndexEntry{
		{Kind: IndexAll, Key: r.Key, Published: r.Published},
		{Kind: IndexSource, Name: r.Source, Key: r.Key, Published: r.Published},
	}
	topics := s.Topics()
	for _, t := range topics {
		if t != allTopic && t != curatedTopic {
			out = append(out, IndexEntry{Kind: IndexTopic, Name: t, Key: r.Key, Published: r.Published})
		}
	}
	if len(topics) > 0 || slices.ContainsFunc(s.Members, func(m Member) bool { return m.OnTopic }) {
		out = append(out, IndexEntry{Kind: IndexTopic, Name: curatedTopic, Key: r.Key, Published: r.Published})
	}
	return out
}

// Stored is an item as stored, with its story ("" for a story of its
// own). A Reader may hand out Records (see Record) instead of whole
// items, with their features prepared.
type Stored struct {
	Item  item.Item
	Story string
	// Features are dedup.Prepare(Item), when the Reader has them at hand;
	// nil: the planner prepares them. Writers ignore them.
	Features *dedup.Features
}

// Reader is what PlanSave reads. A backend serves it from one transaction
// (bbolt) or from a snapshot read in one round trip (Redis).
type Reader interface {
	// Mark returns the hash of key's seen mark, if one is live.
	Mark(key string) (string, bool)
	// Item returns a stored item, or its Record, and its story id.
	Item(key string) (Stored, bool, error)
	// Story returns a story record; a story of one item has none.
	Story(id string) (Story, bool, error)
	// Lookup returns the items recorded under a story key or bucket
	// within the lookup TTL (at most MaxLive, as LookupIndex.Live), in
	// any order. The planner neither changes nor keeps the slice past
	// the next Lookup, so a Reader may reuse its memory.
	Lookup(field string) ([]Hit, error)
}
