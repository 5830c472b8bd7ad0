package fetch

import (
	"math"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"120", 2 * time.Minute, true},
		{"0", 0, true},
		{" 30 ", 30 * time.Second, true},
		{"Tue, 03 Nov 2026 12:01:30 GMT", 90 * time.Second, true},       // IMF-fixdate
		{"Tuesday, 03-Nov-26 12:00:10 GMT", 10 * time.Second, true},     // RFC 850
		{"Tue Nov  3 12:05:00 2026", 5 * time.Minute, true},             // asctime
		{"Tue, 03 Nov 2026 11:00:00 GMT", 0, true},                      // past
		{"99999999999999999999999", time.Duration(math.MaxInt64), true}, // overflow saturates
		{"9223372037", time.Duration(math.MaxInt64), true},              // just past MaxInt64 ns
		{"", 0, false},
		{"-5", 0, false},
		{"+5", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"0x10", 0, false},
		{"Tue, 03 Nov 2026", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := ParseRetryAfter(tc.in, now)
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"120", "0", "Tue, 03 Nov 2026 12:01:30 GMT", "Tuesday, 03-Nov-26 12:00:10 GMT",
		"Tue Nov  3 12:05:00 2026", "-1", "99999999999999999999", ""} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := ParseRetryAfter(v, now)
		if d < 0 {
			t.Fatalf("ParseRetryAfter(%q) = %v, negative", v, d)
		}
		if !ok && d != 0 {
			t.Fatalf("ParseRetryAfter(%q) = %v, false; want 0 when not ok", v, d)
		}
		// Surrounding whitespace never changes the answer.
		if d2, ok2 := ParseRetryAfter(" "+v+"\t", now); d2 != d || ok2 != ok {
			t.Fatalf("padding changed %q: %v,%v vs %v,%v", v, d, ok, d2, ok2)
		}
		// Seconds round-trip.
		if ok && isDigits(strings.TrimSpace(v)) && d < time.Duration(math.MaxInt64) && d%time.Second != 0 {
			t.Fatalf("ParseRetryAfter(%q) = %v, not whole seconds", v, d)
		}
	})
}

func TestIsPrivateAddr(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"127.0.0.1", true},
		{"127.8.9.10", true},
		{"::1", true},
		{"::ffff:127.0.0.1", true},
		{"10.1.2.3", true},
		{"172.16.0.1", true},
		{"192.168.1.1", true},
		{"fd00::1", true},
		{"169.254.169.254", true}, // cloud metadata
		{"fe80::1", true},
		{"0.0.0.0", true},
		{"0.1.2.3", true},
		{"::", true},
		{"100.64.0.1", true},
		{"224.0.0.1", true},
		{"ff02::1", true},
		{"93.184.215.14", false},
		{"1.1.1.1", false},
		{"172.32.0.1", false},
		{"100.128.0.1", false},
		{"2606:4700::1111", false},
		{"::ffff:8.8.8.8", false},
	}
	for _, tc := range tests {
		t.Run(tc.addr, func(t *testing.T) {
			if got := IsPrivateAddr(netip.MustParseAddr(tc.addr)); got != tc.want {
				t.Errorf("IsPrivateAddr(%s) = %v, want %v", tc.addr, got, tc.want)
			}
			err := denyPrivateControl("tcp", netip.AddrPortFrom(netip.MustParseAddr(tc.addr), 443).String(), nil)
			if (err != nil) != tc.want {
				t.Errorf("denyPrivateControl(%s) = %v, want refusal %v", tc.addr, err, tc.want)
			}
		})
	}
}
