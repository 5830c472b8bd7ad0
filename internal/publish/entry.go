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
	// hdr are the response header values, made once: a cached feed is
	// served many times a second, and formatting them per request was a
	// share of what serving it cost.
	hdr entryHeaders
}

// entryHeaders are an Entry's header values as net/http holds them. Each
// slice is full (len == cap), so a handler that adds a value to one
// copies it rather than writing into the entry's.
type entryHeaders struct {
	etag, gzipETag, lastModified, contentType, length, gzipLength []string
	cacheControl, vary, gzip                                      []string
}

func one(v string) []string { return []string{v} }

func (e *Entry) headers() entryHeaders {
	hdr := entryHeaders{
		contentType: one(e.ContentType), length: one(strconv.Itoa(len(e.Body))),
		gzipLength: one(strconv.Itoa(len(e.Gzip))), cacheControl: one("public, max-age=60"),
		vary: one("Accept-Encoding"), gzip: one("gzip"),
	}
	if e.ETag != "" {
		hdr.etag = one(e.ETag)
	}
	if t := e.gzipETag(); t != "" {
		hdr.gzipETag = one(t)
	}
	if !e.LastModified.IsZero() {
		hdr.lastModified = one(e.LastModified.UTC().Format(http.TimeFormat))
	}
	return hdr
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
	e := &Entry{
		Body:         body,
		Gzip:         gz.Bytes(),
		ETag:         `"` + hex.EncodeToString(sum[:16]) + `"`,
		LastModified: lastModified.UTC().Truncate(time.Second),
		ContentType:  contentType,
	}
	e.hdr = e.headers()
	return e, nil
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
// clients that accept gzip. It allocates nothing for the body or the
// header values: both are the entry's.
func (e *Entry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	hdr := &e.hdr
	if hdr.vary == nil {
		// An Entry made by hand rather than by NewEntry.
		made := e.headers()
		hdr = &made
	}
	body, etag, length := e.Body, hdr.etag, hdr.length
	useGzip := len(e.Gzip) > 0 && acceptsGzip(r.Header["Accept-Encoding"])
	if useGzip {
		body, etag, length = e.Gzip, hdr.gzipETag, hdr.gzipLength
	}
	// The keys are in canonical form (textproto.CanonicalMIMEHeaderKey),
	// so the map is written directly.
	h := w.Header()
	h["Cache-Control"] = hdr.cacheControl
	// Vary even on identity responses: a shared cache must not hand them to
	// a gzip client, nor gzip to one that cannot decode it.
	if v := h["Vary"]; v != nil {
		h["Vary"] = append(v, hdr.vary[0])
	} else {
		h["Vary"] = hdr.vary
	}
	if etag != nil {
		h["Etag"] = etag
	}
	if hdr.lastModified != nil {
		h["Last-Modified"] = hdr.lastModified
	}
	if e.notModified(r, h) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h["Content-Type"] = hdr.contentType
	if useGzip {
		h["Content-Encoding"] = hdr.gzip
	}
	h["Content-Length"] = length
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
	if inm := r.Header["If-None-Match"]; len(inm) > 0 {
		tag, ok := matchETag(strings.Join(inm, ","), e.ETag, e.gzipETag())
		if ok && tag != "" {
			h.Set("ETag", tag)
		}
		return ok
	}
	var ims string
	if v := r.Header["If-Modified-Since"]; len(v) > 0 {
		ims = v[0]
	}
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
// (or x-gzip, or "*" when gzip is not listed) with a non-zero q. It runs
// on every request, so it walks the values without splitting them.
func acceptsGzip(values []string) bool {
	star := false
	for _, v := range values {
		for v != "" {
			part, rest, _ := strings.Cut(v, ",")
			v = rest
			coding, params, _ := strings.Cut(part, ";")
			coding = strings.TrimSpace(coding)
			switch {
			case strings.EqualFold(coding, "gzip"), strings.EqualFold(coding, "x-gzip"):
				return qNonZero(params)
			case coding == "*":
				star = qNonZero(params)
			}
		}
	}
	return star
}

func qNonZero(params string) bool {
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(strings.TrimSpace(k), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return err == nil && q > 0
		}
	}
	return true
}
