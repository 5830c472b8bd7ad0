package fetch

import (
	"compress/flate"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
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
	// and neither Config nor Request allows private networks.
	ErrPrivateAddress = errors.New("private network address refused")
	// errEncoding: a Content-Encoding we never asked for.
	errEncoding = errors.New("unsupported content-encoding")
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

// Error classes, as Classify names them. They say what kind of failure a
// poll met without its text: a dial error names the address and port tried
// and whether something answered there, which on a public status page would
// make every source URL a port probe.
const (
	ClassTimeout     = "timeout"         // connect, TLS handshake, headers or body too slow
	ClassRefused     = "refused"         // nothing listens on the port
	ClassReset       = "reset"           // the connection was closed or reset mid-exchange
	ClassUnreachable = "unreachable"     // no route to the network or host
	ClassDNS         = "dns"             // the name did not resolve
	ClassTLS         = "tls"             // certificate or handshake problem
	ClassPrivate     = "private-address" // refused: not a public address
	ClassTooLarge    = "too-large"       // body over the cap
	ClassRedirects   = "redirects"       // too many, or a loop
	ClassEncoding    = "bad-encoding"    // a body we cannot decode (bad gzip, unknown coding)
	ClassHTTP4xx     = "http-4xx"
	ClassHTTP5xx     = "http-5xx"
	ClassHTTPOther   = "http-other" // another status that is neither 2xx nor 304
	ClassCanceled    = "canceled"   // our side stopped (shutdown)
	ClassOther       = "error"
)

// Classify names the class of an error Get returned. It looks at the error
// chain only (never the message, which holds the URL), so a class cannot be
// fooled by a URL with "timeout" in it.
func Classify(err error) string {
	var (
		se  *StatusError
		dns *net.DNSError
		ne  net.Error
		cve *tls.CertificateVerificationError
		rhe tls.RecordHeaderError
		ae  tls.AlertError
		uae x509.UnknownAuthorityError
		cie x509.CertificateInvalidError
		hne x509.HostnameError
	)
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrPrivateAddress):
		return ClassPrivate
	case errors.As(err, &se):
		switch {
		case se.Code >= 400 && se.Code < 500:
			return ClassHTTP4xx
		case se.Code >= 500 && se.Code < 600:
			return ClassHTTP5xx
		}
		return ClassHTTPOther
	case errors.Is(err, ErrTooLarge):
		return ClassTooLarge
	case errors.Is(err, ErrTooManyRedirects):
		return ClassRedirects
	case errors.Is(err, context.Canceled):
		return ClassCanceled
	case errors.As(err, &dns):
		return ClassDNS
	case errors.As(err, &cve), errors.As(err, &rhe), errors.As(err, &ae),
		errors.As(err, &uae), errors.As(err, &cie), errors.As(err, &hne):
		return ClassTLS
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &ne) && ne.Timeout():
		return ClassTimeout
	case errors.Is(err, syscall.ECONNREFUSED):
		return ClassRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNABORTED),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return ClassReset
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.EHOSTDOWN),
		errors.Is(err, syscall.ENETDOWN), errors.Is(err, syscall.EADDRNOTAVAIL):
		return ClassUnreachable
	case errors.Is(err, errEncoding), errors.Is(err, gzip.ErrHeader), errors.Is(err, gzip.ErrChecksum):
		return ClassEncoding
	}
	var fe flate.CorruptInputError
	if errors.As(err, &fe) {
		return ClassEncoding
	}
	return ClassOther
}
