package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/store/boltstore"
)

func TestAPISources(t *testing.T) {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "kw.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	at := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	srcs := []item.Source{
		{Name: "lkml", URL: "https://lore.kernel.org/lkml/new.atom"},
		{Name: "lwn", URL: "https://lwn.net/headlines/rss", Interval: 30 * time.Minute},
		{Name: "fresh", URL: "https://example.org/feed"},
		{Name: "edited", URL: "https://example.org/new-url"},
	}
	states := []store.SourceState{
		{Name: "lkml", URL: "https://lore.kernel.org/all/new.atom", ConfigURL: srcs[0].URL, ETag: `"e"`, LastModified: "Sun, 01 Nov 2026 11:00:00 GMT",
			Interval: 20 * time.Minute, NextPoll: at.Add(20 * time.Minute), LastSuccess: at, ItemsSeen: 42, LastStatus: 200},
		{Name: "lwn", URL: srcs[1].URL, ConfigURL: srcs[1].URL, Failures: 3, LastError: "fetch https://lwn.net/headlines/rss: status 503",
			LastErrorClass: "http-5xx", LastErrorAt: at, Disabled: true, DisableReason: "gone (HTTP 410)"},
		{Name: "edited", URL: "https://example.org/old-url", ConfigURL: "https://example.org/old-url", ItemsSeen: 7},
		{Name: "removed", URL: "https://example.org/removed", ConfigURL: "https://example.org/removed"},
	}
	for _, s := range states {
		if err := st.PutSourceState(t.Context(), s); err != nil {
			t.Fatal(err)
		}
	}
	srv := New(Config{Store: st, Sources: srcs})
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/sources", nil))
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("GET /api/sources: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	var got struct {
		Sources []SourceReport `json:"sources"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := []SourceReport{
		{Name: "lkml", URL: states[0].URL, ConfigURL: srcs[0].URL, ETag: `"e"`, LastModified: states[0].LastModified,
			NextPoll: states[0].NextPoll, LastSuccess: at, ItemsSeen: 42, LastStatus: 200, Interval: "20m0s", IntervalSeconds: 1200, Polled: true},
		{Name: "lwn", URL: srcs[1].URL, ConsecutiveFailures: 3, LastErrorClass: "http-5xx", LastErrorAt: at,
			Disabled: true, DisableReason: "gone (HTTP 410)", Interval: "30m0s", IntervalSeconds: 1800, Polled: true},
		{Name: "fresh", URL: srcs[2].URL},
		// A state stored for another URL is the poller's to drop, not shown.
		{Name: "edited", URL: srcs[3].URL},
	}
	for i := range got.Sources {
		for _, tp := range []*time.Time{&got.Sources[i].NextPoll, &got.Sources[i].LastSuccess, &got.Sources[i].LastErrorAt} {
			*tp = tp.UTC()
		}
	}
	if !reflect.DeepEqual(got.Sources, want) {
		t.Fatalf("GET /api/sources:\n got %+v\nwant %+v", got.Sources, want)
	}
	// The JSON names are the ones the issue lists.
	var raw struct {
		Sources []map[string]any `json:"sources"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &raw)
	for _, key := range []string{"name", "url", "etag", "last_modified", "next_poll", "consecutive_failures", "last_success", "items_seen", "disabled", "interval"} {
		if _, ok := raw.Sources[0][key]; !ok {
			t.Errorf("no %q in %v", key, raw.Sources[0])
		}
	}
}

// /api/sources shows error classes, never the dial error's text (it would
// tell whoever can add a source what listens where), unless the operator
// asks for detail.
func TestAPISourcesErrorDetail(t *testing.T) {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "kw.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srcs := []item.Source{{Name: "probe", URL: "http://10.0.0.7:6379/"}, {Name: "old", URL: "https://example.org/feed"}}
	dial := "fetch http://10.0.0.7:6379/: dial tcp 10.0.0.7:6379: connect: connection refused"
	for _, s := range []store.SourceState{
		{Name: "probe", URL: srcs[0].URL, ConfigURL: srcs[0].URL, Failures: 1, LastError: dial, LastErrorClass: "refused"},
		// Stored before error classes existed.
		{Name: "old", URL: srcs[1].URL, ConfigURL: srcs[1].URL, Failures: 1, LastError: "fetch https://example.org/feed: EOF"},
	} {
		if err := st.PutSourceState(t.Context(), s); err != nil {
			t.Fatal(err)
		}
	}
	for _, detail := range []bool{false, true} {
		rec := httptest.NewRecorder()
		New(Config{Store: st, Sources: srcs, ErrorDetail: detail}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/sources", nil))
		var got struct {
			Sources []SourceReport `json:"sources"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if c := got.Sources[0].LastErrorClass; c != "refused" {
			t.Errorf("detail %v: class %q, want refused", detail, c)
		}
		if c := got.Sources[1].LastErrorClass; c != "error" {
			t.Errorf("detail %v: class of an old state %q, want error", detail, c)
		}
		if shown := strings.Contains(rec.Body.String(), "connection refused"); shown != detail {
			t.Errorf("detail %v: error text shown %v:\n%s", detail, shown, rec.Body)
		}
	}
}
