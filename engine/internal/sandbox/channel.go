//go:build linux

package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/step"
)

// message is what the inner stages tell the outer engine over a SOCK_SEQPACKET socketpair (init)
// or a pipe (exec stage), one JSON object per message, file descriptors attached with SCM_RIGHTS.
type message struct {
	Type string `json:"type"` // "error", "placeholders", "listener", "spawned", "started", "exit"; "frame", "ack" inwards
	// error
	Step    string `json:"step,omitempty"`
	Message string `json:"message,omitempty"`
	Hint    string `json:"hint,omitempty"`
	Code    int    `json:"code,omitempty"`
	// NoUserns marks an error caused by a user namespace without privileges (AppArmor's
	// restriction), so the outer engine may degrade when the caller allowed it.
	NoUserns bool `json:"noUserns,omitempty"`
	// placeholders
	Paths []string `json:"paths,omitempty"`
	// frame: PID 1's arguments (initArgs); the frame's memfd and the cgroup.procs file are attached
	Args json.RawMessage `json:"args,omitempty"`
	// learn: one event line from the learn supervisor, written out as it is
	Event json.RawMessage `json:"event,omitempty"`
	// listener
	Port int `json:"port,omitempty"`
	// exit: exactly one of ExitCode and Signal is meaningful
	ExitCode int `json:"exitCode,omitempty"`
	Signal   int `json:"signal,omitempty"`
}

// errorMessage turns a step error into its message.
func errorMessage(err error) message {
	se := step.As("engine", err)
	return message{Type: "error", Step: se.Step, Message: se.Error(), Hint: se.Hint, Code: se.ExitCode()}
}

// asError turns an error message back into the step error it was made from, message unchanged.
func (m *message) asError() *step.Error {
	e := &step.Error{Step: m.Step, Hint: m.Hint, Code: m.Code}
	if cause, ok := strings.CutPrefix(m.Message, m.Step+": "); ok { // a step error without a "what"
		e.Err = errors.New(cause)
	} else {
		e.What = strings.TrimPrefix(m.Message, m.Step+" ")
	}
	return e
}

// send writes one message with optional descriptors.
func send(fd int, m message, fds ...int) error {
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	var oob []byte
	if len(fds) > 0 {
		oob = unix.UnixRights(fds...)
	}
	return unix.Sendmsg(fd, data, oob, nil, 0)
}

// receiver reads messages through Go's network poller: the outer engine's goroutine parks instead
// of blocking a thread in recvmsg, so the runtime's monitor thread can sleep too (a thread blocked
// in a syscall keeps it polling every 20 µs, which costs more than the rest of the wait).
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
	return &receiver{conn: uc, buf: make([]byte, 16<<10), oob: make([]byte, unix.CmsgSpace(4*4))}, nil
}

// receive reads one message and the descriptors attached to it; ok is false at the end.
func (r *receiver) receive() (m message, fds []int, ok bool, err error) {
	n, oobn, _, _, err := r.conn.ReadMsgUnix(r.buf, r.oob)
	if errors.Is(err, unix.ECONNRESET) {
		// PID 1 ended with our ack unread (it failed before it needed it): the kernel reports
		// that once, ahead of the messages PID 1 sent before, which are still queued.
		n, oobn, _, _, err = r.conn.ReadMsgUnix(r.buf, r.oob)
	}
	if err != nil || (n == 0 && oobn == 0) {
		return m, nil, false, nil
	}
	fds = rights(r.oob[:oobn]) // close-on-exec: Go's ReadMsgUnix asks for MSG_CMSG_CLOEXEC
	if err := json.Unmarshal(r.buf[:n], &m); err != nil {
		return m, fds, false, fmt.Errorf("bad message from the sandbox: %w", err)
	}
	return m, fds, true, nil
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

// send writes one message without descriptors.
func (r *receiver) send(m message) error { return r.sendFds(m) }

// sendFds writes one message with descriptors.
func (r *receiver) sendFds(m message, fds ...int) error {
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	var oob []byte
	if len(fds) > 0 {
		oob = unix.UnixRights(fds...)
	}
	_, _, err = r.conn.WriteMsgUnix(data, oob, nil)
	return err
}

// receive reads one message and its descriptors (close-on-exec) on a blocking socket (PID 1's
// side); ok is false at the end.
func receive(fd int) (m message, fds []int, ok bool, err error) {
	buf := make([]byte, 4<<10)
	oob := make([]byte, unix.CmsgSpace(4*4))
	for {
		n, oobn, _, _, rerr := unix.Recvmsg(fd, buf, oob, unix.MSG_CMSG_CLOEXEC)
		if rerr == unix.EINTR {
			continue
		}
		if rerr != nil || (n == 0 && oobn == 0) {
			return m, nil, false, rerr
		}
		fds = rights(oob[:oobn])
		if err := json.Unmarshal(buf[:n], &m); err != nil {
			return m, fds, false, err
		}
		return m, fds, true, nil
	}
}

// reportExecError is how the exec stage fails: one JSON message on its error pipe, then exit.
func reportExecError(pipe *os.File, err error) {
	se := step.As("exec", err)
	m := errorMessage(se)
	data, _ := json.Marshal(m)
	if pipe != nil {
		_, _ = pipe.Write(data)
	}
	os.Exit(se.ExitCode())
}

// innerEnv is the environment of the engine's inner stages: nothing of the caller's (PID 1's
// environ is readable in /proc), one P for the Go scheduler (they do sequential work; fewer
// threads start faster).
var innerEnv = []string{"GOMAXPROCS=1"}
