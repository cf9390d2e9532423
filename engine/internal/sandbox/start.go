//go:build linux

package sandbox

import (
	"unsafe"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/config"
	"stockade/engine/internal/plan"
	"stockade/engine/internal/step"
	"stockade/engine/internal/userns"
)

// initProc is PID 1 in its new namespaces (pid1.go), forked before the engine has read its
// frame: it waits on its status socket for the plan and does nothing before. So the engine forks
// it first, for the namespaces a run asks for by default (a new network namespace and session),
// and the namespaces are made while the engine reads and checks the frame and plans; a frame that
// asks for other namespaces gets a new PID 1 and this one is discarded. Each PID 1 serves one
// plan: nothing is shared between runs.
type initProc struct {
	pid        int
	pidfd      int // from the zygote (serve), which reaps PID 1; -1 when the engine forked and reaps it
	status     *receiver
	newNet     bool
	newSession bool
	closed     bool
}

// pid1Unshare is what PID 1 unshares itself: the user and pid namespaces come with its fork.
//
//go:nosplit
func pid1Unshare(newNet bool) uintptr {
	flags := uintptr(userns.Flags &^ (unix.CLONE_NEWUSER | unix.CLONE_NEWPID))
	if newNet {
		flags |= unix.CLONE_NEWNET
	}
	return flags
}

// statusPair makes PID 1's status socket: the engine's end as a receiver, PID 1's as an fd.
func statusPair() (*receiver, int, error) {
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, -1, step.Fail("init", "socketpair", err)
	}
	status, err := newReceiver(pair[0])
	if err != nil {
		unix.Close(pair[1])
		return nil, -1, step.Fail("init", "status channel", err)
	}
	return status, pair[1], nil
}

// startFailed is the error of a PID 1 that could not be forked.
func startFailed(err error) error {
	if userns.Unavailable(err) {
		return &noUsernsError{err}
	}
	return step.Fail("init", "start", err)
}

// startInit forks PID 1 into new namespaces (userns.Flags, and a network namespace when newNet),
// whose ids it maps itself.
func startInit(newNet, newSession bool) (*initProc, error) {
	status, theirs, err := statusPair()
	if err != nil {
		return nil, err
	}
	b := newBoot(theirs, newSession, pid1Unshare(newNet))
	pid, _, err := plan.Fork(unix.CLONE_NEWUSER|unix.CLONE_NEWPID, pid1Boot, unsafe.Pointer(b))
	unix.Close(theirs)
	if err != nil {
		status.Close()
		return nil, startFailed(err)
	}
	return withPrelude(&initProc{pid: pid, pidfd: -1, status: status, newNet: newNet, newSession: newSession})
}

// withPrelude hands a new PID 1 its prelude, which it builds while the engine plans; a PID 1 that
// cannot have it is discarded.
func withPrelude(p *initProc) (*initProc, error) {
	if err := p.sendPrelude(); err != nil {
		p.discard()
		return nil, err
	}
	return p, nil
}

// earlyInit is where `run` takes PID 1 from: the one forked before the frame was read, when it
// fits the frame, else one forked then.
type earlyInit struct{ p *initProc }

func (e *earlyInit) take(c *config.ExecConfig) *initProc {
	p := e.p
	e.p = nil
	if p != nil && !p.fits(c) {
		p.discard() // the frame asks for other namespaces
		return nil
	}
	return p
}

func (e *earlyInit) start(newNet, newSession bool) (*initProc, error) {
	return startInit(newNet, newSession)
}

func (e *earlyInit) refill() {}

// discard ends the early PID 1 when no run took it (the frame was refused first).
func (e *earlyInit) discard() {
	if e.p != nil {
		e.p.discard()
		e.p = nil
	}
}

// fits reports whether p's namespaces and session are the ones c asks for.
func (p *initProc) fits(c *config.ExecConfig) bool {
	return p.newNet == (c.Network.Mode != "host") && p.newSession == c.Process.NewSession
}

// kill ends PID 1 and with it its namespaces and every process in them. Through a pidfd it
// cannot reach another process once PID 1 is reaped.
func (p *initProc) kill() error {
	if p.pidfd >= 0 {
		return unix.PidfdSendSignal(p.pidfd, unix.SIGKILL, nil, 0)
	}
	return unix.Kill(p.pid, unix.SIGKILL)
}

// discard ends a PID 1 that never got a plan (it ran nothing).
func (p *initProc) discard() {
	_ = p.kill()
	p.wait()
	p.close()
}

// wait waits for PID 1 to end and returns its wait status, known only when the engine is its
// parent.
func (p *initProc) wait() (ws unix.WaitStatus, known bool) {
	if p.pidfd < 0 {
		return wait(p.pid), true
	}
	fds := []unix.PollFd{{Fd: int32(p.pidfd), Events: unix.POLLIN}} // readable once it has exited
	for {
		if _, err := unix.Poll(fds, -1); err != unix.EINTR {
			return 0, false
		}
	}
}

func (p *initProc) close() {
	if p.closed {
		return
	}
	p.closed = true
	p.status.Close()
	if p.pidfd >= 0 {
		unix.Close(p.pidfd)
	}
}

// sendPlan hands PID 1 its plan and the descriptors flags name (pid1.go: planCgroup,
// planSupervise), in that order.
func (p *initProc) sendPlan(memfd int, flags int32, fds ...int) error {
	return p.status.send(record{Kind: recPlan, Code: flags}, append([]int{memfd}, fds...)...)
}
