package poll

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Interval policy. Every function here is pure (the random draw is passed
// in), so the table tests pin the policy down exactly.

// maxSlowdown bounds how far observed quiet can stretch a source's interval
// beyond the configured one: at the default 15 min, a feed that has not
// changed for a long time is still polled every 2 h, so its next post is at
// most 2 h late. The upstream's own hints (max-age, ttl, sy:updatePeriod)
// may stretch further; they are the server's wish, not our guess.
const maxSlowdown = 8

// hints is what an upstream said about how often to come back.
type hints struct {
	// CacheFor is the freshness lifetime from Cache-Control max-age or,
	// failing that, Expires minus Date (RFC 9111 section 4.2.1).
	CacheFor time.Duration
	// TTL is RSS <ttl>; UpdatePeriod is sy:updatePeriod/updateFrequency.
	TTL, UpdatePeriod time.Duration
}

// limits are the bounds of every adapted interval ([5m, 24h] by default;
// tests lower them to run in seconds).
type limits struct {
	min, max time.Duration
}

func (l limits) clamp(d time.Duration) time.Duration {
	return min(max(d, l.min), l.max)
}

// cacheLifetime reads the response's freshness lifetime. max-age wins over
// Expires (RFC 9111 section 5.3); s-maxage is for shared caches, which a
// feed poller is not. no-store and no-cache give no hint: they say
// "revalidate", not "poll often", and we revalidate anyway.
func cacheLifetime(h http.Header, now time.Time) time.Duration {
	if h == nil {
		return 0
	}
	cc := strings.ToLower(strings.Join(h.Values("Cache-Control"), ","))
	for _, dir := range strings.Split(cc, ",") {
		name, val, _ := strings.Cut(strings.TrimSpace(dir), "=")
		switch strings.TrimSpace(name) {
		case "no-store", "no-cache":
			return 0
		case "max-age":
			secs, err := strconv.ParseInt(strings.Trim(strings.TrimSpace(val), `"`), 10, 64)
			if err != nil || secs <= 0 {
				return 0
			}
			// More than a year is as good as forever; the caller clamps
			// to the interval limits anyway.
			return time.Duration(min(secs, 366*24*3600)) * time.Second
		}
	}
	exp := h.Get("Expires")
	if exp == "" {
		return 0
	}
	// An invalid Expires (often "0" or "-1") means already expired.
	t, err := http.ParseTime(exp)
	if err != nil {
		return 0
	}
	// Measure against the server's own Date when it sent one, so a skewed
	// server clock does not skew the lifetime.
	base := now
	if d, err := http.ParseTime(h.Get("Date")); err == nil {
		base = d
	}
	return max(t.Sub(base), 0)
}

// adaptInterval decides a source's interval after a successful poll.
//
// base is the configured interval, prev the adapted interval stored after the
// previous poll (0 if none), changed whether this poll brought new or updated
// items. The floor is the configured interval stretched to the upstream's
// hints: we never poll faster than either asks. Between the floor and
// maxSlowdown times the configured interval the interval moves by observed
// change: a quarter longer per unchanged poll, half as long after a change
// (an unchanged poll never shortens it, a changed one never takes it below
// the floor).
// That additive-increase, multiplicative-decrease shape settles near the
// feed's real change period, and a feed that wakes up is back at its
// configured pace in a few polls.
func adaptInterval(base, prev time.Duration, h hints, changed bool, lim limits) time.Duration {
	floor := lim.clamp(max(base, h.CacheFor, h.TTL, h.UpdatePeriod))
	ceil := lim.clamp(max(floor, base*maxSlowdown))
	switch {
	case prev <= 0:
		return floor
	case changed:
		return min(max(prev/2, floor), lim.max)
	}
	// Unchanged never shortens: a 304 carries no feed, so no <ttl> or
	// sy:updatePeriod, and an interval they stretched past the ceiling
	// must survive it. The next change brings the hints back.
	return min(max(prev, min(prev+prev/4, ceil), floor), lim.max)
}

// jitter spreads d by ±10% so that sources polled together drift apart;
// frac is a uniform draw from [0, 1).
func jitter(d time.Duration, frac float64) time.Duration {
	if d <= 0 {
		return d
	}
	spread := float64(d) / 5
	return d - time.Duration(spread/2) + time.Duration(spread*frac)
}

// backoff is the delay after the failures-th consecutive failure: the
// source's interval doubled per further failure, capped at limit (or at the
// interval itself when that is longer: a failing source is never polled more
// often than a healthy one), with up to 20% taken off at random so sources
// that failed together (one host down) do not retry together. Taking off,
// not adding, keeps the result within the cap.
func backoff(interval time.Duration, failures int, limit time.Duration, frac float64) time.Duration {
	limit = max(limit, interval)
	d := interval
	for i := 1; i < failures && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	return d - time.Duration(float64(d)/5*frac)
}

// retryDelay is when to come back after a 429 or 503 with Retry-After: the
// server's wish, but never sooner than the shortest interval nor later than
// the longest.
func retryDelay(retryAfter time.Duration, lim limits) time.Duration {
	return lim.clamp(retryAfter)
}
