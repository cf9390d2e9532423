package netproxy

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"stockade/engine/internal/netrules"
)

// TestProxyServesASandboxWhoseNetworkIsOnlyLoopback runs the integration the engine relies on:
// a child in its own user+network namespace (only lo) listens on 127.0.0.1, passes the
// listening socket out, and the proxy here — in the host namespace — serves it and dials the
// origin. The child cannot reach the origin directly, nor resolve names, but can through the
// proxy.
func TestProxyServesASandboxWhoseNetworkIsOnlyLoopback(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "reached the host side") })
	parentEnd, childEnd := socketpair(t)
	childFile, err := childEnd.File()
	if err != nil {
		t.Fatal(err)
	}
	defer childFile.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestSandboxChildHelper$", "-test.v")
	cmd.Env = append(os.Environ(), "NETPROXY_SANDBOX_CHILD=1", fmt.Sprintf("NETPROXY_ORIGIN_PORT=%d", o.port))
	cmd.ExtraFiles = []*os.File{childFile} // fd 3 in the child
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWNET,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
	}
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Skipf("cannot create a user and network namespace here: %v", err)
	}
	childFile.Close()
	childEnd.Close()

	parentEnd.SetDeadline(time.Now().Add(10 * time.Second))
	ln, err := ReceiveListener(parentEnd)
	if err != nil {
		cmd.Wait()
		t.Fatalf("receiving the listener: %v\nchild output:\n%s", err, out.String())
	}
	rules, _ := netrules.ParseRules([]string{fmt.Sprintf("app.test:%d", o.port)}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go New(rules, Options{Resolver: fakeDNS(map[string]string{"app.test": "127.0.0.1"}), AllowPrivate: loopback}).Serve(ctx, ln)

	if err := cmd.Wait(); err != nil {
		t.Fatalf("child failed: %v\n%s", err, out.String())
	}
	t.Logf("child output:\n%s", out.String())
	for _, want := range []string{"direct: refused", "dns: failed", "proxy: 200 reached the host side"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("child output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestSandboxChildHelper is the child half of the test above; it does nothing when run normally.
func TestSandboxChildHelper(t *testing.T) {
	if os.Getenv("NETPROXY_SANDBOX_CHILD") != "1" {
		return
	}
	port := os.Getenv("NETPROXY_ORIGIN_PORT")
	if err := loopbackUp(); err != nil {
		t.Fatalf("bringing lo up: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := os.NewFile(3, "channel")
	c, err := net.FileConn(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := SendListener(c.(*net.UnixConn), ln.(*net.TCPListener)); err != nil {
		t.Fatal(err)
	}

	// The origin listens on the host's 127.0.0.1; this namespace's 127.0.0.1 is another world.
	if _, err := net.DialTimeout("tcp", "127.0.0.1:"+port, 2*time.Second); errors.Is(err, syscall.ECONNREFUSED) {
		fmt.Println("direct: refused")
	} else {
		fmt.Printf("direct: unexpected %v\n", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if _, err := net.DefaultResolver.LookupHost(ctx, "example.com"); err != nil {
		fmt.Println("dns: failed")
	}

	pc, err := net.Dial("tcp", ln.Addr().String()) // accepted by the proxy outside
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	pc.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(pc, "GET http://app.test:%s/ HTTP/1.1\r\nHost: app.test:%s\r\n\r\n", port, port)
	resp, err := http.ReadResponse(bufio.NewReader(pc), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	fmt.Printf("proxy: %d %s\n", resp.StatusCode, body)
}

// loopbackUp sets IFF_UP on lo, which a new network namespace starts without.
func loopbackUp() error {
	s, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer syscall.Close(s)
	var ifr [40]byte // struct ifreq: name[16], then flags (short)
	copy(ifr[:], "lo")
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(s), syscall.SIOCGIFFLAGS, uintptr(unsafe.Pointer(&ifr))); e != 0 {
		return e
	}
	*(*uint16)(unsafe.Pointer(&ifr[16])) |= syscall.IFF_UP
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(s), syscall.SIOCSIFFLAGS, uintptr(unsafe.Pointer(&ifr))); e != 0 {
		return e
	}
	return nil
}
