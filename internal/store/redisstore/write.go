package redisstore

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/story"
)

// planArgs encodes the checks of snap and plan p for storysave.lua, with
// lookups expiring at exp (unix ms), for a save holding the turn token
// turn ("" for none). It notes in w what the write will leave in Redis,
// for this process to remember.
func (s *Store) planArgs(p *story.Plan, snap *snapshot, exp int64, now time.Time, turn string, w *written) ([]any, error) {
	expiry, ttl := "0", "0"
	if s.opts.SeenTTL > 0 {
		expiry = strconv.FormatInt(now.Add(s.opts.SeenTTL).UnixMilli(), 10)
		ttl = strconv.FormatInt(s.opts.SeenTTL.Milliseconds(), 10)
	}
	nChecks := len(snap.items) + len(snap.stories)
	args := make([]any, 0, 13+3*nChecks+10*len(p.Items)+3*len(p.Marks)+3*len(p.Links)+3*len(p.IndexRemove)+
		4*len(p.IndexAdd)+4*len(p.Stories)+2*len(p.DeleteStories)+2*len(p.ClearSummary)+3*len(p.SetSummary))
	w.items = make([]keyed[snapItem], 0, len(p.Items))
	w.marks = make([]keyed[string], 0, len(p.Marks))
	args = append(args, s.base, ttl, strconv.FormatInt(story.LookupTTL(s.opts.StoryWindow).Milliseconds(), 10),
		strconv.Itoa(max(s.opts.MaxItems, 0)), s.cutoff(now), boolArg(p.Changed), strconv.Itoa(nChecks), snap.version,
		snap.cursor, boolArg(snap.speculative), turn)
	for k, v := range snap.items {
		args = append(args, "i", k, v.token)
	}
	for id, v := range snap.stories {
		args = append(args, "s", id, v.version)
	}
	// The lookup stream entry comes before the ops; RecordLookups fills
	// it in.
	args = append(args, snap.packFields(), "")
	ops := &scriptOps{s: s, expiry: expiry, exp: exp, args: args, entry: len(args) - 1, w: w}
	if err := p.Apply(ops); err != nil {
		return nil, err
	}
	return ops.args, nil
}

// scriptOps is a story.Writer that writes a plan as storysave.lua's ops
// (see the script for their encoding).
type scriptOps struct {
	s      *Store
	expiry string // of the seen marks, unix ms ("0": never)
	exp    int64  // of the lookups, unix ms
	args   []any
	entry  int // position of the lookup stream entry in args
	w      *written
}

func (o *scriptOps) PutItem(si story.Stored) error {
	it := &si.Item
	data, err := json.Marshal(it)
	if err != nil {
		return fmt.Errorf("encode item %s: %w", it.Key, err)
	}
	rec, err := story.EncodeRecord(*it)
	if err != nil {
		return err
	}
	topics, err := json.Marshal(append([]string{}, it.Topics...))
	if err != nil {
		return fmt.Errorf("encode topics of %s: %w", it.Key, err)
	}
	// Remembered as its record, as a read would return it (see snapItem),
	// and the record noted as decoded already.
	v := snapItem{data: recordPrefix + string(rec), published: formatTime(it.Published), firstSeen: formatTime(it.FirstSeen),
		source: it.Source, story: si.Story, score: score(it.Published)}
	o.s.records.Wrote(*it, rec)
	o.w.items = append(o.w.items, keyed[snapItem]{it.Key, v})
	o.args = append(o.args, "I", it.Key, data, rec, v.published, v.firstSeen, v.source, v.score, topics, v.story)
	return nil
}

func (o *scriptOps) PutMark(key, hash string) error {
	mark := o.expiry + ":" + hash
	o.w.marks = append(o.w.marks, keyed[string]{key, mark})
	o.args = append(o.args, "M", key, mark)
	return nil
}

func (o *scriptOps) Link(key, id string) error {
	o.w.links = append(o.w.links, keyed[string]{key, id})
	o.args = append(o.args, "K", key, id)
	return nil
}

func (o *scriptOps) RemoveEntry(e story.IndexEntry) error {
	o.args = append(o.args, "Z-", o.s.indexOf(e), e.Key)
	return nil
}

func (o *scriptOps) AddEntry(e story.IndexEntry) error {
	o.args = append(o.args, "Z+", o.s.indexOf(e), score(e.Published), e.Key)
	return nil
}

func (o *scriptOps) PutStory(st story.Story) error {
	data, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encode story %s: %w", st.ID, err)
	}
	v := snapStory{version: strconv.FormatInt(st.Version, 10), data: string(data)}
	o.w.stories = append(o.w.stories, keyed[snapStory]{st.ID, v})
	o.args = append(o.args, "S", st.ID, v.version, v.data)
	return nil
}

func (o *scriptOps) DeleteStory(id string) error {
	o.w.deleted = append(o.w.deleted, id)
	o.args = append(o.args, "SD", id)
	return nil
}

func (o *scriptOps) ClearSummary(key string) error {
	o.args = append(o.args, "RC", key)
	return nil
}

func (o *scriptOps) SetSummary(key string, sum story.Summary) error {
	data, err := json.Marshal(sum)
	if err != nil {
		return fmt.Errorf("encode summary of %s: %w", key, err)
	}
	o.args = append(o.args, "RS", key, data)
	return nil
}

func (o *scriptOps) RecordLookups(ls []story.Lookup) error {
	o.args[o.entry] = story.EncodeLookups(ls, o.exp)
	return nil
}

func (s *Store) indexOf(e story.IndexEntry) string {
	switch e.Kind {
	case story.IndexSource:
		return s.sourceIndex(e.Name)
	case story.IndexTopic:
		return s.topicIndex(e.Name)
	}
	return s.topicIndex(store.AllTopic)
}
