package netproxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// noDial fails the test if the proxy tries to connect anywhere.
func noDial(t *testing.T) func(context.Context, string, string) (net.Conn, error) {
	return func(_ context.Context, _, addr string) (net.Conn, error) {
		t.Errorf("the proxy dialed %s although it should have refused", addr)
		return nil, errors.New("test forbids dialing")
	}
}

func TestSSRFNameResolvingToLoopbackNeedsExplicitOptIn(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "local service") })
	rule := fmt.Sprintf("app.test:%d", o.port)
	dns := fakeDNS(map[string]string{"app.test": "127.0.0.1"})
	target := fmt.Sprintf("http://app.test:%d/", o.port)

	// The name is allowed, but it points at the host's own loopback: refused.
	proxy, log := startProxy(t, []string{rule}, nil, Options{Resolver: dns})
	resp, err := proxyClient(proxy).Get(target)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 403 || !strings.Contains(string(body), "loopback") {
		t.Fatalf("got %d %q, want an SSRF refusal", resp.StatusCode, body)
	}
	wantEvent(t, log, Event{Host: "app.test", Port: o.port, Protocol: "http",
		Reason: fmt.Sprintf(`"app.test" resolves to the loopback address 127.0.0.1, refused to prevent SSRF; allow it with the rule "127.0.0.1:%d"`, o.port)})

	// Opting in by an IP rule for that address and port, as the refusal suggests, lets it through.
	proxy, _ = startProxy(t, []string{rule, fmt.Sprintf("127.0.0.1:%d", o.port)}, nil, Options{Resolver: dns})
	resp, err = proxyClient(proxy).Get(target)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(body) != "local service" {
		t.Fatalf("with the IP rule: got %d %q", resp.StatusCode, body)
	}

	// An IP rule for another port does not.
	proxy, _ = startProxy(t, []string{rule, "127.0.0.1:1"}, nil, Options{Resolver: dns})
	resp, err = proxyClient(proxy).Get(target)
	if err != nil || resp.StatusCode != 403 {
		t.Fatalf("IP rule for another port: %v %v", resp, err)
	}
}

func TestSSRFRefusesSpecialAddressesBeforeDialing(t *testing.T) {
	dns := fakeDNS(map[string]string{
		"meta.in.test":   "169.254.169.254",
		"meta6.in.test":  "fd00:ec2::254",
		"mapped.in.test": "::ffff:127.0.0.1",
		"mixed.in.test":  "93.184.215.14,10.0.0.1", // one bad address spoils the answer
		"lan.in.test":    "192.168.1.10",
	})
	proxy, log := startProxy(t, []string{"*.in.test:8080"}, []string{"169.254.169.254"},
		Options{Resolver: dns, Dial: noDial(t), Ask: func(context.Context, Request) bool { return true }})
	cases := []struct{ host, reason string }{
		{"meta.in.test", `"meta.in.test" resolves to 169.254.169.254, which a deny rule names`},
		{"meta6.in.test", `"meta6.in.test" resolves to the unique local (private, cloud metadata) address fd00:ec2::254`},
		{"mapped.in.test", `"mapped.in.test" resolves to the loopback address 127.0.0.1`},
		{"mixed.in.test", `"mixed.in.test" resolves to the private address 10.0.0.1`},
		{"lan.in.test", `"lan.in.test" resolves to the private address 192.168.1.10`},
		// IP literals: no rule names them, and approval by Ask does not unlock special addresses.
		{"169.254.169.254", `denied by rule "169.254.169.254"`},
		{"[fd00:ec2::254]", `the unique local (private, cloud metadata) address fd00:ec2::254`},
		{"127.0.0.1", `the loopback address 127.0.0.1`},
	}
	for _, c := range cases {
		resp, body := rawRequest(t, proxy, fmt.Sprintf("GET http://%s:8080/ HTTP/1.1\r\n\r\n", c.host))
		if resp.StatusCode != 403 || !strings.Contains(body, c.reason) {
			t.Errorf("%s: got %d %q, want 403 with %q", c.host, resp.StatusCode, body, c.reason)
		}
	}
	if n := len(log.refusals()); n != len(cases) {
		t.Errorf("%d refusal events for %d refusals", n, len(cases))
	}
}

