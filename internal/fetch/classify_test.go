package fetch

import (
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/fetch/fetchtest"
)

// Every class from a real failure of Get, and none of them read off the
// message: the paths say "timeout" and "refused" to prove it.
func TestClassify(t *testing.T) {
	up := fetchtest.NewServer(t)
	up.Handle("/timeout/status-500", fetchtest.Status(500, ""))
	up.Handle("/refused/404", fetchtest.Status(404, ""))
	up.Handle("/tls/418", fetchtest.Status(418, ""))
	up.Handle("/hang", fetchtest.Hang())
	up.Handle("/huge", fetchtest.Huge(2<<20, false))
	up.Handle("/loop", fetchtest.Redirect(http.StatusFound, "/loop"))
	up.Handle("/cut", fetchtest.CutOff(64<<10))
	up.Handle("/bad-gzip", fetchtest.BadGzip())
	up.Handle("/304-ish", fetchtest.Status(http.StatusMultipleChoices, ""))
	closed := fetchtest.NewServer(t)
	dead := closed.URL("/feed")
	closed.Close()
	tlsUp := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsUp.Config.ErrorLog = log.New(io.Discard, "", 0)
	tlsUp.StartTLS()
	t.Cleanup(tlsUp.Close)
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = silent.Close() })
	go func() {
		var conns []net.Conn
		for {
			c, err := silent.Accept()
			if err != nil {
				for _, c := range conns {
					_ = c.Close()
				}
				return
			}
			conns = append(conns, c)
		}
	}()

	tests := []struct {
		name, url string
		allow     bool
		want      string
		quick     bool // the case is a timeout: use the impatient client
	}{
		{"status 5xx", up.URL("/timeout/status-500"), true, ClassHTTP5xx, false},
		{"status 4xx", up.URL("/refused/404"), true, ClassHTTP4xx, false},
		{"status 418", up.URL("/tls/418"), true, ClassHTTP4xx, false},
		{"status 300", up.URL("/304-ish"), true, ClassHTTPOther, false},
		{"header timeout", up.URL("/hang"), true, ClassTimeout, true},
		{"tls handshake timeout", "https://" + silent.Addr().String() + "/feed", true, ClassTimeout, true},
		{"too large", up.URL("/huge"), true, ClassTooLarge, false},
		{"redirect loop", up.URL("/loop"), true, ClassRedirects, false},
		{"cut off", up.URL("/cut"), true, ClassReset, false},
		{"bad gzip", up.URL("/bad-gzip"), true, ClassEncoding, false},
		{"refused", dead, true, ClassRefused, false},
		{"untrusted certificate", tlsUp.URL + "/feed", true, ClassTLS, false},
		{"dns", "http://kernelwire-classify.invalid/feed", true, ClassDNS, false},
		{"private", up.URL("/timeout/status-500"), false, ClassPrivate, false},
	}
	// Timeouts generous enough for a loaded machine, but for the cases
	// that are about timing out.
	patient := New(Config{MaxBodyBytes: 1 << 20})
	quick := New(Config{HeaderTimeout: 300 * time.Millisecond, ConnectTimeout: 300 * time.Millisecond})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := patient
			if tc.quick {
				c = quick
			}
			_, err := c.Get(t.Context(), Request{URL: tc.url, AllowPrivateNetworks: tc.allow})
			if err == nil {
				t.Fatal("Get succeeded, want an error")
			}
			if got := Classify(err); got != tc.want {
				t.Errorf("Classify(%v) = %q, want %q", err, got, tc.want)
			}
		})
	}
	if got := Classify(nil); got != "" {
		t.Errorf("Classify(nil) = %q, want empty", got)
	}
	if got := Classify(io.ErrClosedPipe); got != ClassOther || strings.Contains(got, " ") {
		t.Errorf("Classify(other) = %q, want %q", got, ClassOther)
	}
}
