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
	}
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}
