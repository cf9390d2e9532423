package netproxy

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
)

// The proxy's listening socket is created inside the sandbox's network namespace (where only
// loopback exists) and handed to the engine outside it over a Unix socket. A socket keeps the
// namespace it was created in, so the engine accepts sandbox connections on it while dialing
// out from the host namespace.

// SendListener passes ln's socket to the peer of c (SCM_RIGHTS). ln stays open and usable.
func SendListener(c *net.UnixConn, ln *net.TCPListener) error {
	f, err := ln.File() // a duplicate; closing it leaves ln alone
	if err != nil {
		return fmt.Errorf("Cannot pass the proxy listener: %w", err)
	}
	defer f.Close()
	return SendFD(c, int(f.Fd()))
}

// SendFD passes one file descriptor to the peer of c with a one-byte message.
func SendFD(c *net.UnixConn, fd int) error {
	n, oobn, err := c.WriteMsgUnix([]byte{0}, syscall.UnixRights(fd), nil)
	if err != nil {
		return fmt.Errorf("Cannot send file descriptor %d: %w", fd, err)
	}
	if n != 1 || oobn == 0 {
		return fmt.Errorf("Cannot send file descriptor %d: short write", fd)
	}
	return nil
}

// ReceiveFD receives exactly one file descriptor sent with SendFD (close-on-exec set). Any
// extra descriptors in the message are closed and reported as an error.
func ReceiveFD(c *net.UnixConn) (int, error) {
	buf := make([]byte, 1)
	oob := make([]byte, syscall.CmsgSpace(4*4)) // room to notice (and close) surplus fds
	n, oobn, flags, _, err := c.ReadMsgUnix(buf, oob)
	if err != nil {
		return -1, fmt.Errorf("Cannot receive a file descriptor: %w", err)
	}
	msgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
	if err != nil {
		return -1, fmt.Errorf("Cannot receive a file descriptor: %w", err)
	}
	var fds []int
	for _, m := range msgs {
		got, err := syscall.ParseUnixRights(&m)
		if err == nil {
			fds = append(fds, got...)
		}
	}
	if n != 1 || len(fds) != 1 || flags&syscall.MSG_CTRUNC != 0 {
		for _, fd := range fds {
			syscall.Close(fd)
		}
		return -1, fmt.Errorf("Cannot receive a file descriptor: expected one, got %d (truncated: %t)", len(fds), flags&syscall.MSG_CTRUNC != 0)
	}
	return fds[0], nil
}

// ReceiveListener receives a listening TCP socket sent with SendListener.
func ReceiveListener(c *net.UnixConn) (*net.TCPListener, error) {
	fd, err := ReceiveFD(c)
	if err != nil {
		return nil, err
	}
	return ListenerFromFD(fd)
}

// ListenerFromFD wraps a listening TCP socket descriptor, taking ownership of fd (it is closed
// on error, and by closing the returned listener otherwise). A socket that is not a listening
// TCP socket is refused, so a confused peer cannot make the engine accept on something else.
func ListenerFromFD(fd int) (*net.TCPListener, error) {
	f := os.NewFile(uintptr(fd), "proxy-listener")
	defer f.Close() // net.FileListener works on a duplicate
	listening, err := syscall.GetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_ACCEPTCONN)
	if err != nil {
		return nil, fmt.Errorf("File descriptor %d is not a socket: %w", fd, err)
	}
	if listening != 1 {
		return nil, fmt.Errorf("Socket %d is not listening", fd)
	}
	ln, err := net.FileListener(f)
	if err != nil {
		return nil, fmt.Errorf("Cannot use socket %d as a listener: %w", fd, err)
	}
	tl, ok := ln.(*net.TCPListener)
	if !ok {
		ln.Close()
		return nil, errors.New("The passed listener is not a TCP socket")
	}
	return tl, nil
}
