package config

import (
	"fmt"
	"sort"
)

// TargetEnv is the target's whole environment: exactly Env, plus the proxy variables in allowlist
// mode (the proxy listens on 127.0.0.1:proxyPort). Sorted, as `NAME=VALUE` strings.
func (c *ExecConfig) TargetEnv(proxyPort int) []string {
	env := map[string]string{}
	for k, v := range c.Env {
		env[k] = v
	}
	if c.Network.Mode == "allowlist" && proxyPort > 0 {
		http := fmt.Sprintf("http://127.0.0.1:%d", proxyPort)
		socks := fmt.Sprintf("socks5h://127.0.0.1:%d", proxyPort)
		for _, k := range []string{"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"} {
			env[k] = http
		}
		env["ALL_PROXY"], env["all_proxy"] = socks, socks
		env["NO_PROXY"], env["no_proxy"] = "localhost,127.0.0.1,::1", "localhost,127.0.0.1,::1"
		// The JVM ignores the variables above (Maven, Gradle, sbt, Java's own HttpClient): it
		// takes system properties, which every JVM reads from JAVA_TOOL_OPTIONS, after the caller's.
		java := fmt.Sprintf("-Dhttp.proxyHost=127.0.0.1 -Dhttp.proxyPort=%[1]d -Dhttps.proxyHost=127.0.0.1 -Dhttps.proxyPort=%[1]d "+
			"-Dhttp.nonProxyHosts=localhost|127.0.0.1|[::1]", proxyPort)
		if own := env["JAVA_TOOL_OPTIONS"]; own != "" {
			java = own + " " + java
		}
		env["JAVA_TOOL_OPTIONS"] = java
	}
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}
