//go:build linux

package learn

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// MaxRecords bounds what one run reports: past it, one warning and no more new records (the
// calls still proceed).
const MaxRecords = 20000

// Supervisor runs in the sandbox's PID 1 (not under the filter): it takes the listener of the
// target's filter and hands each notification to its handler until no task uses the filter.
type Supervisor struct {
	h    handler
	done chan struct{}
}

// handler is what a supervisor does with notifications: learn mode's learner, or an ordinary
// run's reporter of refused calls (refusals.go).
type handler interface {
	// handle answers one notification; the task waits in its call until it does.
	handle(listener int, n *notif)
	// end runs once no task uses the filter any more, before Wait returns.
	end()
	// noListener is told why the target's filter has no listener (its fallback was installed).
	noListener(reason string)
}

// learner is learn mode's handler.
type learner struct {
	base []unix.SockFilter
	emit func(event []byte)
	seen map[string]bool
	full bool
}

// NewLearner is learn mode's supervisor. emit receives each new record as one JSON event line,
// from the supervisor's goroutine.
func NewLearner(base []unix.SockFilter, emit func(event []byte)) *Supervisor {
	return &Supervisor{h: &learner{base: base, emit: emit, seen: map[string]bool{}}, done: make(chan struct{})}
}

// Serve answers the notifications of listener until no task uses the filter; it returns at once.
func (s *Supervisor) Serve(listener int) { go s.run(listener) }

// NoListener ends a supervisor whose target's filter got no listener, saying why.
func (s *Supervisor) NoListener(reason string) {
	s.h.noListener(reason)
	close(s.done)
}

// Wait returns once every process under the filter is gone and each record is out (or after
// timeout: records are best effort, the exit status is not).
func (s *Supervisor) Wait(timeout time.Duration) {
	select {
	case <-s.done:
	case <-time.After(timeout):
	}
}

func (s *Supervisor) run(listener int) {
	defer close(s.done)
	defer unix.Close(listener)
	defer s.h.end()
	var n notif
	for {
		fds := []unix.PollFd{{Fd: int32(listener), Events: unix.POLLIN}}
		if _, err := unix.Poll(fds, -1); err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			return
		}
		switch {
		case fds[0].Revents&unix.POLLIN != 0:
			if recv(listener, &n) == nil {
				s.h.handle(listener, &n)
			}
		case fds[0].Revents != 0: // POLLHUP: no task uses the filter any more
			return
		}
	}
}

// handle decides one notification the way the base program would, recording what it learns.
func (s *learner) handle(listener int, n *notif) {
	nr, arch := nrArch(&n.Data)
	v, err := Eval(s.base, n.Data[:])
	if err != nil {
		// Cannot happen with a program the kernel accepted; fail closed.
		s.record("error\x00"+err.Error(), map[string]any{"type": "warning", "code": "learn-eval", "message": "learn: the base program could not be evaluated: " + err.Error()})
		fail(listener, n.ID, uint32(unix.EPERM))
		return
	}
	act := v.Ret & retActionMask
	switch act {
	case retAllow, retLog, retUserNotif:
		files := fileArgs(int(n.Pid), nr, arch, &n.Data)
		if !valid(listener, n.ID) {
			return // the task died or left the call: what was read may not be its path
		}
		if act == retUserNotif {
			s.learnSyscall(nr, arch, v.ReadArgs, &n.Data)
		}
		for _, f := range files {
			s.record("file\x00"+string(f.access)+"\x00"+f.path, map[string]any{"type": "learn", "kind": "file", "access": f.access, "path": f.path})
		}
		proceed(listener, n.ID)
	case retErrno:
		errno := v.Ret & retDataMask
		s.denied(nr, arch, "errno", errno)
		fail(listener, n.ID, errno)
	case retTrace: // no tracer attached: the kernel answers ENOSYS
		s.denied(nr, arch, "errno", uint32(unix.ENOSYS))
		fail(listener, n.ID, uint32(unix.ENOSYS))
	default:
		// KILL_PROCESS, KILL_THREAD, TRAP: the base would not have let the call run. A supervisor
		// cannot kill one thread or forge TRAP's siginfo, so the whole process is killed: stricter,
		// never weaker.
		s.denied(nr, arch, "kill", 0)
		_ = unix.Kill(int(n.Pid), unix.SIGKILL)
		fail(listener, n.ID, uint32(unix.EPERM))
	}
}

// learnSyscall records a call the base leaves to its default (USER_NOTIF): the calls to learn.
// conditional says the base decided it by its arguments, so an unconditional rule for it could
// shadow one of the base's argument-checked denials.
func (s *learner) learnSyscall(nr, arch uint32, conditional bool, data *[seccompDataSize]byte) {
	ev := map[string]any{"type": "learn", "kind": "syscall", "arch": archName(arch), "nr": nr, "conditional": conditional}
	key := fmt.Sprintf("syscall\x00%d\x00%d", arch, nr)
	if arch == nativeAuditArch {
		a := args(data)
		switch nr {
		case sysSocket:
			ev["args"] = map[string]uint64{"family": a[0] & 0xffffffff, "type": a[1] & 0xf}
			key += fmt.Sprintf("\x00%d\x00%d", a[0]&0xffffffff, a[1]&0xf)
		case sysClone:
			ev["args"] = map[string]uint64{"clone_flags": a[0]}
			key += fmt.Sprintf("\x00%d", a[0])
		}
	}
	s.record(key, ev)
}

// denied reports a call the base policy refuses: learning never allows these.
func (s *learner) denied(nr, arch uint32, action string, errno uint32) {
	what := "killed the process"
	data := map[string]any{"arch": archName(arch), "nr": nr, "action": action, "learn": true}
	if action == "errno" {
		what = fmt.Sprintf("errno %d", errno)
		data["errno"] = errno
	}
	s.record(fmt.Sprintf("denied\x00%d\x00%d\x00%s", arch, nr, action), map[string]any{
		"type": "violation", "kind": "syscall", "data": data,
		"detail": fmt.Sprintf("%s syscall %d refused by the base policy (%s); not learned", archName(arch), nr, what),
	})
}

func (s *learner) end()                     {}
func (s *learner) noListener(reason string) {} // learn mode has no fallback: the run fails instead

// record emits ev once per key, up to MaxRecords.
func (s *learner) record(key string, ev map[string]any) {
	if s.seen[key] || s.full {
		return
	}
	if len(s.seen) >= MaxRecords {
		s.full = true
		ev = map[string]any{"type": "warning", "code": "learn-truncated",
			"message": fmt.Sprintf("learn: more than %d distinct records; the rest of the run was not recorded", MaxRecords)}
	}
	s.seen[key] = true
	line, err := json.Marshal(ev)
	if err == nil {
		s.emit(line)
	}
}

func archName(arch uint32) string {
	switch arch {
	case unix.AUDIT_ARCH_X86_64:
		return "x86_64"
	case unix.AUDIT_ARCH_I386:
		return "i386"
	case unix.AUDIT_ARCH_AARCH64:
		return "aarch64"
	case unix.AUDIT_ARCH_RISCV64:
		return "riscv64"
	}
	return fmt.Sprintf("%#x", arch)
}
