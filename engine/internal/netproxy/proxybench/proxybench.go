// Package proxybench measures the filtering proxy against a direct connection, side by side in
// one run, on loopback: download throughput (plain HTTP forwarded, and through a CONNECT tunnel)
// and the median latency of a small request on a fresh connection. It is shared by the Go
// benchmark in netproxy and by cmd/stockade-proxy-bench, which bench/ runs.
package proxybench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os/exec"
	"slices"
	"strconv"
	"time"

	"stockade/engine/internal/netproxy"

	"stockade/engine/internal/netrules"
)

// Host is the name the benchmark asks the proxy for; it resolves to 127.0.0.1.
const Host = "bench.test"

// Env is a running origin server and proxy on loopback.
type Env struct {
	OriginPort int
	ProxyAddr  string
	stop       func()
}

// Start serves "GET /bytes/N" (N bytes) and "GET /tiny" on a loopback origin, and a proxy that
// allows Host on the origin's port with an explicit loopback opt-in.
func Start() (*Env, error) {
	originLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	origin := &http.Server{Handler: http.HandlerFunc(serveOrigin)}
	go origin.Serve(originLn)
	port := originLn.Addr().(*net.TCPAddr).Port

	rules, err := netrules.ParseRules([]string{fmt.Sprintf("%s:%d", Host, port)}, nil)
	if err != nil {
		origin.Close()
		return nil, err
	}
	p := netproxy.New(rules, netproxy.Options{
		Resolver: func(context.Context, string) ([]netip.Addr, error) {
			return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
		},
		AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
	})
	proxyLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		origin.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.Serve(ctx, proxyLn); close(done) }()
	return &Env{OriginPort: port, ProxyAddr: proxyLn.Addr().String(), stop: func() {
		cancel()
		<-done
		origin.Close()
	}}, nil
}

// Close stops the proxy and the origin.
func (e *Env) Close() { e.stop() }

var chunk = make([]byte, 256<<10)

func serveOrigin(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/tiny" {
		io.WriteString(w, "ok")
		return
	}
	n, err := strconv.ParseInt(r.URL.Path[len("/bytes/"):], 10, 64)
	if err != nil {
		http.Error(w, "bad size", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
	for n > 0 {
		m := min(n, int64(len(chunk)))
		if _, err := w.Write(chunk[:m]); err != nil {
			return
		}
		n -= m
	}
}

// Mode is how a client reaches the origin.
type Mode string

const (
	Direct  Mode = "direct"
	Forward Mode = "http-forward"
	Connect Mode = "connect-tunnel"
)

// Client returns an HTTP client for mode; keepAlive false opens a connection per request.
func (e *Env) Client(mode Mode, keepAlive bool) *http.Client {
	tr := &http.Transport{DisableKeepAlives: !keepAlive, DisableCompression: true}
	switch mode {
	case Forward:
		tr.Proxy = http.ProxyURL(&url.URL{Scheme: "http", Host: e.ProxyAddr})
	case Connect:
		tr.DialContext = func(ctx context.Context, _, addr string) (net.Conn, error) { return e.dialCONNECT(ctx, addr) }
	}
	return &http.Client{Transport: tr}
}

// URL is the origin URL of path as clients name it (direct clients connect to 127.0.0.1).
func (e *Env) URL(mode Mode, path string) string {
	host := Host
	if mode == Direct {
		host = "127.0.0.1"
	}
	return fmt.Sprintf("http://%s:%d%s", host, e.OriginPort, path)
}

func (e *Env) dialCONNECT(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", e.ProxyAddr)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(c, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", addr, addr)
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
	if err == nil && resp.StatusCode != 200 {
		err = fmt.Errorf("CONNECT refused: %s", resp.Status)
	}
	if err == nil && br.Buffered() > 0 {
		err = errors.New("CONNECT: unexpected bytes after the response")
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// Download fetches n bytes and returns the elapsed time.
func (e *Env) Download(client *http.Client, mode Mode, n int64) (time.Duration, error) {
	start := time.Now()
	resp, err := client.Get(e.URL(mode, "/bytes/"+strconv.FormatInt(n, 10)))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	got, err := io.Copy(io.Discard, resp.Body)
	if err == nil && got != n {
		err = fmt.Errorf("downloaded %d bytes, want %d", got, n)
	}
	return time.Since(start), err
}

// CurlDownload fetches n bytes with the curl binary (the client a user would run) and returns
// curl's own transfer time.
func (e *Env) CurlDownload(mode Mode, n int64) (time.Duration, error) {
	args := []string{"-sS", "-o", "/dev/null", "-w", "%{size_download} %{time_total}"}
	switch mode {
	case Forward:
		args = append(args, "--proxy", "http://"+e.ProxyAddr)
	case Connect:
		args = append(args, "--proxy", "http://"+e.ProxyAddr, "--proxytunnel")
	}
	out, err := exec.Command("curl", append(args, e.URL(mode, "/bytes/"+strconv.FormatInt(n, 10)))...).Output()
	if err != nil {
		return 0, fmt.Errorf("curl: %w", err)
	}
	var got int64
	var secs float64
	if _, err := fmt.Sscan(string(out), &got, &secs); err != nil || got != n {
		return 0, fmt.Errorf("curl reported %q, want %d bytes", out, n)
	}
	return time.Duration(secs * float64(time.Second)), nil
}

// MedianLatency runs count small requests, each on a new connection, and returns the median.
func (e *Env) MedianLatency(mode Mode, count int) (time.Duration, error) {
	client := e.Client(mode, false)
	times := make([]time.Duration, 0, count)
	for range count {
		start := time.Now()
		resp, err := client.Get(e.URL(mode, "/tiny"))
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	return times[len(times)/2], nil
}
