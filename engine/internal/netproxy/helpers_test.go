package netproxy

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"stockade/engine/internal/netrules"
)

// loopback is the explicit private opt-in tests need: every test server listens on 127.0.0.1.
var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}

// fakeDNS maps test names to addresses, standing in for /etc/hosts on the host side.
func fakeDNS(names map[string]string) func(context.Context, string) ([]netip.Addr, error) {
	return func(_ context.Context, host string) ([]netip.Addr, error) {
		v, ok := names[host]
		if !ok {
			return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
		}
		var out []netip.Addr
		for _, s := range strings.Split(v, ",") {
			out = append(out, netip.MustParseAddr(s))
		}
		return out, nil
	}
}

// eventLog collects events for assertions.
type eventLog struct {
	mu     sync.Mutex
	events []Event
}

func (l *eventLog) add(e Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

func (l *eventLog) all() []Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Event(nil), l.events...)
}

func (l *eventLog) refusals() []Event {
	var out []Event
	for _, e := range l.all() {
		if !e.Allowed {
			out = append(out, e)
		}
	}
	return out
}

// startProxy serves a Proxy on a fresh loopback port for the test's lifetime.
func startProxy(t testing.TB, allow, deny []string, opts Options) (string, *eventLog) {
	t.Helper()
	rules, err := netrules.ParseRules(allow, deny)
	if err != nil {
		t.Fatal(err)
	}
	log := &eventLog{}
	opts.OnEvent = log.add
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- New(rules, opts).Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return ln.Addr().String(), log
}

func portOf(t testing.TB, addr string) int {
	t.Helper()
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return int(ap.Port())
}

// rawRequest sends head on a new connection to the proxy and reads one response.
func rawRequest(t *testing.T, proxy, head string) (*http.Response, string) {
	t.Helper()
	c, err := net.Dial("tcp", proxy)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, head); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("reading the proxy's answer to %q: %v", head, err)
	}
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// socks5Dial runs a SOCKS5 handshake and CONNECT (or another cmd) by hand, returning the
// reply code and, on success, the tunnelled connection.
func socks5Dial(t *testing.T, proxy string, cmd byte, host string, port int) (byte, net.Conn) {
	t.Helper()
	c, err := net.Dial("tcp", proxy)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	msg := []byte{5, 1, 0, 5, cmd, 0}
	if ip, err := netip.ParseAddr(host); err == nil && ip.Is4() {
		b := ip.As4()
		msg = append(append(msg, socksAtypIPv4), b[:]...)
	} else if err == nil {
		b := ip.As16()
		msg = append(append(msg, socksAtypIPv6), b[:]...)
	} else {
		msg = append(append(msg, socksAtypDomain, byte(len(host))), host...)
	}
	msg = binary.BigEndian.AppendUint16(msg, uint16(port))
	if _, err := c.Write(msg); err != nil {
		t.Fatal(err)
	}
	var resp [12]byte // method choice (2) + reply (10)
	if _, err := io.ReadFull(c, resp[:]); err != nil {
		c.Close()
		t.Fatalf("SOCKS5 reply: %v", err)
	}
	if resp[0] != 5 || resp[1] != 0 || resp[2] != 5 {
		c.Close()
		t.Fatalf("unexpected SOCKS5 reply % x", resp)
	}
	if resp[3] != socksSucceeded {
		c.Close()
		return resp[3], nil
	}
	c.SetDeadline(time.Time{})
	return resp[3], c
}

// echoServer answers each connection with everything it read, after the client half-closes,
// prefixed by the byte count: it only answers if half-close is passed through.
func echoServer(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				data, _ := io.ReadAll(c)
				fmt.Fprintf(c, "%d:%s", len(data), data)
			}()
		}
	}()
	return ln.Addr().String()
}

func wantEvent(t *testing.T, log *eventLog, want Event) {
	t.Helper()
	for _, e := range log.all() {
		if e == want {
			return
		}
	}
	t.Errorf("no event %+v among %+v", want, log.all())
}
