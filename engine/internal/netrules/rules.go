package netrules

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Verdict is what the rules say about a destination.
type Verdict int

const (
	// Unknown: no rule matches; the proxy asks Options.Ask, or refuses when there is none.
	Unknown Verdict = iota
	// Allow: an allow rule matches and no deny rule does.
	Allow
	// Deny: a deny rule matches (deny wins over allow).
	Deny
)

func (v Verdict) String() string {
	switch v {
	case Allow:
		return "allow"
	case Deny:
		return "deny"
	}
	return "unknown"
}

// Decision is the outcome of Rules.Decide: the verdict and the text of the rule that decided it
// (empty for Unknown).
type Decision struct {
	Verdict Verdict
	Rule    string
}

// Rules is a parsed, validated allow/deny list. The zero value allows nothing.
type Rules struct {
	allow []rule
	deny  []rule
}

// RuleError reports one invalid rule: which list, its position, its text and why.
type RuleError struct {
	List   string // "allow" or "deny"
	Index  int    // position in its list, from 0
	Rule   string
	Reason string
}

func (e *RuleError) Error() string {
	return fmt.Sprintf("Invalid %s rule %q (entry %d): %s", e.List, e.Rule, e.Index, e.Reason)
}

type ruleKind int

const (
	exactName ruleKind = iota
	wildcardName
	ipLiteral
)

type rule struct {
	text  string
	kind  ruleKind
	Name  string     // exactName: the host; wildcardName: the base, without "*."
	IP    netip.Addr // ipLiteral
	port  int        // a single port, or one of the two below
	ports portClass
}

type portClass int

const (
	onePort  portClass = iota
	webPorts           // no port written in an allow rule: 80 and 443
	anyPort            // ":*", or no port written in a deny rule
)

// ParseRules validates allow and deny rules. Each rule is one of
//
//	example.com            the host itself (not its subdomains)
//	*.example.com          every subdomain of example.com, at any depth (not example.com itself)
//	203.0.113.7, [2001:db8::7]   that IP address, only when a request names it literally
//
// optionally followed by ":PORT" or ":*" (any port). An allow rule without a port admits ports
// 80 and 443 only: every package registry and forge is reachable there, while other ports (SSH,
// SMTP, databases, debug endpoints) are where exfiltration and lateral movement happen, so they
// must be asked for by number. A deny rule without a port denies every port, so that a deny can
// never be narrower than the author meant. All errors are returned together.
func ParseRules(allow, deny []string) (*Rules, error) {
	var errs []error
	parse := func(kind string, texts []string) (rules []rule) {
		for i, text := range texts {
			ru, err := parseRule(kind, i, text)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			rules = append(rules, ru)
		}
		return rules
	}
	r := &Rules{allow: parse("allow", allow), deny: parse("deny", deny)} // errors in that order
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return r, nil
}

func parseRule(list string, index int, text string) (rule, error) {
	fail := func(format string, args ...any) (rule, error) {
		return rule{}, &RuleError{List: list, Index: index, Rule: text, Reason: fmt.Sprintf(format, args...)}
	}
	s := strings.TrimSpace(text)
	switch {
	case s == "":
		return fail("is empty; write a host such as \"registry.npmjs.org\"")
	case s == "*" || strings.HasPrefix(s, "*:"):
		return fail("would match every host; list the hosts instead, or use the \"host\" network mode")
	case strings.Contains(s, "://"):
		return fail("has a URL scheme; write the host only, such as \"example.com\" or \"example.com:8443\"")
	case strings.ContainsAny(s, "/?#@"):
		return fail("contains \"/\", \"?\", \"#\" or \"@\"; write the host only (CIDR ranges and paths are not supported)")
	}
	ru := rule{text: text, ports: webPorts}
	if list == "deny" {
		ru.ports = anyPort
	}
	host, portText, hasPort, reason := splitRulePort(s)
	if reason != "" {
		return fail("%s", reason)
	}
	if hasPort {
		if portText == "*" {
			ru.ports = anyPort
		} else {
			p, err := strconv.Atoi(portText)
			if err != nil || p < 1 || p > 65535 || portText[0] == '+' || portText[0] == '0' {
				return fail("has the port %q; use a number from 1 to 65535 or \"*\"", portText)
			}
			ru.port, ru.ports = p, onePort
		}
	}
	if strings.HasPrefix(host, "*.") {
		base, why := normaliseName(host[2:])
		if why != "" {
			return fail("%s", why)
		}
		// Broad denies are harmless; only an allow over a public suffix admits strangers.
		if list == "allow" && (!strings.Contains(base, ".") || publicSuffixes[base]) {
			return fail("is a wildcard on the public suffix %q, which would allow every site registered under it; name the sites instead", base)
		}
		ru.kind, ru.Name = wildcardName, base
		return ru, nil
	}
	if strings.Contains(host, "*") {
		return fail("has \"*\" in the wrong place; a wildcard is only allowed as a whole leading label, as in \"*.example.com\"")
	}
	t, why := ParseTarget(host)
	if why != "" {
		return fail("%s", why)
	}
	if t.IP.IsValid() {
		ru.kind, ru.IP = ipLiteral, t.IP
	} else {
		ru.kind, ru.Name = exactName, t.Name
	}
	return ru, nil
}

