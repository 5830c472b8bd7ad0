package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/store"
)

func testSourceState(t *testing.T, open Opener) {
	e := newEnv(t, open, defaultOptions())
	if _, err := e.s.SourceState(e.ctx, "lkml"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("SourceState(lkml) before put: got %v, want ErrNotFound", err)
	}
	states, err := e.s.SourceStates(e.ctx)
	if err != nil || len(states) != 0 {
		t.Fatalf("SourceStates when empty: got %v, %v, want none", states, err)
	}

	full := store.SourceState{
		Name:          "lkml",
		URL:           "https://lore.kernel.org/lkml/new.atom",
		ETag:          `W/"abc"`,
		LastModified:  "Sun, 01 Nov 2026 11:00:00 GMT",
		Interval:      17 * time.Minute,
		NextPoll:      T0().Add(17 * time.Minute),
		Failures:      2,
		LastError:     "fetch: 503",
		LastErrorAt:   T0().Add(-time.Minute),
		LastSuccess:   T0().Add(-time.Hour),
		LastStatus:    503,
		ItemsSeen:     12345,
		Disabled:      true,
		DisableReason: "gone",
	}
	puts := []store.SourceState{
		{Name: "zeta", URL: "https://z.example/feed"},
		full,
		{Name: "alpha", URL: "https://a.example/feed", ItemsSeen: 1},
	}
	for _, st := range puts {
		if err := e.s.PutSourceState(e.ctx, st); err != nil {
			t.Fatalf("PutSourceState(%s): %v", st.Name, err)
		}
	}
	for _, want := range puts {
		got, err := e.s.SourceState(e.ctx, want.Name)
		if err != nil {
			t.Fatalf("SourceState(%s): %v", want.Name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("SourceState(%s):\n got %+v\nwant %+v", want.Name, got, want)
		}
	}

	// Put replaces: fields not set again are gone.
	replaced := store.SourceState{Name: "lkml", URL: full.URL, Failures: 0, ItemsSeen: 12346}
	if err := e.s.PutSourceState(e.ctx, replaced); err != nil {
		t.Fatal(err)
	}
	states, err = e.s.SourceStates(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.SourceState{puts[2], replaced, puts[0]}
	if !reflect.DeepEqual(states, want) {
		t.Fatalf("SourceStates:\n got %+v\nwant %+v", states, want)
	}
}
