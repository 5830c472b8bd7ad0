package fetch

import (
	"fmt"
	"net/netip"
	"syscall"
)

// denyPrivateControl is a net.Dialer.Control hook. It runs after name
// resolution, on the exact address about to be connected to, so neither a
// hostname that resolves to 127.0.0.1 nor DNS rebinding (a public answer at
// check time, a private one at connect time) can slip past it, and it applies
// to every redirect hop too. Checking the URL's host up front could not do
// that. See miniflux internal/reader/fetcher/request_builder.go for the same
// idea.
func denyPrivateControl(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot parse dial address %q", ErrPrivateAddress, address)
	}
	if IsPrivateAddr(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrPrivateAddress, ap.Addr())
	}
	return nil
}

// IsPrivateAddr reports whether a is anything but a public unicast address:
// what Get refuses to dial unless private networks are allowed.
func IsPrivateAddr(a netip.Addr) bool {
	// ::ffff:127.0.0.1 is loopback too; Unmap exposes the IPv4 inside.
	a = a.Unmap()
	// Ranges netip's predicates do not cover, built here rather than as
	// package variables (no package-level state): RFC 6598 carrier-grade
	// NAT, and RFC 791's "this host on this network".
	sharedAddressSpace := netip.PrefixFrom(netip.AddrFrom4([4]byte{100, 64, 0, 0}), 10)
	thisNetwork := netip.PrefixFrom(netip.AddrFrom4([4]byte{0, 0, 0, 0}), 8)
	return !a.IsValid() ||
		a.IsLoopback() ||
		a.IsPrivate() ||
		a.IsLinkLocalUnicast() ||
		a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() ||
		a.IsMulticast() ||
		a.IsUnspecified() ||
		sharedAddressSpace.Contains(a) ||
		thisNetwork.Contains(a)
}
