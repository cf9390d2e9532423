package netproxy

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// origin is a plain HTTP server on loopback that records what it received.
type origin struct {
	*httptest.Server
	port    int
	conns   atomic.Int32
	lastReq atomic.Pointer[http.Request]
}

func newOrigin(t *testing.T, handler http.HandlerFunc) *origin {
	o := &origin{}
	o.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.lastReq.Store(r)
		handler(w, r)
	}))
	o.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			o.conns.Add(1)
		}
	}
	o.Start()
	t.Cleanup(o.Close)
	o.port = portOf(t, o.Listener.Addr().String())
	return o
}

func proxyClient(proxy string) *http.Client {
	u := &url.URL{Scheme: "http", Host: proxy, User: url.UserPassword("secret-user", "secret-pass")}
	return &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(u)}, Timeout: 10 * time.Second}
}

func TestHTTPForwardToAllowedHostRewritesTheRequest(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello from origin") })
	proxy, log := startProxy(t, []string{fmt.Sprintf("app.test:%d", o.port)}, nil,
		Options{Resolver: fakeDNS(map[string]string{"app.test": "127.0.0.1"}), AllowPrivate: loopback})

	req, _ := http.NewRequest("GET", fmt.Sprintf("http://APP.test:%d/path?q=1", o.port), nil)
	req.Header.Set("Connection", "X-Hop")
	req.Header.Set("X-Hop", "must not reach the origin")
	req.Header.Set("Proxy-Foo", "must not reach the origin")
	req.Header.Set("X-Keep", "kept")
	resp, err := proxyClient(proxy).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "hello from origin" {
		t.Fatalf("got %d %q", resp.StatusCode, body)
	}
	seen := o.lastReq.Load()
	if seen.RequestURI != "/path?q=1" {
		t.Errorf("origin saw target %q, want origin-form", seen.RequestURI)
	}
	if seen.Host != fmt.Sprintf("APP.test:%d", o.port) {
		t.Errorf("origin saw Host %q", seen.Host)
	}
	for _, h := range []string{"X-Hop", "Proxy-Foo", "Proxy-Authorization", "Proxy-Connection"} {
		if v := seen.Header.Get(h); v != "" {
			t.Errorf("hop-by-hop header %s=%q reached the origin", h, v)
		}
	}
	if seen.Header.Get("X-Keep") != "kept" || seen.Header.Get("User-Agent") == "" {
		t.Errorf("end-to-end headers lost: %v", seen.Header)
	}
	wantEvent(t, log, Event{Host: "app.test", Port: o.port, Protocol: "http", Allowed: true,
		Reason: fmt.Sprintf("allowed by rule %q", fmt.Sprintf("app.test:%d", o.port))})
}

func TestHTTPForwardCarriesBodiesOfEveryFraming(t *testing.T) {
	big := make([]byte, 5<<20+17)
	rand.New(rand.NewSource(1)).Read(big)
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big": // known length: the splice path
			w.Header().Set("Content-Length", fmt.Sprint(len(big)))
			w.Write(big)
		case "/chunked":
			w.Write(big[:1000])
			w.(http.Flusher).Flush()
			w.Write(big[1000:3000])
		case "/upload":
			data, _ := io.ReadAll(r.Body)
			fmt.Fprintf(w, "%x", sha256.Sum256(data))
		case "/empty":
			w.WriteHeader(http.StatusNoContent)
		}
	})
	proxy, _ := startProxy(t, []string{fmt.Sprintf("app.test:%d", o.port)}, nil,
		Options{Resolver: fakeDNS(map[string]string{"app.test": "127.0.0.1"}), AllowPrivate: loopback})
	client := proxyClient(proxy)
	base := fmt.Sprintf("http://app.test:%d", o.port)
	get := func(path string) (*http.Response, []byte) {
		resp, err := client.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, b
	}
	if _, b := get("/big"); !bytes.Equal(b, big) {
		t.Errorf("known-length body corrupted: %d bytes", len(b))
	}
	if resp, b := get("/chunked"); !bytes.Equal(b, big[:3000]) || resp.ContentLength != -1 {
		t.Errorf("chunked body corrupted: %d bytes, length %d", len(b), resp.ContentLength)
	}
	if resp, b := get("/empty"); resp.StatusCode != 204 || len(b) != 0 {
		t.Errorf("204: got %d with %d bytes", resp.StatusCode, len(b))
	}
	head, err := client.Head(base + "/big")
	if err != nil || head.ContentLength != int64(len(big)) {
		t.Errorf("HEAD: %v, length %d", err, head.ContentLength)
	}
	resp, err := client.Post(base+"/upload", "application/octet-stream", bytes.NewReader(big))
	if err != nil {
		t.Fatal(err)
	}
	sum, _ := io.ReadAll(resp.Body)
	if string(sum) != fmt.Sprintf("%x", sha256.Sum256(big)) {
		t.Errorf("upload corrupted")
	}
	// An HTTP/1.0 client gets a chunked origin response as a body delimited by close.
	c, err := net.Dial("tcp", proxy)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET %s/chunked HTTP/1.0\r\n\r\n", base)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	raw, err := io.ReadAll(c)
	if err != nil || !bytes.HasSuffix(raw, big[:3000]) || bytes.Contains(raw, []byte("chunked")) {
		t.Errorf("HTTP/1.0 client: %v, %d bytes", err, len(raw))
	}
	if n := o.conns.Load(); n != 2 {
		t.Errorf("origin saw %d connections for one kept-alive client and one HTTP/1.0 client, want 2", n)
	}
}

