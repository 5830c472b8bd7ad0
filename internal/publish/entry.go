package publish

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Entry is one rendered document, ready to serve. Entries are shared by
// every request that hits the cache: never modify one.
type Entry struct {
	Body []byte
	// Gzip is Body gzip-compressed; empty means "do not offer gzip".
	Gzip []byte
	// ETag is a strong validator: a quoted hash of Body.
	ETag         string
	LastModified time.Time
	ContentType  string

	version int64
}

// NewEntry compresses body and computes its ETag. The ETag depends on the
// bytes only, so re-rendering unchanged content keeps readers' caches
// valid.
func NewEntry(body []byte, contentType string, lastModified time.Time) (*Entry, error) {
	var gz bytes.Buffer
	// A zero gzip header (no name, no mtime) keeps Gzip deterministic too.
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return nil, fmt.Errorf("gzip %s: %w", contentType, err)
	}
	if _, err := zw.Write(body); err != nil {
		return nil, fmt.Errorf("gzip %s: %w", contentType, err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("gzip %s: %w", contentType, err)
	}
	sum := sha256.Sum256(body)
	return &Entry{
		Body:         body,
		Gzip:         gz.Bytes(),
		ETag:         `"` + hex.EncodeToString(sum[:16]) + `"`,
		LastModified: lastModified.UTC().Truncate(time.Second),
		ContentType:  contentType,
	}, nil
}

// gzipETag is the validator of the gzip representation. RFC 9110 section
// 8.8.3 wants distinct strong validators for distinct content codings.
func (e *Entry) gzipETag() string {
	if len(e.ETag) < 2 || !strings.HasSuffix(e.ETag, `"`) {
		return ""
	}
	return e.ETag[:len(e.ETag)-1] + `-gzip"`
}

// ServeHTTP writes the entry for GET and HEAD, answering 304 when the
// client's copy is current (If-None-Match, else If-Modified-Since, as RFC
// 9110 section 13.2.2 orders them) and serving the pre-compressed bytes to
// clients that accept gzip.
func (e *Entry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, etag := e.Body, e.ETag
	useGzip := len(e.Gzip) > 0 && acceptsGzip(r.Header.Values("Accept-Encoding"))
	if useGzip {
		body, etag = e.Gzip, e.gzipETag()
	}
	h := w.Header()
	h.Set("Cache-Control", "public, max-age=60")
	// Vary even on identity responses: a shared cache must not hand them to
	// a gzip client, nor gzip to one that cannot decode it.
	h.Add("Vary", "Accept-Encoding")
	if etag != "" {
		h.Set("ETag", etag)
	}
	if !e.LastModified.IsZero() {
		h.Set("Last-Modified", e.LastModified.UTC().Format(http.TimeFormat))
	}
	if e.notModified(r, h) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", e.ContentType)
	if useGzip {
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(body) // the client went away; nothing to do about it.
}

// notModified evaluates the preconditions. A 304 carries the validator the
// client sent, so a cache can tell which stored response to refresh (RFC
// 9111 section 4.3.4); both codings of one body are equally current.
func (e *Entry) notModified(r *http.Request, h http.Header) bool {
	if inm := r.Header.Values("If-None-Match"); len(inm) > 0 {
		tag, ok := matchETag(strings.Join(inm, ","), e.ETag, e.gzipETag())
		if ok && tag != "" {
			h.Set("ETag", tag)
		}
		return ok
	}
	ims := r.Header.Get("If-Modified-Since")
	if ims == "" || e.LastModified.IsZero() {
		return false
	}
	t, err := http.ParseTime(ims)
	if err != nil {
		return false // RFC 9110 section 13.1.3: ignore an invalid date.
	}
	return !e.LastModified.Truncate(time.Second).After(t)
}

// matchETag applies the weak comparison If-None-Match requires (RFC 9110
// section 13.1.2) to a header value: "*" or a list of entity tags, each
// possibly W/-prefixed. It returns which of ours matched ("" for "*").
func matchETag(header string, ours ...string) (string, bool) {
	s := strings.TrimSpace(header)
	if s == "*" {
		return "", true
	}
	for s != "" {
		s = strings.TrimLeft(s, " \t,")
		if s == "" {
			break
		}
		s = strings.TrimPrefix(s, "W/")
		if s[0] != '"' {
			// Not an entity tag: skip to the next list member.
			i := strings.IndexByte(s, ',')
			if i < 0 {
				break
			}
			s = s[i+1:]
			continue
		}
		end := strings.IndexByte(s[1:], '"')
		if end < 0 {
			break
		}
		tag := s[:end+2]
		s = s[end+2:]
		// W/ was dropped above: that is the weak comparison (ours are
		// always strong).
		for _, o := range ours {
			if o != "" && o == tag {
				return o, true
			}
		}
	}
	return "", false
}

// acceptsGzip reports whether Accept-Encoding values allow gzip: listed
// (or x-gzip, or "*" when gzip is not listed) with a non-zero q.
func acceptsGzip(values []string) bool {
	star := false
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			ok := qNonZero(params)
			switch coding {
			case "gzip", "x-gzip":
				return ok
			case "*":
				star = ok
			}
		}
	}
	return star
}

func qNonZero(params string) bool {
	for _, p := range strings.Split(params, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(strings.TrimSpace(k), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return err == nil && q > 0
		}
	}
	return true
}
