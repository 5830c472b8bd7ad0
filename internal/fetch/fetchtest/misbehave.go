package fetchtest

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strconv"
	"time"
)

// Status answers code with a short text body; a non-empty retryAfter is
// sent verbatim as Retry-After (seconds such as "120", or an HTTP-date).
func Status(code int, retryAfter string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		http.Error(w, http.StatusText(code), code)
	})
}

// Redirect answers code (301, 302, 303, 307, 308) with Location: to, which
// may be a path on the same server or an absolute URL.
func Redirect(code int, to string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, to, code)
	})
}

// Hang accepts the request and never answers, not even headers, until the
// client gives up or the server closes.
func Hang() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
}

// Drip sends 200 and the start of an RSS feed at once, then one byte every
// interval, forever: the body never completes, so only a whole-request
// timeout ends it.
func Drip(interval time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`<?xml version="1.0"?><rss version="2.0"><channel>`))
		rc := http.NewResponseController(w)
		if rc.Flush() != nil {
			return
		}
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-r.Context().Done():
				return
			case <-tick.C:
				if _, err := w.Write([]byte(" ")); err != nil {
					return
				}
				if rc.Flush() != nil {
					return
				}
			}
		}
	})
}

// Huge streams n bytes of XML-ish filler. With declareLength it sends
// Content-Length (so a client can refuse up front), otherwise it is chunked
// (so the client must count).
func Huge(n int64, declareLength bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		if declareLength {
			w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
		}
		w.WriteHeader(http.StatusOK)
		chunk := bytes.Repeat([]byte("<item>kernel</item>\n"), 1638) // ~32 KiB
		for n > 0 {
			c := chunk[:min(int64(len(chunk)), n)]
			if _, err := w.Write(c); err != nil {
				return // the client hung up, as it should
			}
			n -= int64(len(c))
		}
	})
}

// GzipBomb sends Content-Encoding: gzip whatever the client asked for, with
// a valid gzip body that decompresses to n zero bytes (about 800:1). The body
// is compressed once, here, at about 1 ms per MiB of n, so that serving it is
// instant and a client that stops early leaves the server no work behind;
// 64 MiB (80 KiB on the wire) is plenty against a 1 MiB cap.
func GzipBomb(n int64) http.Handler {
	var body bytes.Buffer
	// BestSpeed: zeros compress about as well as at level 9, four times faster.
	zw, _ := gzip.NewWriterLevel(&body, gzip.BestSpeed) // the level is valid
	zeros := make([]byte, 1<<20)
	for left := n; left > 0; {
		c := zeros[:min(int64(len(zeros)), left)]
		_, _ = zw.Write(c) // writes to a bytes.Buffer do not fail
		left -= int64(len(c))
	}
	_ = zw.Close()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Length", strconv.Itoa(body.Len()))
		_, _ = w.Write(body.Bytes())
	})
}

// CutOff declares a body of n bytes, sends half of it and drops the
// connection: the client reads an unexpected EOF.
func CutOff(n int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Header().Set("Content-Length", strconv.Itoa(n))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(bytes.Repeat([]byte(" "), n/2))
		_ = http.NewResponseController(w).Flush()
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	})
}

// BadGzip says Content-Encoding: gzip and sends bytes that are not gzip.
func BadGzip() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write([]byte(`<?xml version="1.0"?><rss version="2.0"></rss>`))
	})
}
