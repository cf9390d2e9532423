package netproxy

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"syscall"
	"time"

	"stockade/engine/internal/netrules"
)

// Protocols as reported in Request and Event.
const (
	ProtocolHTTP   = "http"   // plain HTTP request with an absolute URI
	ProtocolHTTPS  = "https"  // HTTP CONNECT tunnel (almost always TLS)
	ProtocolSOCKS5 = "socks5" // SOCKS5 CONNECT
)

// Request is a destination put to Options.Ask because no rule matched it. Its JSON form is the
// argument of the caller's onNetworkRequest({ host, port, protocol }).
type Request struct {
	Host     string `json:"host"` // normalised: lower case, no trailing dot; IP literals without brackets
	Port     int    `json:"port"`
	Protocol string `json:"protocol"`
}

// Event reports one connection attempt: every refusal, and every allowed connection (for
// learning which hosts a command needs). Host is empty when the request was too malformed
// to name one.
type Event struct {
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Protocol string `json:"protocol"`
	Allowed  bool   `json:"allowed"`
	Reason   string `json:"reason"` // the deciding rule, the ask outcome, or the refusal cause
}

// Options tunes a Proxy. Every field is optional.
type Options struct {
	// Resolver maps a name to addresses on the host side. Default: the system resolver.
	Resolver func(ctx context.Context, host string) ([]netip.Addr, error)
	// Dial connects to "ip:port" (network "tcp"). Default: a net.Dialer.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// OnEvent receives events. It is called from connection goroutines, possibly concurrently,
	// and should not block.
	OnEvent func(Event)
	// Ask decides destinations that match no rule; nil refuses them. It must return once ctx
	// is done (the proxy stops waiting then anyway and denies). Each host:port is asked once per
	// Proxy, concurrent requests share the pending question, and the answer (a timeout counts
	// as a denial) is cached for the Proxy's lifetime. Beyond 256 distinct host:port pairs,
	// further ones are refused without asking.
	Ask func(ctx context.Context, req Request) bool
	// AskTimeout bounds the wait for Ask. Default 30 s.
	AskTimeout time.Duration
	// AllowPrivate opts address blocks into reach despite the SSRF policy (for example the
	// loopback block in tests, or a corporate registry on 10.0.0.0/8). Deny rules still apply.
	AllowPrivate []netip.Prefix
	// HeaderTimeout bounds reading a request head or the SOCKS5 handshake. Default 10 s.
	HeaderTimeout time.Duration
	// IdleTimeout bounds the wait for the next request on a kept-alive connection. Default 60 s.
	IdleTimeout time.Duration
	// DialTimeout bounds resolving and connecting to a destination. Default 15 s.
	DialTimeout time.Duration
	// MaxHeaderBytes bounds a request head (request line and headers). Default 64 KiB.
	MaxHeaderBytes int
}

// Proxy filters connections against Rules. Create it with New; it is safe for concurrent use.
type Proxy struct {
	rules *netrules.Rules
	opts  Options

	askMu sync.Mutex
	asks  map[string]*askEntry
}

// New returns a proxy enforcing rules (nil rules allow nothing) with opts' defaults filled in.
func New(rules *netrules.Rules, opts Options) *Proxy {
	if rules == nil {
		rules = &netrules.Rules{}
	}
	if opts.Resolver == nil {
		opts.Resolver = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	if opts.Dial == nil {
		opts.Dial = (&net.Dialer{}).DialContext
	}
	setDefault(&opts.AskTimeout, 30*time.Second)
	setDefault(&opts.HeaderTimeout, 10*time.Second)
	setDefault(&opts.IdleTimeout, 60*time.Second)
	setDefault(&opts.DialTimeout, 15*time.Second)
	if opts.MaxHeaderBytes <= 0 {
		opts.MaxHeaderBytes = 64 << 10
	}
	return &Proxy{rules: rules, opts: opts, asks: map[string]*askEntry{}}
}

func setDefault(d *time.Duration, v time.Duration) {
	if *d <= 0 {
		*d = v
	}
}

// Serve accepts connections from ln and serves each in its own goroutine until ctx ends, then
// closes ln, waits for the connections to finish (they are closed by ctx too) and returns nil.
// An accept error other than a transient one is returned.
func (p *Proxy) Serve(ctx context.Context, ln net.Listener) error {
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	backoff := 5 * time.Millisecond
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if isTransientAcceptError(err) {
				time.Sleep(backoff)
				backoff = min(2*backoff, time.Second)
				continue
			}
			return fmt.Errorf("Proxy accept failed: %w", err)
		}
		backoff = 5 * time.Millisecond
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.ServeConn(ctx, c)
		}()
	}
}

func isTransientAcceptError(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.ENOBUFS)
}

// ServeConn serves one client connection and closes it. The first byte chooses the protocol:
// 0x05 is SOCKS5, anything else is read as HTTP/1.1. ctx ending closes the connection.
func (p *Proxy) ServeConn(ctx context.Context, conn net.Conn) {
	defer conn.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	conn.SetReadDeadline(time.Now().Add(p.opts.HeaderTimeout))
	br := bufio.NewReaderSize(conn, p.opts.MaxHeaderBytes)
	first, err := br.Peek(1)
	if err != nil {
		return
	}
	if first[0] == socks5Version {
		p.serveSOCKS5(ctx, conn, br)
		return
	}
	p.serveHTTP(ctx, conn, br)
}

