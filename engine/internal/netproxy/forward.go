package netproxy

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"

	"stockade/engine/internal/netrules"
)

// upstream is the kept-alive origin connection of the previous plain-HTTP request on a client
// connection; it is reused only for a request to the same host:port.
type upstream struct {
	key  string
	conn net.Conn
	br   *bufio.Reader
	bw   *bufio.Writer
	stop func() bool
}

func (u *upstream) close() {
	if u != nil {
		u.stop()
		u.conn.Close()
	}
}

// forward relays one absolute-URI request and its response. It reports whether the client
// connection may carry another request.
func (p *Proxy) forward(ctx context.Context, conn net.Conn, br *bufio.Reader, req *http.Request, hostHeaders []string, upp **upstream) bool {
	fail := func(host string, port, status int, reason string) bool {
		p.emit(Event{Host: host, Port: port, Protocol: ProtocolHTTP, Reason: reason})
		writeError(conn, status, reason)
		return false
	}
	if req.URL.Host == "" {
		return fail("", 0, http.StatusBadRequest, fmt.Sprintf("request target %q is not an absolute URI; this is a proxy: send \"GET http://host/path\" or CONNECT", req.RequestURI))
	}
	host := req.URL.Hostname()
	if req.URL.Scheme != "http" {
		return fail(host, 0, http.StatusBadRequest, fmt.Sprintf("scheme %q cannot be forwarded; use CONNECT for https", req.URL.Scheme))
	}
	port := 80
	if ps := req.URL.Port(); ps != "" {
		n, err := strconv.Atoi(ps)
		if err != nil {
			return fail(host, 0, http.StatusBadRequest, fmt.Sprintf("invalid port %q", ps))
		}
		port = n
	}
	if reason := checkHostHeader(hostHeaders, host, port, 80); reason != "" {
		return fail(host, port, http.StatusForbidden, reason)
	}
	t, via, err := p.authorize(ctx, host, port, ProtocolHTTP)
	if err != nil {
		writeOpenError(conn, err)
		return false
	}

	clientClose := req.Close
	prepareRequest(req)
	if strings.EqualFold(req.Header.Get("Expect"), "100-continue") {
		// We send the body unconditionally, so tell the client to go ahead rather than let it
		// wait for a 100 that the origin may never send.
		req.Header.Del("Expect")
		if _, err := io.WriteString(conn, "HTTP/1.1 100 Continue\r\n\r\n"); err != nil {
			return false
		}
	}
	resp, err := p.roundTrip(ctx, conn, req, t, port, via, upp)
	if err != nil {
		if errors.As(err, new(*refusedError)) || errors.As(err, new(*unreachableError)) {
			writeOpenError(conn, err)
		} else {
			writeError(conn, http.StatusBadGateway, fmt.Sprintf("no valid response from %s: %v", net.JoinHostPort(t.String(), strconv.Itoa(port)), err))
		}
		(*upp).close()
		*upp = nil
		return false
	}
	keepClient, keepUpstream := relayResponse(conn, req, resp, *upp, clientClose)
	if !keepUpstream {
		(*upp).close()
		*upp = nil
	}
	return keepClient
}

// prepareRequest turns a proxy request into an origin request: origin-form target (req.Write
// writes only the path), no hop-by-hop or Proxy-* headers, and no Go default User-Agent.
func prepareRequest(req *http.Request) {
	stripHopByHop(req.Header)
	if _, ok := req.Header["User-Agent"]; !ok {
		req.Header["User-Agent"] = []string{""}
	}
	req.Close = false
}

