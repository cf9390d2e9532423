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
	status     *receiver
	newNet     bool
	newSession bool
}

// startInit forks PID 1 into new namespaces (userns.Flags, and a network namespace when newNet),
// whose ids it maps itself.
func startInit(newNet, newSession bool) (*initProc, error) {
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, step.Fail("init", "socketpair", err)
	}
	status, err := newReceiver(pair[0])
	if err != nil {
		unix.Close(pair[1])
		return nil, step.Fail("init", "status channel", err)
	}
	// The user and pid namespaces come with the fork; PID 1 unshares the rest (pid1Boot).
	flags := uintptr(userns.Flags &^ (unix.CLONE_NEWUSER | unix.CLONE_NEWPID))
	if newNet {
		flags |= unix.CLONE_NEWNET
	}
	b := newBoot(pair[1], newSession, flags)
	pid, _, err := plan.Fork(unix.CLONE_NEWUSER|unix.CLONE_NEWPID, pid1Boot, unsafe.Pointer(b))
	unix.Close(pair[1])
	if err != nil {
		status.Close()
		if userns.Unavailable(err) {
			return nil, &noUsernsError{err}
		}
		return nil, step.Fail("init", "start", err)
	}
	return &initProc{pid: pid, status: status, newNet: newNet, newSession: newSession}, nil
}

// fits reports whether p's namespaces and session are the ones c asks for.
func (p *initProc) fits(c *config.ExecConfig) bool {
	return p.newNet == (c.Network.Mode != "host") && p.newSession == c.Process.NewSession
}

// discard ends a PID 1 that never got a plan (it ran nothing) and reaps it.
func (p *initProc) discard() {
	_ = unix.Kill(p.pid, unix.SIGKILL)
	wait(p.pid)
	p.status.Close()
}

// sendPlan hands PID 1 its plan and the descriptors flags name (pid1.go: planCgroup,
// planSupervise), in that order.
func (p *initProc) sendPlan(memfd int, flags int32, fds ...int) error {
	return p.status.send(record{Kind: recPlan, Code: flags}, append([]int{memfd}, fds...)...)
}
