package story

import (
	"time"

	"github.com/kernelwire/kernelwire/internal/item"
)

// Plan is everything one save writes, decided in Go. A backend applies it
// with Apply (its fields say what, Apply says in which order), then
// applies its retention.
type Plan struct {
	// Outcomes has one entry per item of the batch, in order.
	Outcomes []item.Outcome
	// Joined counts the New items that joined an existing story.
	Joined int
	// Items are stored whole, replacing any stored copy, with their story.
	Items []Stored
	// Marks are seen marks to (re)set: key -> hash.
	Marks []Mark
	// Links point items outside the batch at a story ("" for their own).
	Links       []Link
	IndexRemove []IndexEntry
	IndexAdd    []IndexEntry
	Stories     []Story
	// DeleteStories are records that no longer exist (merged away).
	DeleteStories []string
	// Lookups record items under story keys and buckets.
	Lookups []Lookup
	// ClearSummary lists former representatives; SetSummary the current
	// ones (a Redis representative carries its story's summary so Items
	// needs no extra round trip).
	ClearSummary []string
	SetSummary   []KeySummary
	// Changed reports whether readers' output changes (Version bump).
	Changed bool
}

// Mark is one seen mark to set.
type Mark struct{ Key, Hash string }

// Link points item Key at Story.
type Link struct{ Key, Story string }

// Lookup records Item under its story keys and buckets. The slices are
// the item's own (item.Item.StoryKeys and Buckets): never modified.
type Lookup struct {
	Item          string
	Keys, Buckets []string
	// At is the item's story time (see Hit).
	At time.Time
}

// KeySummary is the summary of the story Key represents.
type KeySummary struct {
	Key     string
	Summary Summary
}

// Writer is what a backend implements to apply a plan, inside whatever
// makes its save atomic (bbolt's write transaction, the arguments of one
// Redis script). storetest holds every backend to storytest.Memory, the
// reference Writer: the same saves must leave the same items, indexes and
// summaries.
type Writer interface {
	// PutItem stores si.Item whole, replacing any stored copy, as a member
	// of story si.Story ("" for a story of its own).
	PutItem(si Stored) error
	// PutMark (re)sets key's seen mark to hash, for the store's seen TTL.
	PutMark(key, hash string) error
	// Link points the stored item key at story ("" for its own); an item
	// no longer stored is skipped.
	Link(key, story string) error
	// RemoveEntry and AddEntry change one index entry; an entry moves by
	// being removed and added.
	RemoveEntry(e IndexEntry) error
	AddEntry(e IndexEntry) error
	// PutStory writes a story record; DeleteStory removes one (merged
	// away, or down to one member).
	PutStory(s Story) error
	DeleteStory(id string) error
	// ClearSummary drops the summary a former representative carried;
	// SetSummary puts its story's summary on a representative. A backend
	// that summarises at read time (from the story record) does nothing.
	ClearSummary(key string) error
	SetSummary(key string, sum Summary) error
	// RecordLookups records items under their story keys and buckets for
	// the lookup TTL.
	RecordLookups(ls []Lookup) error
}

// Apply writes the plan through w, in the one order that keeps a store
// consistent: items before the marks that say they are stored, index
// removals before additions (an entry that moves is in both), story
// records before summaries, and summaries cleared before they are set (a
// representative may lose one story's summary and gain another's).
func (p *Plan) Apply(w Writer) error {
	for _, si := range p.Items {
		if err := w.PutItem(si); err != nil {
			return err
		}
	}
	for _, m := range p.Marks {
		if err := w.PutMark(m.Key, m.Hash); err != nil {
			return err
		}
	}
	for _, l := range p.Links {
		if err := w.Link(l.Key, l.Story); err != nil {
			return err
		}
	}
	for _, e := range p.IndexRemove {
		if err := w.RemoveEntry(e); err != nil {
			return err
		}
	}
	for _, e := range p.IndexAdd {
		if err := w.AddEntry(e); err != nil {
			return err
		}
	}
	for _, s := range p.Stories {
		if err := w.PutStory(s); err != nil {
			return err
		}
	}
	for _, id := range p.DeleteStories {
		if err := w.DeleteStory(id); err != nil {
			return err
		}
	}
	for _, k := range p.ClearSummary {
		if err := w.ClearSummary(k); err != nil {
			return err
		}
	}
	for _, ks := range p.SetSummary {
		if err := w.SetSummary(ks.Key, ks.Summary); err != nil {
			return err
		}
	}
	if len(p.Lookups) > 0 {
		return w.RecordLookups(p.Lookups)
	}
	return nil
}
