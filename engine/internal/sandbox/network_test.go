//go:build linux

package sandbox

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"stockade/engine/internal/frame"
)

// hostServer serves "hello from the host" on 127.0.0.1 of the host's network namespace.
func hostServer(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "hello from the host")
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().(*net.TCPAddr).Port
}

func needCurl(t *testing.T) {
	if _, err := os.Stat("/usr/bin/curl"); err != nil {
		t.Skip("curl is needed")
	}
}

func TestNetworkNoneReachesNothing(t *testing.T) {
	needCurl(t)
	port := hostServer(t)
	r := run(t, sh(fmt.Sprintf("curl -sS -m 3 http://127.0.0.1:%d/ 2>&1; echo rc=$?", port)), nil)
	expectCode(t, r, 0)
	if strings.Contains(r.stdout, "hello from the host") || !strings.Contains(r.stdout, "rc=7") {
		t.Fatalf("the host was reachable: %q", r.stdout)
	}
}

func TestLandlockForbidsTCPWhenNetworkIsNone(t *testing.T) {
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		t.Skip("python3 is needed")
	}
	c := baseConfig("/usr/bin/python3", "-c", `
import socket
s = socket.socket()
try:
    s.bind(("127.0.0.1", 0)); print("bound")
except PermissionError:
    print("denied")`)
	r := run(t, c, nil)
	expectCode(t, r, 0)
	if strings.TrimSpace(r.stdout) != "denied" {
		t.Fatalf("TCP bind in network none: %q %q", r.stdout, r.stderr)
	}
}

func TestAllowlistGoesThroughTheProxy(t *testing.T) {
	needCurl(t)
	port := hostServer(t)
	other := hostServer(t)
	// NO_PROXY names 127.0.0.1, so curl is told to use the proxy for it explicitly.
	c := sh(fmt.Sprintf(`curl -sS -m 5 --noproxy '' http://127.0.0.1:%d/; echo; curl -sS -m 5 --noproxy '' http://127.0.0.1:%d/ 2>&1; echo; curl -sS -m 3 http://127.0.0.1:%d/ 2>&1; echo direct=$?`, port, other, port))
	c.Network.Mode, c.Network.Allow, c.Network.Deny = "allowlist", []string{fmt.Sprintf("127.0.0.1:%d", port)}, []string{}
	r := run(t, c, nil)
	expectCode(t, r, 0)
	out := lines(r.stdout)
	if out[0] != "hello from the host" {
		t.Fatalf("the allowed host was not reached: %q %q", r.stdout, r.stderr)
	}
	if strings.Contains(out[1], "hello") || !strings.Contains(r.stdout, "direct=7") {
		t.Fatalf("a refused or direct connection went through: %q", r.stdout)
	}
	v := r.event("violation")
	if v == nil || v["kind"] != "network" || !strings.Contains(v["detail"].(string), fmt.Sprint(other)) {
		t.Fatalf("no network violation event: %v", r.events)
	}
}

func TestAllowlistAsksTheCaller(t *testing.T) {
	needCurl(t)
	port := hostServer(t)
	c := sh(fmt.Sprintf(`curl -sS -m 10 --noproxy '' http://127.0.0.1:%d/`, port))
	c.Network.Mode, c.Network.Allow, c.Network.Deny, c.Network.Ask = "allowlist", []string{}, []string{}, true
	raw, _ := json.Marshal(c)
	data, _ := frame.Encode(&frame.Frame{Config: raw, Seccomp: allowAll()})
	framePath := filepath.Join(t.TempDir(), "frame.bin")
	os.WriteFile(framePath, data, 0o600)
	frameFile, _ := os.Open(framePath)
	defer frameFile.Close()
	evR, evW, _ := os.Pipe()
	ansR, ansW, _ := os.Pipe()
	cmd := exec.Command(engineBin, "run")
	var stdout strings.Builder
	cmd.Stdout = &stdout
	cmd.ExtraFiles = []*os.File{frameFile, evW, ansR}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	evW.Close()
	ansR.Close()
	asked := false
	sc := bufio.NewScanner(evR)
	for sc.Scan() {
		var e map[string]any
		json.Unmarshal(sc.Bytes(), &e)
		if e["type"] == "ask" {
			asked = true
			if e["host"] != "127.0.0.1" || e["port"].(float64) != float64(port) {
				t.Errorf("ask event %v", e)
			}
			fmt.Fprintf(ansW, `{"id":%v,"allow":true}`+"\n", e["id"])
		}
	}
	ansW.Close()
	cmd.Wait()
	// The caller's yes got through: the request then met the proxy's SSRF guard (a yes never
	// unlocks a loopback address), which it only reaches once the question is answered yes.
	if !asked || !strings.Contains(stdout.String(), "SSRF") {
		t.Fatalf("asked %v, stdout %q", asked, stdout.String())
	}
}

func TestHostAbstractSocketIsUnreachable(t *testing.T) {
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		t.Skip("python3 is needed")
	}
	name := fmt.Sprintf("stockade-test-%d", os.Getpid())
	ln, err := net.Listen("unix", "@"+name)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("hello"))
			c.Close()
		}
	}()
	script := fmt.Sprintf(`
import socket
s = socket.socket(socket.AF_UNIX)
try:
    s.connect("\0%s"); print("connected", s.recv(5))
except OSError as e:
    print("refused", e.errno)`, name)
	for _, mode := range []string{"none", "host"} {
		c := baseConfig("/usr/bin/python3", "-c", script)
		c.Network.Mode = mode
		r := run(t, c, nil)
		expectCode(t, r, 0)
		if !strings.HasPrefix(r.stdout, "refused") {
			t.Fatalf("network %s: the host's abstract socket: %q %q", mode, r.stdout, r.stderr)
		}
	}
}
