package netproxy

import "net/netip"

// specialRange is an address block a sandboxed command must not reach by default: the host
// itself, the local network, cloud metadata services, and blocks that are not real unicast
// destinations.
type specialRange struct {
	prefix netip.Prefix
	what   string
}

// specialRanges are the destinations an SSRF goes for: loopback, private, link-local (cloud
// metadata), shared and reserved space that a host can only mean internally. The documentation
// ranges (192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32) are deliberately absent: they
// reach nothing internal by themselves, and some networks resolve package mirrors into them.
var specialRanges = func() []specialRange {
	table := []struct{ cidr, what string }{
		{"0.0.0.0/8", "\"this network\""},
		{"10.0.0.0/8", "private"},
		{"100.64.0.0/10", "carrier-grade NAT"},
		{"127.0.0.0/8", "loopback"},
		{"169.254.0.0/16", "link-local (cloud metadata)"},
		{"172.16.0.0/12", "private"},
		{"192.0.0.0/24", "IETF protocol assignment"},
		{"192.88.99.0/24", "6to4 relay anycast"},
		{"192.168.0.0/16", "private"},
		{"198.18.0.0/15", "benchmarking"},
		{"224.0.0.0/4", "multicast"},
		{"240.0.0.0/4", "reserved or broadcast"},
		{"::/128", "unspecified"},
		{"::1/128", "loopback"},
		{"::/96", "IPv4-compatible (deprecated)"},
		{"64:ff9b:1::/48", "local-use NAT64"},
		{"100::/64", "discard-only"},
		{"fc00::/7", "unique local (private, cloud metadata)"},
		{"fe80::/10", "link-local"},
		{"fec0::/10", "site-local (deprecated)"},
		{"ff00::/8", "multicast"},
	}
	out := make([]specialRange, len(table))
	for i, e := range table {
		out[i] = specialRange{netip.MustParsePrefix(e.cidr), e.what}
	}
	return out
}()

var (
	nat64Prefix = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour   = netip.MustParsePrefix("2002::/16")
)

// specialKind says why addr is not an ordinary public destination ("" when it is one).
// IPv4 embedded in IPv6 (mapped, NAT64 well-known prefix, 6to4) is judged by its IPv4 part,
// since that is where the packets end up.
func specialKind(addr netip.Addr) string {
	addr = addr.Unmap().WithZone("")
	if nat64Prefix.Contains(addr) {
		b := addr.As16()
		addr = netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
	} else if sixToFour.Contains(addr) {
		b := addr.As16()
		addr = netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]})
	}
	for _, r := range specialRanges {
		if r.prefix.Contains(addr) {
			return r.what
		}
	}
	return ""
}
