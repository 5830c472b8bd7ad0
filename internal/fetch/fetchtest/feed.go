package fetchtest

import (
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Feed is a fixture served with an ETag (a hash of the body) and a
// Last-Modified, answering 304 to matching conditional requests the way
// RFC 9110 section 13.2.2 orders it: If-None-Match decides when present,
// If-Modified-Since only otherwise.
type Feed struct {
	mu          sync.Mutex
	body        []byte
	contentType string
	etag        string
	modified    time.Time
	gzip        bool
	noETag      bool
	noModified  bool
	bare304     bool
}

func newFeed(body []byte, contentType string) *Feed {
	f := &Feed{contentType: contentType}
	f.setBody(body, time.Now())
	return f
}

// Update replaces the body: the ETag changes, and Last-Modified moves
// forward at least one second (its resolution), so both validators see it.
func (f *Feed) Update(body []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.setBody(body, f.modified.Add(time.Second))
}

func (f *Feed) setBody(body []byte, notBefore time.Time) {
	sum := sha256.Sum256(body)
	f.body = append([]byte(nil), body...)
	f.etag = `"` + hex.EncodeToString(sum[:8]) + `"`
	f.modified = time.Now().UTC().Truncate(time.Second)
	if f.modified.Before(notBefore) {
		f.modified = notBefore.UTC().Truncate(time.Second)
	}
}

// SetGzip makes the feed gzip its body for clients that send
// Accept-Encoding: gzip.
func (f *Feed) SetGzip(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gzip = on
}

// SetValidators chooses which validators the feed sends and honours; many
// real hosts send only one of them, or neither.
func (f *Feed) SetValidators(etag, lastModified bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.noETag, f.noModified = !etag, !lastModified
}

// SetBare304 makes 304 answers carry no ETag or Last-Modified, as some
// servers do, so clients must keep the validators they sent.
func (f *Feed) SetBare304(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bare304 = on
}

// ETag returns the current ETag, quoted as sent.
func (f *Feed) ETag() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.etag
}

// LastModified returns the current Last-Modified as sent (HTTP-date).
func (f *Feed) LastModified() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.modified.Format(http.TimeFormat)
}

func (f *Feed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	body, ct, etag, modified := f.body, f.contentType, f.etag, f.modified
	useGzip, noETag, noModified, bare304 := f.gzip, f.noETag, f.noModified, f.bare304
	f.mu.Unlock()

	if noETag {
		etag = ""
	}
	if noModified {
		modified = time.Time{}
	}
	if notModified(r, etag, modified) {
		if !bare304 {
			setValidators(w.Header(), etag, modified)
		}
		w.WriteHeader(http.StatusNotModified)
		return
	}

	h := w.Header()
	setValidators(h, etag, modified)
	h.Set("Content-Type", ct)
	h.Set("Vary", "Accept-Encoding")
	if useGzip && acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		_, _ = zw.Write(body)
		_ = zw.Close()
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}

func setValidators(h http.Header, etag string, modified time.Time) {
	if etag != "" {
		h.Set("ETag", etag)
	}
	if !modified.IsZero() {
		h.Set("Last-Modified", modified.Format(http.TimeFormat))
	}
}

// notModified applies RFC 9110 section 13.2.2 steps 3 and 4 for GET.
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		if etag == "" {
			return false
		}
		for _, tag := range strings.Split(inm, ",") {
			tag = strings.TrimSpace(tag)
			// Weak comparison (section 8.8.3.2) is what GET uses.
			if tag == "*" || strings.TrimPrefix(tag, "W/") == strings.TrimPrefix(etag, "W/") {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" && !modified.IsZero() {
		t, err := http.ParseTime(ims)
		return err == nil && !modified.After(t)
	}
	return false
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") && strings.ReplaceAll(params, " ", "") != "q=0" {
			return true
		}
	}
	return false
}
