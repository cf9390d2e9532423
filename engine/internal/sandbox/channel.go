//go:build linux

package sandbox

import (
	"errors"
	"fmt"
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// receiver is the outer engine's end of PID 1's status socket. It reads through Go's network
// poller: the engine's goroutine parks instead of blocking a thread in recvmsg, so the runtime's
// monitor thread can sleep too (a thread blocked in a syscall keeps it polling every 20 µs, which
// costs more than the rest of the wait).
type receiver struct {
	conn *net.UnixConn
	buf  []byte
	oob  []byte
}

func newReceiver(fd int) (*receiver, error) {
	f := os.NewFile(uintptr(fd), "status")
	c, err := net.FileConn(f) // dups fd
	f.Close()
	if err != nil {
		return nil, err
	}
	uc, ok := c.(*net.UnixConn)
	if !ok {
		c.Close()
		return nil, fmt.Errorf("status channel is a %T", c)
	}
	return &receiver{conn: uc, buf: make([]byte, 64<<10), oob: make([]byte, unix.CmsgSpace(4*4))}, nil
}

// receive reads one record, the event line after it and the descriptors attached to it
// (close-on-exec: Go's ReadMsgUnix asks for MSG_CMSG_CLOEXEC); ok is false at the end.
func (r *receiver) receive() (rec record, line []byte, fds []int, ok bool, err error) {
	n, oobn, _, _, err := r.conn.ReadMsgUnix(r.buf, r.oob)
	if errors.Is(err, unix.ECONNRESET) {
		// PID 1 ended with a message of ours unread: the kernel reports that once, ahead of the
		// messages PID 1 sent before, which are still queued.
		n, oobn, _, _, err = r.conn.ReadMsgUnix(r.buf, r.oob)
	}
	if err != nil || (n == 0 && oobn == 0) {
		return rec, nil, nil, false, nil
	}
	fds = rights(r.oob[:oobn])
	rec, line, err = decodeRecord(r.buf[:n])
	if err != nil {
		return rec, nil, fds, false, fmt.Errorf("bad message from the sandbox: %w", err)
	}
	return rec, line, fds, true, nil
}

// send writes one record with descriptors.
func (r *receiver) send(rec record, fds ...int) error {
	var oob []byte
	if len(fds) > 0 {
		oob = unix.UnixRights(fds...)
	}
	_, _, err := r.conn.WriteMsgUnix(rec.bytes(), oob, nil)
	return err
}

func (r *receiver) Close() error { return r.conn.Close() }

// rights returns the descriptors attached to a message.
func rights(oob []byte) (fds []int) {
	cmsgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil
	}
	for _, c := range cmsgs {
		if got, err := unix.ParseUnixRights(&c); err == nil {
			fds = append(fds, got...)
		}
	}
	return fds
}

// innerEnv is the environment of the supervising PID 1 (supervise.go): nothing of the caller's
// (PID 1's environ is readable in /proc), one P for the Go scheduler.
var innerEnv = []string{innerGOMAXPROCS}

const innerGOMAXPROCS = "GOMAXPROCS=1"
