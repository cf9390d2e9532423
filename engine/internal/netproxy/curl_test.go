package netproxy

import (
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCurlThroughTheProxy drives the real curl binary through every protocol the proxy speaks,
// the way a sandboxed command with HTTP_PROXY / ALL_PROXY set would.
func TestCurlThroughTheProxy(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl is not installed")
	}
	plain := newOrigin(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "plain "+r.Host) })
	secure := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "secure "+r.Host)
	}))
	defer secure.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: secure.Certificate().Raw}), 0o600)
	sport := portOf(t, secure.Listener.Addr().String())

	proxy, log := startProxy(t,
		[]string{fmt.Sprintf("plain.test:%d", plain.port), fmt.Sprintf("example.com:%d", sport)},
		[]string{"denied.test"},
		Options{Resolver: fakeDNS(map[string]string{"plain.test": "127.0.0.1", "example.com": "127.0.0.1", "denied.test": "127.0.0.1"}),
			AllowPrivate: loopback})

	run := func(args ...string) (string, error) {
		cmd := exec.Command(curl, append([]string{"-sS", "--max-time", "10", "--noproxy", ""}, args...)...)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH")} // no proxy variables from the caller
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	plainURL := fmt.Sprintf("http://plain.test:%d/", plain.port)
	secureURL := fmt.Sprintf("https://example.com:%d/", sport)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"http forward", []string{"-x", "http://" + proxy, plainURL}, fmt.Sprintf("plain plain.test:%d", plain.port)},
		{"https via CONNECT", []string{"-x", "http://" + proxy, "--cacert", ca, secureURL}, fmt.Sprintf("secure example.com:%d", sport)},
		{"socks5h", []string{"-x", "socks5h://" + proxy, plainURL}, fmt.Sprintf("plain plain.test:%d", plain.port)},
		{"socks5h with TLS", []string{"-x", "socks5h://" + proxy, "--cacert", ca, secureURL}, fmt.Sprintf("secure example.com:%d", sport)},
	}
	for _, c := range cases {
		out, err := run(c.args...)
		if err != nil || out != c.want {
			t.Errorf("%s: curl said %q (%v), want %q", c.name, out, err, c.want)
		}
	}

	deniedURL := fmt.Sprintf("http://denied.test:%d/", plain.port)
	if out, err := run("-x", "http://"+proxy, "-f", deniedURL); err == nil || !strings.Contains(out, "403") {
		t.Errorf("http forward to a denied host: %q (%v)", out, err)
	}
	if out, err := run("-x", "http://"+proxy, "--proxytunnel", deniedURL); err == nil || !strings.Contains(out, "403") {
		t.Errorf("CONNECT to a denied host: %q (%v)", out, err)
	}
	if out, err := run("-x", "socks5h://"+proxy, deniedURL); err == nil {
		t.Errorf("socks5h to a denied host succeeded: %q", out)
	}
	for _, proto := range []string{"http", "https", "socks5"} {
		wantEvent(t, log, Event{Host: "denied.test", Port: plain.port, Protocol: proto, Reason: `denied by rule "denied.test"`})
	}
}
