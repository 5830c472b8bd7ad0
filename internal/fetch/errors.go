package fetch

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Sentinels; Get wraps them with the URL and detail, so test with errors.Is.
var (
	// ErrTooLarge: the body, raw or decompressed, exceeded Config.MaxBodyBytes.
	ErrTooLarge = errors.New("response body too large")
	// ErrTooManyRedirects: more than Config.MaxRedirects hops, or a loop.
	ErrTooManyRedirects = errors.New("too many redirects")
	// ErrPrivateAddress: the dialled address is loopback, private,
	// link-local, unspecified or otherwise not a public unicast address,
	// and Config.DenyPrivateNetworks is set.
	ErrPrivateAddress = errors.New("private network address refused")
)

// StatusError is returned by Get for any status other than 2xx and 304.
type StatusError struct {
	URL  string
	Code int
	// RetryAfter is the delay the server asked for with Retry-After on a
	// 429 or 503; zero when absent, unparsable or another status.
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("fetch %s: status %d %s", e.URL, e.Code, http.StatusText(e.Code))
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return msg
}

// ParseRetryAfter parses a Retry-After value, which RFC 9110 section 10.2.3
// allows as either delay-seconds (a non-negative decimal integer) or an
// HTTP-date. A date in the past yields 0; an absurdly large delay saturates
// rather than overflowing. ok is false when v is neither form.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if isDigits(v) {
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil || secs > math.MaxInt64/int64(time.Second) {
			// Only overflow gets here (the digits were checked): the
			// server wants "never", which is as long as we can say.
			return time.Duration(math.MaxInt64), true
		}
		return time.Duration(secs) * time.Second, true
	}
	// http.ParseTime accepts the IMF-fixdate plus the obsolete RFC 850 and
	// asctime forms that RFC 9110 says recipients must still accept.
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now) // Sub saturates on overflow
	if d < 0 {
		return 0, true
	}
	return d, true
}

// isDigits rejects signs, spaces and "0x": strconv.ParseInt would accept
// "+5", which delay-seconds does not.
func isDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