func TestHTTPKeepAliveRechecksEveryRequest(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	proxy, log := startProxy(t, []string{fmt.Sprintf("app.test:%d", o.port), fmt.Sprintf("evil.test:%d", o.port)},
		[]string{"evil.test"},
		Options{Resolver: fakeDNS(map[string]string{"app.test": "127.0.0.1", "evil.test": "127.0.0.1"}), AllowPrivate: loopback})
	c, err := net.Dial("tcp", proxy)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	fmt.Fprintf(c, "GET http://app.test:%d/ HTTP/1.1\r\nHost: app.test:%d\r\n\r\n", o.port, o.port)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("first request: %v %v", resp, err)
	}
	io.ReadAll(resp.Body)
	fmt.Fprintf(c, "GET http://evil.test:%d/ HTTP/1.1\r\nHost: evil.test:%d\r\n\r\n", o.port, o.port)
	resp, err = http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 403 {
		t.Fatalf("second request on the same connection: %v %v", resp, err)
	}
	wantEvent(t, log, Event{Host: "evil.test", Port: o.port, Protocol: "http", Reason: `denied by rule "evil.test"`})
}

func TestHTTPRefusals(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) { t.Errorf("origin reached: %s %s", r.Host, r.URL) })
	proxy, log := startProxy(t, []string{fmt.Sprintf("app.test:%d", o.port)}, nil,
		Options{Resolver: fakeDNS(map[string]string{"app.test": "127.0.0.1"}), AllowPrivate: loopback, MaxHeaderBytes: 4096})
	p := o.port
	cases := []struct {
		name, head string
		status     int
		reason     string
	}{
		{"Host mismatch", fmt.Sprintf("GET http://app.test:%d/ HTTP/1.1\r\nHost: other.test\r\n\r\n", p), 403, "disagrees with the request target"},
		{"Host port mismatch", fmt.Sprintf("GET http://app.test:%d/ HTTP/1.1\r\nHost: app.test\r\n\r\n", p), 403, "disagrees"},
		{"two Host headers", fmt.Sprintf("GET http://app.test:%d/ HTTP/1.1\r\nHost: app.test:%d\r\nHost: app.test:%d\r\n\r\n", p, p, p), 400, "malformed"},
		{"origin-form", fmt.Sprintf("GET / HTTP/1.1\r\nHost: app.test:%d\r\n\r\n", p), 400, "not an absolute URI"},
		{"https absolute URI", fmt.Sprintf("GET https://app.test:%d/ HTTP/1.1\r\n\r\n", p), 400, "use CONNECT"},
		{"unlisted host", fmt.Sprintf("GET http://other.test:%d/ HTTP/1.1\r\n\r\n", p), 403, "no allow rule matches"},
		{"IP literal", fmt.Sprintf("GET http://127.0.0.1:%d/ HTTP/1.1\r\n\r\n", p), 403, "no allow rule matches"},
		{"numeric host", fmt.Sprintf("GET http://2130706433:%d/ HTTP/1.1\r\n\r\n", p), 403, "invalid host"},
		{"CONNECT Host mismatch", fmt.Sprintf("CONNECT app.test:%d HTTP/1.1\r\nHost: other.test:%d\r\n\r\n", p, p), 403, "disagrees"},
		{"CONNECT unlisted", "CONNECT other.test:443 HTTP/1.1\r\n\r\n", 403, "no allow rule matches"},
		{"CONNECT without port", "CONNECT app.test HTTP/1.1\r\n\r\n", 400, "not host:port"},
		{"head too large", "GET http://app.test/ HTTP/1.1\r\nX-Big: " + strings.Repeat("a", 5000) + "\r\n\r\n", 431, "too large"},
		{"garbage", "\x16\x03\x01 not http\r\n\r\n", 400, "malformed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := rawRequest(t, proxy, c.head)
			if resp.StatusCode != c.status || !strings.Contains(body, c.reason) {
				t.Errorf("got %d %q, want %d containing %q", resp.StatusCode, body, c.status, c.reason)
			}
		})
	}
	if n := len(log.refusals()); n != len(cases) {
		t.Errorf("%d refusal events for %d refused requests: %+v", n, len(cases), log.refusals())
	}
}

func TestHTTPHeaderTimeoutClosesSlowClients(t *testing.T) {
	proxy, _ := startProxy(t, nil, nil, Options{HeaderTimeout: 200 * time.Millisecond})
	c, err := net.Dial("tcp", proxy)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET http://app.test/ HTTP/1.1\r\nX-Slow: ")
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	n, err := c.Read(make([]byte, 1))
	if n != 0 || err == nil || time.Since(start) > 3*time.Second {
		t.Fatalf("slow client not cut off: n=%d err=%v after %s", n, err, time.Since(start))
	}
}

func TestServeStopsAndClosesConnectionsWhenContextEnds(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- New(nil, Options{}).Serve(ctx, ln) }()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET http://x.test/ HTTP/1.1\r\n") // an unfinished head keeps it busy
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("client connection still open")
	}
	if _, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		t.Fatal("listener still accepting")
	}
}
