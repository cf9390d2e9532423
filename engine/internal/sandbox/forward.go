//go:build linux

package sandbox

import (
	"os"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// targetSignals is what supervise signals in a namespaced run. The caller's SIGTERM, SIGINT and
// SIGHUP go straight to the target through its pidfd, which cannot reach another process once
// the target is gone; those that arrive before PID 1 reports the target exec'd are held and
// delivered then. PID 1 ignores them (it has no signal machinery to start, so it is ready to reap
// at once). Kill, for the wall-clock limit, ends PID 1 and with it the whole namespace.
type targetSignals struct {
	pid1    *initProc
	mu      sync.Mutex
	pidfd   int  // the target's, once it runs; -1 before and after
	started bool // the target was exec'd (and may have ended since)
	pending []syscall.Signal
}

func newTargetSignals(pid1 *initProc) *targetSignals { return &targetSignals{pid1: pid1, pidfd: -1} }

func (t *targetSignals) Signal(s os.Signal) error {
	sig := s.(syscall.Signal)
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.pidfd >= 0:
		return unix.PidfdSendSignal(t.pidfd, sig, nil, 0)
	case !t.started:
		t.pending = append(t.pending, sig)
	}
	return nil
}

func (t *targetSignals) Kill() error { return t.pid1.kill() }

// start delivers the held signals to the target (pidfd) and forwards the later ones.
func (t *targetSignals) start(pidfd int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.started, t.pidfd = true, pidfd
	for _, sig := range t.pending {
		_ = unix.PidfdSendSignal(pidfd, sig, nil, 0)
	}
	t.pending = nil
}

// end stops forwarding, before the caller closes the pidfd.
func (t *targetSignals) end() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.started, t.pidfd, t.pending = true, -1, nil
}
