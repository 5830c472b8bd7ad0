package poll

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/kernelwire/kernelwire/internal/dedup"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/tag"
)

// RulesFingerprintKey is the store meta key holding the fingerprint of the
// rules the stored items were last tagged with.
const RulesFingerprintKey = "rules-fingerprint"

// retagPage is how many items Retag reads, and saves, per store call.
const retagPage = 500

// Retag re-files every stored item under the current rules when they
// differ from the rules the items were tagged with, so that the topic feeds
// follow an edit of feeds.yaml without waiting for new items. It compares
// fingerprint (tagger.Fingerprint(), or "" to force a retag) with the one
// stored under RulesFingerprintKey, re-tags every item, saves those whose
// topics changed (their hash, which covers topics, changes, so the store
// updates them in place and re-indexes their topics) and records
// fingerprint. It returns how many items changed. An item whose topics
// stay the same keeps its stored explanation (Matched) even if another
// rule now fires: the store only rewrites items whose hash changed.
//
// Items are all read before any is saved: an update re-indexes the item,
// and paging through an index while it changes could skip items. Items
// older than the store's max age are not re-saved (the store refuses them;
// pruning removes them).
func Retag(ctx context.Context, st store.Store, tagger *tag.Tagger, sources []item.Source, fingerprint string) (int, error) {
	if fingerprint != "" {
		fingerprint += onTopicFingerprint(sources)
		old, err := st.GetMeta(ctx, RulesFingerprintKey)
		switch {
		case err == nil && old == fingerprint:
			return 0, nil
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return 0, fmt.Errorf("retag: read rules fingerprint: %w", err)
		}
	}
	var all []item.Item
	for offset := 0; ; offset += retagPage {
		page, err := st.Items(ctx, store.Query{Topic: store.AllTopic, Offset: offset, Limit: retagPage})
		if err != nil {
			return 0, fmt.Errorf("retag: read items at %d: %w", offset, err)
		}
		all = append(all, page...)
		if len(page) < retagPage {
			break
		}
	}
	defaults := map[string][]string{}
	onTopic := map[string]bool{}
	for _, s := range sources {
		defaults[s.Name], onTopic[s.Name] = s.Topics, s.OnTopic
	}
	bySource := map[string][]item.Item{}
	for _, it := range all {
		before := it.Hash
		it.Topics, it.Matched, it.Extracted = nil, nil, item.Extracted{}
		tagger.Tag(&it, it.Source, defaults[it.Source])
		it.OnTopic = onTopic[it.Source]
		it.Hash = dedup.Hash(it)
		if it.Hash != before {
			bySource[it.Source] = append(bySource[it.Source], it)
		}
	}
	changed := 0
	names := make([]string, 0, len(bySource))
	for name := range bySource {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		items := bySource[name]
		for len(items) > 0 {
			n := min(len(items), retagPage)
			res, err := st.SaveItems(ctx, name, items[:n])
			if err != nil {
				return changed, fmt.Errorf("retag: save items of %s: %w", name, err)
			}
			changed += res.Count(item.Updated) + res.Count(item.New)
			items = items[n:]
		}
	}
	if fingerprint == "" {
		fingerprint = tagger.Fingerprint() + onTopicFingerprint(sources)
	}
	if err := st.PutMeta(ctx, RulesFingerprintKey, fingerprint); err != nil {
		return changed, fmt.Errorf("retag: record rules fingerprint: %w", err)
	}
	return changed, nil
}

// onTopicFingerprint names the sources feeds.yaml marks wholly on-topic, as
// a suffix of the rules fingerprint: marking one files its items in the
// curated river, which a retag does like a rules change.
func onTopicFingerprint(sources []item.Source) string {
	var names []string
	for _, s := range sources {
		if s.OnTopic {
			names = append(names, s.Name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	slices.Sort(names)
	sum := sha256.Sum256([]byte(strings.Join(names, "\x00")))
	return "+on-topic:" + hex.EncodeToString(sum[:6])
}
