package netrules

import (
	"fmt"
	"net/netip"
	"strings"
)

// Target is a normalised destination host: either a DNS name or an IP address, never both.
type Target struct {
	Name string     // lower case, no trailing dot; empty when IP is set
	IP   netip.Addr // unmapped (IPv4-mapped IPv6 becomes IPv4); invalid when Name is set
}

func (t Target) String() string {
	if t.IP.IsValid() {
		return t.IP.String()
	}
	return t.Name
}

// ParseTarget normalises a host as it appears in a request or a rule: case-folded, one trailing
// dot dropped, IPv6 optionally in brackets. It returns a reason (not an error) on failure so that
// callers can word the message for their context.
func ParseTarget(host string) (Target, string) {
	h := host
	if strings.HasPrefix(h, "[") {
		if !strings.HasSuffix(h, "]") {
			return Target{}, "has an unclosed \"[\""
		}
		ip, err := netip.ParseAddr(h[1 : len(h)-1])
		if err != nil || !ip.Is6() {
			return Target{}, "is not an IPv6 address inside brackets"
		}
		if ip.Zone() != "" {
			return Target{}, "has an IPv6 zone, which a proxy cannot honour"
		}
		return Target{IP: ip.Unmap()}, ""
	}
	if ip, err := netip.ParseAddr(h); err == nil {
		if ip.Zone() != "" {
			return Target{}, "has an IPv6 zone, which a proxy cannot honour"
		}
		return Target{IP: ip.Unmap()}, ""
	}
	name, reason := normaliseName(h)
	if reason != "" {
		return Target{}, reason
	}
	return Target{Name: name}, ""
}

// normaliseName checks a DNS host name (letters, digits, '-' and '_' in labels of 1-63
// characters, at most 253 in all) and returns it in lower case without a trailing dot.
// A name whose last label is numeric is refused: no top-level domain is numeric, and resolvers
// read such names as IPv4 shorthands ("2130706433", "127.1"), which would dodge the IP rules.
func normaliseName(h string) (string, string) {
	if h == "" {
		return "", "is empty"
	}
	for i := 0; i < len(h); i++ {
		if h[i] >= 0x80 {
			return "", "contains non-ASCII characters; write the name in its punycode form (\"xn--…\")"
		}
	}
	h = strings.ToLower(strings.TrimSuffix(h, "."))
	if len(h) > 253 {
		return "", "is longer than 253 characters"
	}
	labels := strings.Split(h, ".")
	for _, label := range labels {
		if reason := checkLabel(label); reason != "" {
			return "", reason
		}
	}
	if isNumeric(labels[len(labels)-1]) {
		return "", "ends in a numeric label, which is not a DNS name and not a valid IP address"
	}
	return h, ""
}

func checkLabel(label string) string {
	if label == "" {
		return "has an empty label"
	}
	if len(label) > 63 {
		return fmt.Sprintf("has a label longer than 63 characters (%q)", label)
	}
	if label[0] == '-' || label[len(label)-1] == '-' {
		return fmt.Sprintf("has a label that starts or ends with \"-\" (%q)", label)
	}
	for i := 0; i < len(label); i++ {
		c := label[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Sprintf("has the character %q, which is not allowed in a host name", c)
		}
	}
	return ""
}

func isNumeric(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			// Hexadecimal shorthands such as "0x7f" are numeric to resolvers too.
			return i == 1 && s[0] == '0' && (s[1] == 'x') && len(s) > 2 && isHex(s[2:])
		}
	}
	return true
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