func TestCONNECTTunnelsTLSToAnAllowedHost(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "secure hello "+r.Host)
	}))
	defer srv.Close()
	port := portOf(t, srv.Listener.Addr().String())
	// httptest's certificate is valid for "example.com", so TLS verification really happens.
	proxy, log := startProxy(t, []string{fmt.Sprintf("example.com:%d", port)}, nil,
		Options{Resolver: fakeDNS(map[string]string{"example.com": "127.0.0.1", "other.com": "127.0.0.1"}), AllowPrivate: loopback})
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.Proxy = http.ProxyURL(&url.URL{Scheme: "http", Host: proxy})
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}

	resp, err := client.Get(fmt.Sprintf("https://example.com:%d/", port))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if want := fmt.Sprintf("secure hello example.com:%d", port); string(body) != want {
		t.Fatalf("got %q, want %q", body, want)
	}
	wantEvent(t, log, Event{Host: "example.com", Port: port, Protocol: "https", Allowed: true,
		Reason: fmt.Sprintf("allowed by rule %q", fmt.Sprintf("example.com:%d", port))})

	_, err = client.Get(fmt.Sprintf("https://other.com:%d/", port))
	if err == nil || !strings.Contains(err.Error(), "Forbidden") {
		t.Fatalf("CONNECT to an unlisted host: %v", err)
	}
	wantEvent(t, log, Event{Host: "other.com", Port: port, Protocol: "https", Reason: "no allow rule matches"})
}

