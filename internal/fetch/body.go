package fetch

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// readBody reads resp's body, decompressing gzip ourselves so that the cap
// applies to what we actually hold in memory. Both the raw (on-the-wire) and
// the decompressed stream are capped at limit: a gzip bomb compresses ~1000:1,
// so capping only the raw bytes would let 10 MiB become 10 GiB, and capping
// only the output would let a server stream forever into a decompressor that
// yields nothing (e.g. endless empty gzip members).
func readBody(resp *http.Response, limit int64) ([]byte, error) {
	encoding := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding")))
	if resp.ContentLength > limit {
		// Declared too big: refuse without reading a byte.
		return nil, fmt.Errorf("content-length %d exceeds %d bytes: %w", resp.ContentLength, limit, ErrTooLarge)
	}
	raw := &cappedReader{r: resp.Body, left: limit}
	var r io.Reader = raw
	switch encoding {
	case "", "identity":
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(raw)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		defer zr.Close()
		r = zr
	default:
		// We only ever advertise gzip; anything else is a server bug we
		// cannot decode, and passing it on would hand parse garbage.
		return nil, fmt.Errorf("%w %q", errEncoding, encoding)
	}
	// Read one byte past the limit to tell "exactly limit" from "more".
	body, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		if errors.Is(err, ErrTooLarge) {
			return nil, fmt.Errorf("body exceeds %d bytes as sent: %w", limit, err)
		}
		return nil, fmt.Errorf("read body: %w", err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("body exceeds %d bytes decompressed: %w", limit, ErrTooLarge)
	}
	return body, nil
}

// cappedReader fails with ErrTooLarge once more than left bytes were asked
// for, instead of io.LimitReader's silent EOF, which gzip would report as a
// truncated stream and hide the real cause.
type cappedReader struct {
	r    io.Reader
	left int64
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// Probe for one more byte: only data beyond the cap is an error.
		var one [1]byte
		n, err := c.r.Read(one[:])
		if n > 0 {
			return 0, ErrTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}
