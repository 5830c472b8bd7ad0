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
	}{
		{"status 5xx", up.URL("/timeout/status-500"), true, ClassHTTP5xx},
		{"status 4xx", up.URL("/refused/404"), true, ClassHTTP4xx},
		{"status 418", up.URL("/tls/418"), true, ClassHTTP4xx},
		{"status 300", up.URL("/304-ish"), true, ClassHTTPOther},
		{"header timeout", up.URL("/hang"), true, ClassTimeout},
		{"tls handshake timeout", "https://" + silent.Addr().String() + "/feed", true, ClassTimeout},
		{"too large", up.URL("/huge"), true, ClassTooLarge},
		{"redirect loop", up.URL("/loop"), true, ClassRedirects},
		{"cut off", up.URL("/cut"), true, ClassReset},
		{"bad gzip", up.URL("/bad-gzip"), true, ClassEncoding},
		{"refused", dead, true, ClassRefused},
		{"untrusted certificate", tlsUp.URL + "/feed", true, ClassTLS},
		{"dns", "http://kernelwire-classify.invalid/feed", true, ClassDNS},
		{"private", up.URL("/timeout/status-500"), false, ClassPrivate},
	}
	c := New(Config{MaxBodyBytes: 1 << 20, HeaderTimeout: 300 * time.Millisecond, ConnectTimeout: 300 * time.Millisecond, Timeout: 2 * time.Second})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
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
