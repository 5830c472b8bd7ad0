package poll

import (
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/fetch"
	"github.com/kernelwire/kernelwire/internal/fetch/fetchtest"
	"github.com/kernelwire/kernelwire/internal/item"
)

// With the fetch defaults a source on 127.0.0.1 is refused before any
// request, and its state says why by class; a source marked
// AllowPrivateNetworks is polled.
func TestPrivateRefusedByDefault(t *testing.T) {
	up := fetchtest.NewServer(t)
	up.Feed("/lan", fixture(t, fixLWN), "application/rdf+xml")
	up.Feed("/mine", fixture(t, fixLWN), "application/rdf+xml")
	refused := item.Source{Name: "lan", URL: up.URL("/lan")}
	allowed := item.Source{Name: "mine", URL: up.URL("/mine"), AllowPrivateNetworks: true}
	st := boltStore(t)
	p := New(Config{Sources: []item.Source{refused, allowed}, Fetcher: fetch.New(fetch.Config{}), Tagger: tagger(t), Store: st,
		MinInterval: time.Second})
	res := p.PollAll(t.Context(), nil)
	if res[0].Err == nil || ErrorClass(res[0].Err) != fetch.ClassPrivate {
		t.Errorf("lan: got %v (class %q), want a refusal", res[0].Err, ErrorClass(res[0].Err))
	}
	if s := state(t, st, "lan"); s.LastErrorClass != fetch.ClassPrivate {
		t.Errorf("lan state: class %q, want %q", s.LastErrorClass, fetch.ClassPrivate)
	}
	if n := up.Count("/lan"); n != 0 {
		t.Errorf("the refused source reached the upstream %d times", n)
	}
	if res[1].Err != nil || res[1].New == 0 {
		t.Errorf("mine: got %+v, want it polled", res[1])
	}
}