// roundTrip sends req on the kept-alive upstream for its host:port, or on a new connection.
// A reused connection that the origin has meanwhile closed gets one retry on a fresh one when
// the request has no body (so nothing was consumed from the client).
func (p *Proxy) roundTrip(ctx context.Context, conn net.Conn, req *http.Request, t netrules.Target, port int, via string, upp **upstream) (*http.Response, error) {
	key := net.JoinHostPort(t.String(), strconv.Itoa(port))
	for attempt := 0; ; attempt++ {
		up := *upp
		reused := up != nil && up.key == key
		if reused {
			p.emit(Event{Host: t.String(), Port: port, Protocol: ProtocolHTTP, Allowed: true, Reason: via})
		} else {
			up.close()
			*upp = nil
			c, err := p.dialChecked(ctx, t, port, ProtocolHTTP, via)
			if err != nil {
				return nil, err
			}
			up = &upstream{key: key, conn: c, br: bufio.NewReader(c), bw: bufio.NewWriter(c),
				stop: context.AfterFunc(ctx, func() { c.Close() })}
			*upp = up
		}
		err := req.Write(up.bw)
		if err == nil {
			err = up.bw.Flush()
		}
		var resp *http.Response
		if err == nil {
			resp, err = readFinalResponse(conn, up.br, req)
		}
		if err == nil {
			return resp, nil
		}
		if !reused || attempt > 0 || (req.Body != nil && req.Body != http.NoBody) {
			return nil, err
		}
		up.close()
		*upp = nil
	}
}

// readFinalResponse reads the origin's response, passing interim 1xx responses to the client.
func readFinalResponse(conn net.Conn, br *bufio.Reader, req *http.Request) (*http.Response, error) {
	for {
		resp, err := http.ReadResponse(br, req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode == http.StatusSwitchingProtocols {
			return nil, errors.New("protocol upgrades are not forwarded")
		}
		if resp.StatusCode >= 200 {
			return resp, nil
		}
		cw := bufio.NewWriter(conn)
		writeHead(cw, resp)
		if err := cw.Flush(); err != nil {
			return nil, err
		}
	}
}

func writeHead(w *bufio.Writer, resp *http.Response) {
	w.WriteString("HTTP/1.1 " + resp.Status + "\r\n")
	resp.Header.Write(w)
	w.WriteString("\r\n")
}

// relayResponse writes resp to the client. A body of known length is copied straight from the
// origin socket with relay after whatever the parser had already buffered; any other
// framing goes through net/http's writer. It reports whether client and upstream stay usable.
func relayResponse(conn net.Conn, req *http.Request, resp *http.Response, up *upstream, clientClose bool) (keepClient, keepUpstream bool) {
	originClose := resp.Close
	stripHopByHop(resp.Header)
	noBody := req.Method == http.MethodHead || resp.StatusCode == http.StatusNoContent || resp.StatusCode == http.StatusNotModified
	cw := bufio.NewWriter(conn)
	if !noBody && resp.ContentLength >= 0 && len(resp.TransferEncoding) == 0 {
		resp.Header.Set("Content-Length", strconv.FormatInt(resp.ContentLength, 10))
		if clientClose {
			resp.Header.Set("Connection", "close")
		}
		writeHead(cw, resp)
		if cw.Flush() != nil {
			return false, false
		}
		n := resp.ContentLength
		buffered := min(int64(up.br.Buffered()), n)
		copied, err := io.CopyN(conn, up.br, buffered)
		if err == nil {
			var rest int64
			rest, err = relay(conn, up.conn, n-buffered)
			copied += rest
		}
		ok := err == nil && copied == n
		return ok && !clientClose, ok && !originClose
	}
	if !req.ProtoAtLeast(1, 1) {
		resp.TransferEncoding = nil // an HTTP/1.0 client cannot read chunks: send the body until close
	}
	closeDelimited := !noBody && resp.ContentLength < 0 && !(len(resp.TransferEncoding) > 0 && resp.TransferEncoding[0] == "chunked")
	keepClient = !clientClose && !closeDelimited
	resp.Close = !keepClient // makes Response.Write say "Connection: close"
	err := resp.Write(cw)
	if err == nil {
		err = cw.Flush()
	}
	return err == nil && keepClient, err == nil && !originClose && !closeDelimited
}
