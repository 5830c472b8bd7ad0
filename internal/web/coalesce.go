package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
)

// net/http writes a response's header into the connection's 4 KiB
// buffer and then, for a body larger than what is left of it, flushes
// the buffer (the header and the body's first bytes) and writes the rest
// of the body in a second write(2). For a cached feed of tens of KiB that
// is two syscalls, two TCP pushes and two wake-ups of the reader, where
// nginx sends one. A feed is served from bytes already in memory, so
// the two writes can be held for the length of the serving handler and
// sent as one writev(2): Listener wraps every connection so it can,
// ConnContext tells the handlers which connection a request came on, and
// serveCached holds the writes while a cached document is written.
// Connections from another listener (httptest's, a TLS one) are served
// as before, write by write.

// Listener wraps ln so that its connections can send a cached
// document's header and body in one write. Serve it with an http.Server
// whose ConnContext is ConnContext.
func Listener(ln net.Listener) net.Listener { return coalescingListener{ln} }

// ConnContext is the http.Server ConnContext that lets the handlers find
// the connections of Listener.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	if cc, ok := c.(*coalescingConn); ok {
		return context.WithValue(ctx, connKey{}, cc)
	}
	return ctx
}

type connKey struct{}

type coalescingListener struct{ net.Listener }

func (l coalescingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &coalescingConn{Conn: c}, nil
}

// maxHeld bounds what a holding connection copies: net/http's flushes
// are of its 4 KiB buffer; a larger first write gains nothing from being
// held and is sent at once.
const maxHeld = 16 << 10

// coalescingConn is a connection that, while holding, keeps a write back
// and sends it together with the next one in a single writev. net/http
// writes a connection from one goroutine at a time, but net.Conn
// promises more, hence the lock.
type coalescingConn struct {
	net.Conn

	mu      sync.Mutex
	holding bool
	held    []byte
	vec     [2][]byte
	bufs    net.Buffers // over vec: a field, so WriteTo does not allocate it
	// err is the failure of sending what was held, which a Write that
	// had reported success could not return: the next Write returns it.
	err error
}

// heldConn is the coalescingConn r came on, or nil.
func heldConn(r *http.Request) *coalescingConn {
	cc, _ := r.Context().Value(connKey{}).(*coalescingConn)
	return cc
}

// hold makes the writes until release go out in as few syscalls as they
// can. It may be called on nil.
func (c *coalescingConn) hold() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.holding = true
	c.mu.Unlock()
}

// release ends hold, sending what is still held.
func (c *coalescingConn) release() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.holding = false
	if len(c.held) > 0 && c.err == nil {
		_, c.err = c.Conn.Write(c.held)
	}
	c.held = c.held[:0]
}

func (c *coalescingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return 0, c.err
	}
	if len(c.held) == 0 {
		if !c.holding || len(p) > maxHeld {
			return c.Conn.Write(p)
		}
		// p is net/http's buffer, reused once Write returns: copied.
		c.held = append(c.held, p...)
		return len(p), nil
	}
	held := len(c.held)
	c.vec = [2][]byte{c.held, p}
	c.bufs = c.vec[:]
	n, err := c.bufs.WriteTo(c.Conn)
	c.vec = [2][]byte{} // p is the caller's: not kept
	c.held = c.held[:0]
	// What was held was reported written already.
	n -= int64(held)
	if err != nil {
		c.err = err
	}
	return max(int(n), 0), err
}

// CloseWrite and ReadFrom keep what net/http finds on a *net.TCPConn:
// a half-close before closing a connection whose client may still be
// sending (so the response is not lost to a reset), and sendfile.

// CloseWrite shuts the sending side down, when the connection can.
func (c *coalescingConn) CloseWrite() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return fmt.Errorf("close write of %T: %w", c.Conn, errors.ErrUnsupported)
}

// ReadFrom sends what is held, then r the way the connection would.
func (c *coalescingConn) ReadFrom(r io.Reader) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return 0, c.err
	}
	if len(c.held) > 0 {
		_, c.err = c.Conn.Write(c.held)
		c.held = c.held[:0]
		if c.err != nil {
			return 0, c.err
		}
	}
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(c.Conn, r)
}