// splitRulePort separates "host[:port]"; IPv6 must be bracketed so the port is unambiguous.
func splitRulePort(s string) (host, port string, hasPort bool, reason string) {
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return "", "", false, "has an unclosed \"[\""
		}
		host, rest := s[:end+1], s[end+1:]
		if rest == "" {
			return host, "", false, ""
		}
		if rest[0] != ':' || len(rest) == 1 {
			return "", "", false, "has text after \"]\" that is not \":PORT\""
		}
		return host, rest[1:], true, ""
	}
	switch strings.Count(s, ":") {
	case 0:
		return s, "", false, ""
	case 1:
		i := strings.IndexByte(s, ':')
		if i == len(s)-1 {
			return "", "", false, "ends in \":\" without a port"
		}
		return s[:i], s[i+1:], true, ""
	}
	if _, err := netip.ParseAddr(s); err == nil {
		return "", "", false, fmt.Sprintf("is an IPv6 address without brackets; write it as \"[%s]\" or \"[%s]:PORT\"", s, s)
	}
	return "", "", false, "has more than one \":\"; write IPv6 addresses in brackets, as in \"[2001:db8::1]:443\""
}

// Decide says what the rules make of host:port. host is a name or an IP literal (IPv6 with or
// without brackets); it is normalised like a rule. An invalid host is denied. Pure: no I/O.
func (r *Rules) Decide(host string, port int) Decision {
	t, why := ParseTarget(host)
	if why != "" {
		return Decision{Verdict: Deny}
	}
	return r.DecideTarget(t, port)
}

func (r *Rules) DecideTarget(t Target, port int) Decision {
	if r == nil {
		return Decision{}
	}
	for _, ru := range r.deny {
		if ru.matches(t, port) {
			return Decision{Verdict: Deny, Rule: ru.text}
		}
	}
	for _, ru := range r.allow {
		if ru.matches(t, port) {
			return Decision{Verdict: Allow, Rule: ru.text}
		}
	}
	return Decision{}
}

// ipRule returns the text of the IP-literal allow rule naming addr:port, if any and if no deny
// rule names that address. It is how a policy opts into a private or loopback destination.
func (r *Rules) IPRule(addr netip.Addr, port int) (allowed bool, rule string, denied bool) {
	d := r.DecideTarget(Target{IP: addr}, port)
	return d.Verdict == Allow, d.Rule, d.Verdict == Deny
}

func (ru rule) matches(t Target, port int) bool {
	switch ru.ports {
	case onePort:
		if port != ru.port {
			return false
		}
	case webPorts:
		if port != 80 && port != 443 {
			return false
		}
	}
	switch ru.kind {
	case ipLiteral:
		return t.IP.IsValid() && t.IP == ru.IP
	case exactName:
		return t.Name != "" && t.Name == ru.Name
	default:
		return t.Name != "" && strings.HasSuffix(t.Name, "."+ru.Name)
	}
}