func (p *Proxy) emit(e Event) {
	if p.opts.OnEvent != nil {
		p.opts.OnEvent(e)
	}
}

// refusedError is a policy refusal (HTTP 403, SOCKS5 "not allowed by ruleset").
type refusedError struct{ reason string }

func (e *refusedError) Error() string { return e.reason }

// unreachableError is a failure to resolve or connect to an allowed destination.
type unreachableError struct {
	reason    string
	err       error
	resolving bool // the name did not resolve (as opposed to the connect failing)
}

func (e *unreachableError) Error() string { return e.reason }
func (e *unreachableError) Unwrap() error { return e.err }

// authorize applies the rules (and Ask) to host:port. It emits an event for a refusal and
// returns the normalised target and what allowed it.
func (p *Proxy) authorize(ctx context.Context, host string, port int, protocol string) (netrules.Target, string, error) {
	refuse := func(name, reason string) (netrules.Target, string, error) {
		p.emit(Event{Host: name, Port: port, Protocol: protocol, Reason: reason})
		return netrules.Target{}, "", &refusedError{reason}
	}
	t, why := netrules.ParseTarget(host)
	if why != "" {
		return refuse(host, fmt.Sprintf("invalid host %q: it %s", host, why))
	}
	if port < 1 || port > 65535 {
		return refuse(t.String(), fmt.Sprintf("invalid port %d", port))
	}
	d := p.rules.DecideTarget(t, port)
	switch d.Verdict {
	case netrules.Allow:
		return t, fmt.Sprintf("allowed by rule %q", d.Rule), nil
	case netrules.Deny:
		return refuse(t.String(), fmt.Sprintf("denied by rule %q", d.Rule))
	}
	if p.opts.Ask == nil {
		return refuse(t.String(), "no allow rule matches")
	}
	ok, reason := p.ask(ctx, Request{Host: t.String(), Port: port, Protocol: protocol})
	if !ok {
		return refuse(t.String(), reason)
	}
	return t, reason, nil
}

// open authorizes host:port, resolves it on this side, checks every address against the SSRF
// policy and connects to a checked address (never re-resolving, so a DNS answer that changes
// between check and connect cannot redirect the connection).
func (p *Proxy) open(ctx context.Context, host string, port int, protocol string) (net.Conn, error) {
	t, via, err := p.authorize(ctx, host, port, protocol)
	if err != nil {
		return nil, err
	}
	return p.dialChecked(ctx, t, port, protocol, via)
}

func (p *Proxy) dialChecked(ctx context.Context, t netrules.Target, port int, protocol, via string) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, p.opts.DialTimeout)
	defer cancel()
	name := t.String()
	addrs := []netip.Addr{t.IP}
	if !t.IP.IsValid() {
		var err error
		addrs, err = p.opts.Resolver(ctx, t.Name)
		if err == nil && len(addrs) == 0 {
			err = errors.New("no addresses")
		}
		if err != nil {
			reason := fmt.Sprintf("cannot resolve %q: %v", t.Name, err)
			p.emit(Event{Host: name, Port: port, Protocol: protocol, Reason: reason})
			return nil, &unreachableError{reason: reason, err: err, resolving: true}
		}
	}
	checked := make([]netip.Addr, len(addrs)) // a copy: the resolver may cache its slice
	for i, a := range addrs {
		checked[i] = a.Unmap()
		if reason := p.addressRefusal(checked[i], port); reason != "" {
			if t.Name != "" {
				reason = fmt.Sprintf("%q resolves to %s", t.Name, reason)
			}
			p.emit(Event{Host: name, Port: port, Protocol: protocol, Reason: reason})
			return nil, &refusedError{reason}
		}
	}
	p.emit(Event{Host: name, Port: port, Protocol: protocol, Allowed: true, Reason: via})
	var lastErr error
	for _, a := range checked {
		c, err := p.opts.Dial(ctx, "tcp", netip.AddrPortFrom(a, uint16(port)).String())
		if err == nil {
			return c, nil
		}
		lastErr = err
	}
	return nil, &unreachableError{reason: fmt.Sprintf("cannot connect to %s port %d: %v", name, port, lastErr), err: lastErr}
}

// addressRefusal applies the SSRF policy to one resolved address: IP deny rules always apply;
// a special address (loopback, private, link-local, metadata, …) passes only when an IP allow
// rule names it for this port or it lies in Options.AllowPrivate. An allow rule for a NAME never
// unlocks a special address, so a permitted name cannot be pointed at the host's own services.
func (p *Proxy) addressRefusal(addr netip.Addr, port int) string {
	allowed, _, denied := p.rules.IPRule(addr, port)
	if denied {
		return fmt.Sprintf("%s, which a deny rule names", addr)
	}
	kind := specialKind(addr)
	if kind == "" || allowed {
		return ""
	}
	for _, pre := range p.opts.AllowPrivate {
		if pre.Contains(addr.WithZone("")) {
			return ""
		}
	}
	return fmt.Sprintf("the %s address %s, refused to prevent SSRF; allow it with the rule %q",
		kind, addr, net.JoinHostPort(addr.String(), strconv.Itoa(port)))
}
