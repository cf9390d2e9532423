package netrules

import (
	"errors"
	"strings"
	"testing"
)

func TestParseRulesRejectsEveryBadRuleWithItsReason(t *testing.T) {
	cases := []struct{ rule, want string }{
		{"", "is empty"},
		{"   ", "is empty"},
		{"*", "would match every host"},
		{"*:443", "would match every host"},
		{"*.com", "public suffix \"com\""},
		{"*.COM.", "public suffix \"com\""},
		{"*.co.uk", "public suffix \"co.uk\""},
		{"*.github.io", "public suffix \"github.io\""},
		{"*.localhost", "public suffix \"localhost\""},
		{"*example.com", "\"*\" in the wrong place"},
		{"a.*.example.com", "\"*\" in the wrong place"},
		{"*.*.example.com", "has the character '*'"},
		{"https://example.com", "URL scheme"},
		{"example.com/path", "write the host only"},
		{"user@example.com", "write the host only"},
		{"10.0.0.0/8", "CIDR ranges"},
		{"a..example.com", "empty label"},
		{".example.com", "empty label"},
		{"example..", "empty label"},
		{"-bad.example.com", "starts or ends with \"-\""},
		{"bad-.example.com", "starts or ends with \"-\""},
		{strings.Repeat("a", 64) + ".com", "longer than 63"},
		{strings.Repeat("abcdefghi.", 26) + "com", "longer than 253"},
		{"exa mple.com", "not allowed in a host name"},
		{"bücher.example", "punycode"},
		{"example.com:", "without a port"},
		{"example.com:0", "port \"0\""},
		{"example.com:65536", "port \"65536\""},
		{"example.com:http", "port \"http\""},
		{"example.com:+80", "port \"+80\""},
		{"example.com:080", "port \"080\""},
		{"example.com:-1", "port \"-1\""},
		{"::1", "IPv6 address without brackets"},
		{"2001:db8::1:443", "IPv6 address without brackets"},
		{"a:b:c", "more than one \":\""},
		{"[::1", "unclosed \"[\""},
		{"[::1]x", "not \":PORT\""},
		{"[::1]:", "not \":PORT\""},
		{"[example.com]", "not an IPv6 address"},
		{"[1.2.3.4]", "not an IPv6 address"},
		{"[fe80::1%eth0]", "IPv6 zone"},
		{"127.1", "numeric label"},
		{"2130706433", "numeric label"},
		{"foo.0x7f", "numeric label"},
	}
	for _, c := range cases {
		_, err := ParseRules([]string{c.rule}, nil)
		var re *RuleError
		if !errors.As(err, &re) {
			t.Errorf("rule %q: want a RuleError, got %v", c.rule, err)
			continue
		}
		if re.Rule != c.rule || re.List != "allow" || re.Index != 0 || !strings.Contains(err.Error(), c.want) {
			t.Errorf("rule %q: error %q does not name the rule and contain %q", c.rule, err, c.want)
		}
		if !strings.HasPrefix(err.Error(), "Invalid allow rule ") || strings.HasSuffix(err.Error(), ".") {
			t.Errorf("rule %q: message %q is not in house style", c.rule, err)
		}
	}
}

func TestParseRulesReportsEveryErrorWithItsListAndIndex(t *testing.T) {
	_, err := ParseRules([]string{"ok.example", "*"}, []string{"fine.example", "x..y"})
	if err == nil {
		t.Fatal("want errors")
	}
	msg := err.Error()
	for _, want := range []string{`Invalid allow rule "*" (entry 1)`, `Invalid deny rule "x..y" (entry 1)`} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}
}

func TestParseRulesAcceptsBroadDenyWildcardsButNotStar(t *testing.T) {
	if _, err := ParseRules(nil, []string{"*.ru", "*.co.uk"}); err != nil {
		t.Fatalf("a broad deny only narrows access: %v", err)
	}
	if _, err := ParseRules(nil, []string{"*"}); err == nil {
		t.Fatal("deny \"*\" must be refused (use network mode none)")
	}
}

func TestDecide(t *testing.T) {
	r, err := ParseRules(
		[]string{"Example.COM.", "*.pkg.example", "api.example:8443", "any.example:*", "203.0.113.7", "[2001:db8::7]:8080", "both.example"},
		[]string{"bad.pkg.example", "*.evil.pkg.example", "both.example", "api.example:9000"},
	)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		host string
		port int
		want Verdict
		rule string
	}{
		{"example.com", 443, Allow, "Example.COM."},
		{"EXAMPLE.com.", 80, Allow, "Example.COM."},
		{"example.com", 22, Unknown, ""},      // no port written: web ports only
		{"www.example.com", 443, Unknown, ""}, // exact rule: no subdomains
		{"pkg.example", 443, Unknown, ""},     // wildcard: not the apex
		{"a.pkg.example", 443, Allow, "*.pkg.example"},
		{"a.b.pkg.example", 80, Allow, "*.pkg.example"},
		{"xpkg.example", 443, Unknown, ""},                // suffix match is per label
		{"bad.pkg.example", 443, Deny, "bad.pkg.example"}, // deny wins over the wildcard
		{"sub.bad.pkg.example", 443, Allow, "*.pkg.example"},
		{"x.evil.pkg.example", 443, Deny, "*.evil.pkg.example"},
		{"both.example", 443, Deny, "both.example"},
		{"both.example", 12345, Deny, "both.example"}, // deny without port: every port
		{"api.example", 8443, Allow, "api.example:8443"},
		{"api.example", 443, Unknown, ""},
		{"api.example", 9000, Deny, "api.example:9000"},
		{"any.example", 2222, Allow, "any.example:*"},
		{"203.0.113.7", 443, Allow, "203.0.113.7"},
		{"[::ffff:203.0.113.7]", 80, Allow, "203.0.113.7"}, // mapped form is the same address
		{"203.0.113.8", 443, Unknown, ""},
		{"2001:db8::7", 8080, Allow, "[2001:db8::7]:8080"},
		{"[2001:db8::7]", 8080, Allow, "[2001:db8::7]:8080"},
		{"2001:db8::7", 443, Unknown, ""},
		{"2130706433", 80, Deny, ""}, // not a valid host at all
		{"", 80, Deny, ""},
	}
	for _, c := range cases {
		got := r.Decide(c.host, c.port)
		if got.Verdict != c.want || got.Rule != c.rule {
			t.Errorf("Decide(%q, %d) = %v %q, want %v %q", c.host, c.port, got.Verdict, got.Rule, c.want, c.rule)
		}
	}
}

func TestZeroRulesAllowNothing(t *testing.T) {
	var r *Rules
	if d := r.Decide("example.com", 443); d.Verdict != Unknown {
		t.Fatalf("nil rules: got %v", d.Verdict)
	}
	r, _ = ParseRules(nil, nil)
	if d := r.Decide("example.com", 443); d.Verdict != Unknown {
		t.Fatalf("empty rules: got %v", d.Verdict)
	}
}