func TestCONNECTPassesHalfCloseAndPipelinedBytes(t *testing.T) {
	echo := echoServer(t)
	port := portOf(t, echo)
	proxy, _ := startProxy(t, []string{fmt.Sprintf("echo.test:%d", port)}, nil,
		Options{Resolver: fakeDNS(map[string]string{"echo.test": "127.0.0.1"}), AllowPrivate: loopback})
	c, err := net.Dial("tcp", proxy)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	// The payload follows the CONNECT in the same write, before the 200 arrives.
	fmt.Fprintf(c, "CONNECT echo.test:%d HTTP/1.1\r\nHost: echo.test:%d\r\n\r\nearly bytes|", port, port)
	io.WriteString(c, "late bytes")
	c.(*net.TCPConn).CloseWrite()
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	want := "HTTP/1.1 200 Connection established\r\n\r\n22:early bytes|late bytes"
	if string(got) != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestSOCKS5(t *testing.T) {
	echo := echoServer(t)
	port := portOf(t, echo)
	proxy, log := startProxy(t, []string{fmt.Sprintf("echo.test:%d", port), "*.echo.test:*"}, []string{"bad.echo.test"},
		Options{Resolver: fakeDNS(map[string]string{"echo.test": "127.0.0.1", "a.echo.test": "127.0.0.1"}), AllowPrivate: loopback})

	t.Run("domain CONNECT tunnels with half-close", func(t *testing.T) {
		for _, host := range []string{"echo.test", "A.Echo.Test."} {
			code, c := socks5Dial(t, proxy, socksConnect, host, port)
			if code != socksSucceeded {
				t.Fatalf("%s: reply %d", host, code)
			}
			io.WriteString(c, "ping")
			c.(*net.TCPConn).CloseWrite()
			got, _ := io.ReadAll(c)
			c.Close()
			if string(got) != "4:ping" {
				t.Fatalf("%s: got %q", host, got)
			}
		}
		wantEvent(t, log, Event{Host: "a.echo.test", Port: port, Protocol: "socks5", Allowed: true, Reason: `allowed by rule "*.echo.test:*"`})
	})
	refusals := []struct {
		name string
		cmd  byte
		host string
		code byte
		ev   Event
	}{
		{"deny rule", socksConnect, "bad.echo.test", socksNotAllowed, Event{Host: "bad.echo.test", Port: port, Protocol: "socks5", Reason: `denied by rule "bad.echo.test"`}},
		{"IPv4 literal", socksConnect, "127.0.0.1", socksNotAllowed, Event{Host: "127.0.0.1", Port: port, Protocol: "socks5", Reason: "no allow rule matches"}},
		{"IPv6 metadata", socksConnect, "fd00:ec2::254", socksNotAllowed, Event{Host: "fd00:ec2::254", Port: port, Protocol: "socks5", Reason: "no allow rule matches"}},
		{"unresolvable", socksConnect, "gone.echo.test", socksHostUnreachable, Event{Host: "gone.echo.test", Port: port, Protocol: "socks5", Reason: `cannot resolve "gone.echo.test": lookup gone.echo.test: no such host`}},
		{"BIND", 0x02, "echo.test", socksCmdNotSupported, Event{Host: "echo.test", Port: port, Protocol: "socks5", Reason: "SOCKS5 command 2 is not supported (only CONNECT)"}},
		{"UDP ASSOCIATE", 0x03, "echo.test", socksCmdNotSupported, Event{Host: "echo.test", Port: port, Protocol: "socks5", Reason: "SOCKS5 command 3 is not supported (only CONNECT)"}},
	}
	for _, r := range refusals {
		t.Run(r.name, func(t *testing.T) {
			code, c := socks5Dial(t, proxy, r.cmd, r.host, port)
			if c != nil {
				c.Close()
			}
			if code != r.code {
				t.Errorf("reply %d, want %d", code, r.code)
			}
			wantEvent(t, log, r.ev)
		})
	}
	t.Run("connection refused", func(t *testing.T) {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		closedPort := portOf(t, ln.Addr().String())
		ln.Close()
		code, _ := socks5Dial(t, proxy, socksConnect, "a.echo.test", closedPort)
		if code != socksConnRefused {
			t.Errorf("reply %d, want %d", code, socksConnRefused)
		}
	})
	t.Run("client without the no-auth method", func(t *testing.T) {
		c, err := net.Dial("tcp", proxy)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.Write([]byte{5, 1, 2}) // username/password only
		got, _ := io.ReadAll(c)
		if string(got) != "\x05\xff" {
			t.Errorf("got % x, want 05 ff", got)
		}
	})
}

func TestAskDecidesUnknownHostsOnceAndTimesOut(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	var mu sync.Mutex
	asked := map[string]int{}
	release := make(chan struct{})
	ask := func(ctx context.Context, r Request) bool {
		mu.Lock()
		asked[fmt.Sprintf("%s %d %s", r.Host, r.Port, r.Protocol)]++
		mu.Unlock()
		switch r.Host {
		case "yes.test":
			<-release // hold the question open so concurrent requests pile up on it
			return true
		case "slow.test":
			<-ctx.Done()
			time.Sleep(50 * time.Millisecond) // answers after the deadline: must be ignored
			return true
		}
		return false
	}
	proxy, log := startProxy(t, nil, nil, Options{
		Resolver:     fakeDNS(map[string]string{"yes.test": "127.0.0.1", "no.test": "127.0.0.1", "slow.test": "127.0.0.1"}),
		AllowPrivate: loopback, Ask: ask, AskTimeout: 300 * time.Millisecond,
	})
	client := proxyClient(proxy)
	status := func(host string) int {
		resp, err := client.Get(fmt.Sprintf("http://%s:%d/", host, o.port))
		if err != nil {
			t.Error(err)
			return 0
		}
		io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}

	var wg sync.WaitGroup
	var oks atomic.Int32
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if status("yes.test") == 200 {
				oks.Add(1)
			}
		}()
	}
	time.Sleep(100 * time.Millisecond)
	close(release)
	wg.Wait()
	if oks.Load() != 5 || status("yes.test") != 200 {
		t.Errorf("allowed host: %d of 5 concurrent requests succeeded", oks.Load())
	}
	if status("no.test") != 403 || status("no.test") != 403 {
		t.Error("denied host was let through")
	}
	start := time.Now()
	if status("slow.test") != 403 {
		t.Error("unanswered question did not deny")
	}
	if d := time.Since(start); d < 250*time.Millisecond || d > 3*time.Second {
		t.Errorf("timeout took %s, want about 300ms", d)
	}
	mu.Lock()
	defer mu.Unlock()
	for key, n := range asked {
		if n != 1 {
			t.Errorf("asked %q %d times, want once (cached)", key, n)
		}
	}
	if len(asked) != 3 || asked[fmt.Sprintf("yes.test %d http", o.port)] != 1 {
		t.Errorf("questions: %v", asked)
	}
	wantEvent(t, log, Event{Host: "no.test", Port: o.port, Protocol: "http", Reason: "refused by the network request decision"})
	wantEvent(t, log, Event{Host: "slow.test", Port: o.port, Protocol: "http", Reason: "no network request decision within 300ms"})
	wantEvent(t, log, Event{Host: "yes.test", Port: o.port, Protocol: "http", Allowed: true, Reason: "allowed by the network request decision"})
}

func TestAskIsNotConsultedForDeniedHosts(t *testing.T) {
	proxy, _ := startProxy(t, nil, []string{"*.blocked.test"}, Options{
		Ask: func(context.Context, Request) bool { t.Error("Ask called for a denied host"); return true },
	})
	resp, _ := rawRequest(t, proxy, "CONNECT x.blocked.test:443 HTTP/1.1\r\n\r\n")
	if resp.StatusCode != 403 {
		t.Fatalf("got %d", resp.StatusCode)
	}
}

func TestAskIsBoundedToAFixedNumberOfDestinations(t *testing.T) {
	var calls atomic.Int32
	p := New(nil, Options{Ask: func(context.Context, Request) bool { calls.Add(1); return false }})
	for port := 1; port <= maxQuestions+10; port++ {
		p.ask(context.Background(), Request{Host: "flood.test", Port: port, Protocol: "http"})
	}
	ok, reason := p.ask(context.Background(), Request{Host: "flood.test", Port: 65000, Protocol: "http"})
	if ok || !strings.Contains(reason, "more than 256 distinct destinations") || calls.Load() != maxQuestions {
		t.Fatalf("got %v %q after %d questions", ok, reason, calls.Load())
	}
}
