package poll

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/parse"
)

// ErrOwnFeed is returned (wrapped) by a poll of a source whose feed
// kernelwire itself wrote: sites that consume the curated feed may offer it
// back, and polling it would bring our own items in again as another
// source's.
var ErrOwnFeed = errors.New("refused: a kernelwire feed")

// kernelwireFeedPath is the path of a feed kernelwire publishes.
var kernelwireFeedPath = regexp.MustCompile(`/feeds/[a-z0-9-]+\.(atom|rss|json|xml)$`)

// ownFeed says why feed is one kernelwire wrote, or "": it names our
// generator (Atom and RSS) and a self link, or (JSON Feed, which has no
// generator) its title is ours and its self link has the path of ours.
func ownFeed(feed *parse.Feed) string {
	if feed.SelfURL == "" {
		return ""
	}
	gen := strings.ToLower(feed.Generator)
	if gen == "kernelwire" || strings.HasPrefix(gen, "kernelwire ") {
		return fmt.Sprintf("its generator is %q and its self link %s", feed.Generator, feed.SelfURL)
	}
	if u, err := url.Parse(feed.SelfURL); err == nil && strings.HasPrefix(feed.Title, "kernelwire: ") && kernelwireFeedPath.MatchString(u.Path) {
		return fmt.Sprintf("its title is %q and its self link %s", feed.Title, feed.SelfURL)
	}
	return ""
}

// undatedStep separates undated items placed behind a feed's dated ones,
// keeping their order in the feed.
const undatedStep = time.Minute

// placeUndated dates the undated items of a source's first poll behind its
// dated ones: the earlier of the oldest dated item's date and the feed's
// own date (feedDate, zero if none), minus one step per undated item in
// feed order; with neither, their first-seen time minus their order. A
// first poll is a backlog, and a backlog without dates must not land at
// the top of the river as "just now"; later polls' undated items are new,
// and first seen is their honest date. It returns how many items are
// undated (they keep Item.Undated).
func placeUndated(items []item.Item, feedDate time.Time, first bool) int {
	anchor := feedDate
	undated := 0
	for _, it := range items {
		switch {
		case it.Undated:
			undated++
		case anchor.IsZero() || it.Published.Before(anchor):
			anchor = it.Published
		}
	}
	if !first || undated == 0 {
		return undated
	}
	k := 0
	for i := range items {
		if !items[i].Undated {
			continue
		}
		k++
		at := anchor
		if at.IsZero() || at.After(items[i].Published) {
			at = items[i].Published // parse dates an undated item when it first sees it
		}
		items[i].Published = at.Add(-time.Duration(k) * undatedStep)
	}
	return undated
}
