package netproxy

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"stockade/engine/internal/netrules"
)

var errHeadTooLarge = errors.New("request head too large")

// serveHTTP handles HTTP/1.1 proxy requests on one client connection: a CONNECT turns the
// connection into a tunnel; absolute-URI requests are forwarded one by one (keep-alive), each
// checked against the rules again.
func (p *Proxy) serveHTTP(ctx context.Context, conn net.Conn, br *bufio.Reader) {
	var up *upstream
	defer func() { up.close() }()
	for first := true; ; first = false {
		if !first {
			conn.SetReadDeadline(time.Now().Add(p.opts.IdleTimeout))
			if _, err := br.Peek(1); err != nil {
				return
			}
		}
		conn.SetReadDeadline(time.Now().Add(p.opts.HeaderTimeout))
		head, err := peekHead(br)
		if err != nil {
			if errors.Is(err, errHeadTooLarge) {
				p.emit(Event{Protocol: ProtocolHTTP, Reason: fmt.Sprintf("request head larger than %d bytes", p.opts.MaxHeaderBytes)})
				writeError(conn, http.StatusRequestHeaderFieldsTooLarge, "request head too large")
			}
			return
		}
		hostHeaders, herr := hostHeaderValues(head)
		req, err := http.ReadRequest(br)
		if err != nil || herr != nil {
			p.emit(Event{Protocol: ProtocolHTTP, Reason: "malformed HTTP request"})
			writeError(conn, http.StatusBadRequest, "malformed HTTP request")
			return
		}
		conn.SetReadDeadline(time.Time{})
		if req.Method == http.MethodConnect {
			p.serveConnect(ctx, conn, br, req, hostHeaders)
			return
		}
		if !p.forward(ctx, conn, br, req, hostHeaders, &up) {
			return
		}
	}
}

// peekHead waits until br holds a whole request head (through the empty line) and returns it
// without consuming it. The head must fit br's buffer, which is how MaxHeaderBytes is enforced.
func peekHead(br *bufio.Reader) ([]byte, error) {
	for need := 1; ; {
		buf, err := br.Peek(need)
		if end := headEnd(buf); end > 0 {
			return buf[:end], nil
		}
		if errors.Is(err, bufio.ErrBufferFull) || len(buf) == br.Size() {
			return nil, errHeadTooLarge
		}
		if err != nil {
			return nil, err
		}
		need = len(buf) + 1
	}
}

// headEnd returns the length of the head in buf through its empty line (CRLF or bare LF, as
// Go's parser accepts both), or 0 if the empty line has not arrived.
func headEnd(buf []byte) int {
	end := 0
	if i := bytes.Index(buf, []byte("\n\r\n")); i >= 0 {
		end = i + 3
	}
	if i := bytes.Index(buf, []byte("\n\n")); i >= 0 && (end == 0 || i+2 < end) {
		end = i + 2
	}
	return end
}

// hostHeaderValues returns the Host header lines of a request head. http.ReadRequest drops
// them for absolute-URI requests (RFC 9112 lets a proxy ignore them), but a Host that disagrees
// with the target is how a request smuggles itself to a different virtual host: we refuse it.
func hostHeaderValues(head []byte) ([]string, error) {
	tp := textproto.NewReader(bufio.NewReader(bytes.NewReader(head)))
	if _, err := tp.ReadLine(); err != nil {
		return nil, err
	}
	h, err := tp.ReadMIMEHeader()
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return h.Values("Host"), nil
}

// checkHostHeader refuses a Host header naming anything but host:port. A Host without a port
// stands for defaultPort.
func checkHostHeader(values []string, host string, port, defaultPort int) string {
	if len(values) == 0 {
		return ""
	}
	if len(values) > 1 {
		return "more than one Host header"
	}
	want, _ := netrules.ParseTarget(host)
	hh, hp := values[0], defaultPort
	if h, ps, err := net.SplitHostPort(hh); err == nil {
		n, err := strconv.Atoi(ps)
		if err != nil {
			return fmt.Sprintf("Host header %q has an invalid port", values[0])
		}
		hh, hp = h, n
	}
	got, why := netrules.ParseTarget(hh)
	if why != "" || got != want || hp != port {
		return fmt.Sprintf("Host header %q disagrees with the request target %q", values[0], net.JoinHostPort(want.String(), strconv.Itoa(port)))
	}
	return ""
}

func (p *Proxy) serveConnect(ctx context.Context, conn net.Conn, br *bufio.Reader, req *http.Request, hostHeaders []string) {
	host, portText, err := net.SplitHostPort(req.RequestURI)
	port, perr := strconv.Atoi(portText)
	if err != nil || perr != nil {
		p.emit(Event{Host: req.RequestURI, Protocol: ProtocolHTTPS, Reason: "CONNECT target is not host:port"})
		writeError(conn, http.StatusBadRequest, fmt.Sprintf("CONNECT target %q is not host:port", req.RequestURI))
		return
	}
	if reason := checkHostHeader(hostHeaders, host, port, port); reason != "" {
		p.emit(Event{Host: host, Port: port, Protocol: ProtocolHTTPS, Reason: reason})
		writeError(conn, http.StatusForbidden, reason)
		return
	}
	upconn, err := p.open(ctx, host, port, ProtocolHTTPS)
	if err != nil {
		writeOpenError(conn, err)
		return
	}
	if _, err := io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		upconn.Close()
		return
	}
	tunnel(conn, br, upconn)
}

func writeOpenError(conn net.Conn, err error) {
	var refused *refusedError
	if errors.As(err, &refused) {
		writeError(conn, http.StatusForbidden, refused.reason)
		return
	}
	writeError(conn, http.StatusBadGateway, err.Error())
}

// writeError answers with a short plain-text explanation and asks the client to close.
func writeError(conn net.Conn, status int, reason string) {
	body := "stockade proxy: " + reason + "\n"
	conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(conn, "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
		status, http.StatusText(status), len(body), body)
}

// hopByHop are headers that describe one connection, not the message; a proxy must not pass
// them on (RFC 9110 §7.6.1), nor any Proxy-* header meant for us.
var hopByHop = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

func stripHopByHop(h http.Header) {
	for _, v := range h.Values("Connection") {
		for _, name := range strings.Split(v, ",") {
			h.Del(strings.TrimSpace(name))
		}
	}
	for _, name := range hopByHop {
		h.Del(name)
	}
	for name := range h {
		if strings.HasPrefix(name, "Proxy-") {
			delete(h, name)
		}
	}
}
