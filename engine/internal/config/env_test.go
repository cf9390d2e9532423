package config

import (
	"strings"
	"testing"
)

func envOf(list []string) map[string]string {
	m := map[string]string{}
	for _, kv := range list {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

func TestTargetEnvIsExactlyTheConfiguredOneOutsideAllowlist(t *testing.T) {
	c := &ExecConfig{Env: map[string]string{"PATH": "/bin", "JAVA_TOOL_OPTIONS": "-Xmx1g"}, Network: Network{Mode: "none"}}
	got := envOf(c.TargetEnv(0))
	if len(got) != 2 || got["JAVA_TOOL_OPTIONS"] != "-Xmx1g" {
		t.Fatalf("env = %v, want exactly the configured variables", got)
	}
}

func TestTargetEnvPointsEveryClientAtTheProxy(t *testing.T) {
	c := &ExecConfig{Env: map[string]string{"JAVA_TOOL_OPTIONS": "-Xmx1g"}, Network: Network{Mode: "allowlist"}}
	got := envOf(c.TargetEnv(4242))
	if got["HTTPS_PROXY"] != "http://127.0.0.1:4242" || got["ALL_PROXY"] != "socks5h://127.0.0.1:4242" {
		t.Fatalf("proxy variables = %v", got)
	}
	java := got["JAVA_TOOL_OPTIONS"]
	// The caller's options stay, first; the JVM takes the proxy from system properties.
	if !strings.HasPrefix(java, "-Xmx1g ") || !strings.Contains(java, "-Dhttps.proxyHost=127.0.0.1 -Dhttps.proxyPort=4242") ||
		!strings.Contains(java, "-Dhttp.proxyPort=4242") {
		t.Fatalf("JAVA_TOOL_OPTIONS = %q", java)
	}
}
