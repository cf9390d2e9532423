package netproxy

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"syscall"
	"time"
)

// SOCKS5 (RFC 1928) constants used here.
const (
	socks5Version   = 0x05
	socksNoAuth     = 0x00
	socksNoMethod   = 0xff
	socksConnect    = 0x01
	socksAtypIPv4   = 0x01
	socksAtypDomain = 0x03
	socksAtypIPv6   = 0x04

	socksSucceeded        = 0x00
	socksGeneralFailure   = 0x01
	socksNotAllowed       = 0x02
	socksNetUnreachable   = 0x03
	socksHostUnreachable  = 0x04
	socksConnRefused      = 0x05
	socksTTLExpired       = 0x06
	socksCmdNotSupported  = 0x07
	socksAtypNotSupported = 0x08
)

// serveSOCKS5 handles a no-authentication SOCKS5 CONNECT. Names are resolved here (socks5h),
// so a client never needs DNS; IP literals are subject to the IP rules like anywhere else.
func (p *Proxy) serveSOCKS5(ctx context.Context, conn net.Conn, br *bufio.Reader) {
	malformed := func(what string) {
		p.emit(Event{Protocol: ProtocolSOCKS5, Reason: "malformed SOCKS5 " + what})
	}
	var hdr [2]byte
	if _, err := io.ReadFull(br, hdr[:]); err != nil {
		malformed("greeting")
		return
	}
	methods := make([]byte, hdr[1])
	if _, err := io.ReadFull(br, methods); err != nil {
		malformed("greeting")
		return
	}
	if bytes.IndexByte(methods, socksNoAuth) < 0 {
		p.emit(Event{Protocol: ProtocolSOCKS5, Reason: "SOCKS5 client offers no method without authentication"})
		conn.Write([]byte{socks5Version, socksNoMethod})
		return
	}
	if _, err := conn.Write([]byte{socks5Version, socksNoAuth}); err != nil {
		return
	}

	var req [4]byte // VER CMD RSV ATYP
	if _, err := io.ReadFull(br, req[:]); err != nil || req[0] != socks5Version {
		malformed("request")
		return
	}
	host, ok := readSOCKSHost(br, req[3])
	if !ok {
		malformed("address")
		reply(conn, socksAtypNotSupported)
		return
	}
	var portBytes [2]byte
	if _, err := io.ReadFull(br, portBytes[:]); err != nil {
		malformed("request")
		return
	}
	port := int(portBytes[0])<<8 | int(portBytes[1])
	if req[1] != socksConnect {
		p.emit(Event{Host: host, Port: port, Protocol: ProtocolSOCKS5,
			Reason: fmt.Sprintf("SOCKS5 command %d is not supported (only CONNECT)", req[1])})
		reply(conn, socksCmdNotSupported)
		return
	}
	conn.SetReadDeadline(time.Time{})
	upconn, err := p.open(ctx, host, port, ProtocolSOCKS5)
	if err != nil {
		reply(conn, socksReplyCode(err))
		return
	}
	if reply(conn, socksSucceeded) != nil {
		upconn.Close()
		return
	}
	tunnel(conn, br, upconn)
}

// readSOCKSHost reads DST.ADDR of type atyp as a host string for the rules.
func readSOCKSHost(br *bufio.Reader, atyp byte) (string, bool) {
	switch atyp {
	case socksAtypIPv4:
		var b [4]byte
		if _, err := io.ReadFull(br, b[:]); err != nil {
			return "", false
		}
		return netip.AddrFrom4(b).String(), true
	case socksAtypIPv6:
		var b [16]byte
		if _, err := io.ReadFull(br, b[:]); err != nil {
			return "", false
		}
		return netip.AddrFrom16(b).String(), true
	case socksAtypDomain:
		n, err := br.ReadByte()
		if err != nil || n == 0 {
			return "", false
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(br, b); err != nil {
			return "", false
		}
		return string(b), true
	}
	return "", false
}

// reply sends a SOCKS5 reply. The bound address is always 0.0.0.0:0: the real one is the host
// side's address, which the sandbox has no business knowing.
func reply(conn net.Conn, code byte) error {
	_, err := conn.Write([]byte{socks5Version, code, 0, socksAtypIPv4, 0, 0, 0, 0, 0, 0})
	return err
}

func socksReplyCode(err error) byte {
	var refused *refusedError
	var unreachable *unreachableError
	switch {
	case errors.As(err, &refused):
		return socksNotAllowed
	case errors.Is(err, syscall.ECONNREFUSED):
		return socksConnRefused
	case errors.Is(err, syscall.ENETUNREACH):
		return socksNetUnreachable
	case errors.Is(err, syscall.EHOSTUNREACH):
		return socksHostUnreachable
	case errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		return socksTTLExpired
	case errors.As(err, &unreachable) && unreachable.resolving:
		return socksHostUnreachable
	}
	return socksGeneralFailure
}
