package netproxy

import (
	"net/netip"
	"strings"
	"testing"

	"stockade/engine/internal/netrules"
)

func TestSpecialKindClassifiesEveryRefusedBlock(t *testing.T) {
	special := map[string]string{
		"127.0.0.1":              "loopback",
		"127.255.255.254":        "loopback",
		"::1":                    "loopback",
		"::ffff:127.0.0.1":       "loopback",
		"64:ff9b::7f00:1":        "loopback", // NAT64 of 127.0.0.1
		"2002:7f00:1::1":         "loopback", // 6to4 of 127.0.0.1
		"10.1.2.3":               "private",
		"172.16.0.1":             "private",
		"172.31.255.255":         "private",
		"192.168.1.1":            "private",
		"::ffff:192.168.1.1":     "private",
		"fd00:ec2::254":          "unique local",
		"fc00::1":                "unique local",
		"169.254.169.254":        "link-local",
		"::ffff:169.254.169.254": "link-local",
		"fe80::1":                "link-local",
		"100.64.0.1":             "carrier-grade NAT",
		"0.0.0.0":                "this network",
		"::":                     "unspecified",
		"224.0.0.1":              "multicast",
		"ff02::1":                "multicast",
		"255.255.255.255":        "broadcast",
		"240.0.0.1":              "reserved",
		"::7f00:1":               "IPv4-compatible",
		"198.18.0.1":             "benchmarking",
	}
	for s, want := range special {
		got := specialKind(netip.MustParseAddr(s))
		if !strings.Contains(got, want) {
			t.Errorf("specialKind(%s) = %q, want it to contain %q", s, got, want)
		}
	}
	for _, s := range []string{"203.0.113.80", "198.51.100.1", "192.0.2.1", "2001:db8::1", "93.184.215.14", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "64:ff9b::808:808", "2002:808:808::1"} {
		if got := specialKind(netip.MustParseAddr(s)); got != "" {
			t.Errorf("specialKind(%s) = %q, want a public address", s, got)
		}
	}
}

func TestParseTargetNormalises(t *testing.T) {
	cases := map[string]string{
		"Example.COM.":      "example.com",
		"[::ffff:10.0.0.1]": "10.0.0.1",
		"::FFFF:10.0.0.1":   "10.0.0.1",
		"[2001:DB8::1]":     "2001:db8::1",
		"under_score.test":  "under_score.test",
	}
	for in, want := range cases {
		got, why := netrules.ParseTarget(in)
		if why != "" || got.String() != want {
			t.Errorf("netrules.ParseTarget(%q) = %q (%s), want %q", in, got, why, want)
		}
	}
	for _, bad := range []string{"0x7f000001", "127.1", "a b", "[fe80::1%lo]", "fe80::1%lo", "ex..ample"} {
		if _, why := netrules.ParseTarget(bad); why == "" {
			t.Errorf("netrules.ParseTarget(%q) accepted an invalid host", bad)
		}
	}
}
