package poll

import (
	"net/http"
	"testing"
	"time"
)

const (
	minute = time.Minute
	hour   = time.Hour
)

func TestCacheLifetime(t *testing.T) {
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	date := now.Add(-10 * time.Second).Format(http.TimeFormat) // server clock 10s behind
	tests := []struct {
		name   string
		header map[string]string
		want   time.Duration
	}{
		{"none", nil, 0},
		{"max-age", map[string]string{"Cache-Control": "public, max-age=1800"}, 30 * minute},
		{"max-age quoted", map[string]string{"Cache-Control": `max-age="600"`}, 10 * minute},
		{"max-age wins over Expires", map[string]string{"Cache-Control": "max-age=60", "Expires": now.Add(hour).Format(http.TimeFormat)}, minute},
		{"s-maxage is for shared caches", map[string]string{"Cache-Control": "s-maxage=3600"}, 0},
		{"no-cache", map[string]string{"Cache-Control": "no-cache, max-age=3600"}, 0},
		{"no-store", map[string]string{"Cache-Control": "no-store"}, 0},
		{"max-age=0", map[string]string{"Cache-Control": "max-age=0"}, 0},
		{"max-age garbage", map[string]string{"Cache-Control": "max-age=soon"}, 0},
		{"max-age absurd", map[string]string{"Cache-Control": "max-age=99999999999"}, 366 * 24 * hour},
		{"Expires against Date", map[string]string{"Expires": now.Add(20 * minute).Format(http.TimeFormat), "Date": date}, 20*minute + 10*time.Second},
		{"Expires against now", map[string]string{"Expires": now.Add(20 * minute).Format(http.TimeFormat)}, 20 * minute},
		{"Expires in the past", map[string]string{"Expires": now.Add(-hour).Format(http.TimeFormat)}, 0},
		{"Expires 0", map[string]string{"Expires": "0"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var h http.Header
			if tc.header != nil {
				h = http.Header{}
				for k, v := range tc.header {
					h.Set(k, v)
				}
			}
			if got := cacheLifetime(h, now); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestAdaptInterval(t *testing.T) {
	lim := limits{5 * minute, 24 * hour}
	tests := []struct {
		name    string
		base    time.Duration
		prev    time.Duration
		h       hints
		changed bool
		want    time.Duration
	}{
		{"first poll takes the configured interval", 15 * minute, 0, hints{}, true, 15 * minute},
		{"below the minimum", time.Minute, 0, hints{}, true, 5 * minute},
		{"above the maximum", 48 * hour, 0, hints{}, true, 24 * hour},
		{"max-age stretches", 15 * minute, 0, hints{CacheFor: hour}, true, hour},
		{"max-age never shortens", 15 * minute, 0, hints{CacheFor: minute}, true, 15 * minute},
		{"rss ttl", 15 * minute, 0, hints{TTL: 90 * minute}, true, 90 * minute},
		{"sy:updatePeriod", 15 * minute, 0, hints{UpdatePeriod: 6 * hour}, true, 6 * hour},
		{"the longest hint wins", 15 * minute, 0, hints{CacheFor: hour, TTL: 2 * hour, UpdatePeriod: 30 * minute}, true, 2 * hour},
		{"hint beyond the maximum", 15 * minute, 0, hints{UpdatePeriod: 7 * 24 * hour}, true, 24 * hour},
		{"unchanged slows a quarter", 15 * minute, 20 * minute, hints{}, false, 25 * minute},
		{"unchanged stops at 8x", 15 * minute, 115 * minute, hints{}, false, 2 * hour},
		{"8x is within the maximum", 4 * hour, 20 * hour, hints{}, false, 24 * hour},
		{"changed speeds up by half", 15 * minute, 80 * minute, hints{}, true, 40 * minute},
		{"changed stops at the configured interval", 15 * minute, 20 * minute, hints{}, true, 15 * minute},
		{"changed stops at the upstream's hint", 15 * minute, 3 * hour, hints{TTL: 2 * hour}, true, 2 * hour},
		{"a 304 keeps what a ttl stretched", 15 * minute, 6 * hour, hints{}, false, 6 * hour},
		{"operator shortened the interval: next change halves", 5 * minute, 2 * hour, hints{}, true, hour},
		{"an interval beyond the maximum comes down", 15 * minute, 48 * hour, hints{}, false, 24 * hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := adaptInterval(tc.base, tc.prev, tc.h, tc.changed, lim); got != tc.want {
				t.Fatalf("adaptInterval(%v, %v, %+v, changed=%v): got %v, want %v", tc.base, tc.prev, tc.h, tc.changed, got, tc.want)
			}
		})
	}
}

// A feed that changes every hour, polled from a 15-minute configuration,
// settles between the two instead of being fetched four times an hour.
func TestAdaptIntervalConverges(t *testing.T) {
	lim := limits{5 * minute, 24 * hour}
	var iv time.Duration
	var elapsed, sinceChange time.Duration
	for range 200 {
		changed := sinceChange >= hour
		if changed {
			sinceChange = 0
		}
		iv = adaptInterval(15*minute, iv, hints{}, changed, lim)
		elapsed += iv
		sinceChange += iv
	}
	if iv < 15*minute || iv > 2*hour {
		t.Fatalf("after 200 polls the interval is %v, want within [15m, 2h]", iv)
	}
	if polls := 200 * hour / elapsed; polls > 3 {
		t.Fatalf("an hourly feed is polled %d times an hour, want fewer than 4", polls)
	}
}

func TestJitter(t *testing.T) {
	tests := []struct {
		d    time.Duration
		frac float64
		want time.Duration
	}{
		{10 * minute, 0, 9 * minute},
		{10 * minute, 0.5, 10 * minute},
		{10 * minute, 0.999999, 11*minute - 120*time.Microsecond},
		{0, 0.5, 0},
	}
	for _, tc := range tests {
		if got := jitter(tc.d, tc.frac); got != tc.want {
			t.Errorf("jitter(%v, %v): got %v, want %v", tc.d, tc.frac, got, tc.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		name     string
		interval time.Duration
		failures int
		limit    time.Duration
		frac     float64
		want     time.Duration
	}{
		{"first failure waits one interval", 15 * minute, 1, 6 * hour, 0, 15 * minute},
		{"doubles", 15 * minute, 2, 6 * hour, 0, 30 * minute},
		{"doubles again", 15 * minute, 4, 6 * hour, 0, 2 * hour},
		{"capped", 15 * minute, 10, 6 * hour, 0, 6 * hour},
		{"many failures do not overflow", 15 * minute, 10000, 6 * hour, 0, 6 * hour},
		{"jitter only shortens", 15 * minute, 10, 6 * hour, 0.5, 6*hour - 36*minute},
		{"a long interval is its own cap", 12 * hour, 3, 6 * hour, 0, 12 * hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := backoff(tc.interval, tc.failures, tc.limit, tc.frac); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestRetryDelay(t *testing.T) {
	lim := limits{5 * minute, 24 * hour}
	tests := []struct{ in, want time.Duration }{
		{2 * time.Second, 5 * minute},
		{2 * hour, 2 * hour},
		{30 * 24 * hour, 24 * hour},
	}
	for _, tc := range tests {
		if got := retryDelay(tc.in, lim); got != tc.want {
			t.Errorf("retryDelay(%v): got %v, want %v", tc.in, got, tc.want)
		}
	}
}
