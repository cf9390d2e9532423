//go:build linux

package learn

import (
	"encoding/json"
	"fmt"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/seccomp"
)

// Reporting an ordinary run's refused calls (ExecConfig.reportRefusals, docs/learn.md "Refused
// calls in ordinary runs"): the filter is ReportProgram(base), so only the calls the base answers
// with an errno (or leaves to a USER_NOTIF default) reach the supervisor, which answers each with
// exactly that errno, never lets one run, and reports each call once with how often it came.

// maxRefusals bounds the distinct calls one run reports (a base with DEFAULT ERRNO would let a
// target name any of 2^32 numbers); past it the rest are still refused, and one warning says so.
const maxRefusals = 1024

// refusalKey is one call: its audit architecture and number.
type refusalKey struct{ arch, nr uint32 }

type refusal struct {
	errno uint32 // the answer to its first notification
	count int
}

// reporter is the handler of an ordinary run that reports refusals.
type reporter struct {
	base   []unix.SockFilter
	emit   func(event []byte)
	order  []refusalKey
	counts map[refusalKey]*refusal
	lost   int // refusals of calls past maxRefusals
}

// StartReport starts the supervisor of an ordinary run that reports its refused calls, or
// returns nil, with a warning through emit, when the kernel lacks user notification: the run
// then keeps the plain filter and reports nothing. The events go out once every process under
// the filter is gone, one per call in the order first refused.
func StartReport(base []unix.SockFilter, emit func(event []byte)) (*Supervisor, error) {
	if err := notifyAvailable(); err != nil {
		emitWarning(emit, "refusals-unreported", fmt.Sprintf("refused system calls are not reported: this kernel has no seccomp user notification (%v)", err))
		return nil, nil
	}
	return start(&reporter{base: base, emit: emit, counts: map[refusalKey]*refusal{}})
}

// InstallReport loads ReportProgram(base) on the calling (locked) thread and hands its listener
// to the supervisor over sock. When that is impossible (another filter of this process already
// has a listener: EBUSY), it installs the base itself, exactly as a run without reporting would,
// and sends the supervisor the reason instead: the run goes on, unreported.
func InstallReport(base []unix.SockFilter, sock int) error {
	prog, err := ReportProgram(base)
	if err == nil {
		serr := installWithListener("seccomp", prog, sock)
		if serr == nil {
			return nil
		}
		err = serr
	}
	if ierr := seccomp.Install(base); ierr != nil {
		return ierr
	}
	_ = unix.Sendmsg(sock, []byte(err.Error()), nil, nil, 0)
	return nil
}

// handle answers a notified call with the base's errno. The kernel only notifies what
// ReportProgram turned into USER_NOTIF, so the base returns ERRNO or USER_NOTIF here; for
// USER_NOTIF, and for anything unexpected, the answer is ENOSYS, the kernel's own answer to
// USER_NOTIF without a listener. Never CONTINUE: nothing the base refuses runs.
func (r *reporter) handle(listener int, n *notif) {
	nr, arch := nrArch(&n.Data)
	errno := uint32(unix.ENOSYS)
	if v, err := Eval(r.base, n.Data[:]); err == nil && v.Ret&retActionMask == retErrno {
		errno = v.Ret & retDataMask
	}
	fail(listener, n.ID, errno)
	key := refusalKey{arch, nr}
	if seen := r.counts[key]; seen != nil {
		seen.count++
		return
	}
	if len(r.order) >= maxRefusals {
		r.lost++
		return
	}
	r.order = append(r.order, key)
	r.counts[key] = &refusal{errno: errno, count: 1}
}

// end emits one violation event per refused call. The engine has no syscall names: detail names
// the number, and the library adds the compiler's name (src/engine/refusals.ts).
func (r *reporter) end() {
	for _, key := range r.order {
		c := r.counts[key]
		arch := archName(key.arch)
		line, err := json.Marshal(map[string]any{
			"type": "violation", "kind": "syscall",
			"detail": fmt.Sprintf("syscall %d (%s)", key.nr, arch),
			"data":   map[string]any{"nr": key.nr, "arch": arch, "errno": c.errno, "count": c.count},
		})
		if err == nil {
			r.emit(line)
		}
	}
	if r.lost > 0 {
		emitWarning(r.emit, "refusals-truncated", fmt.Sprintf("%d more refused system calls of more than %d distinct calls were not reported", r.lost, maxRefusals))
	}
}

func (r *reporter) noListener(reason string) {
	emitWarning(r.emit, "refusals-unreported", "refused system calls are not reported: "+reason)
}

func emitWarning(emit func([]byte), code, message string) {
	if line, err := json.Marshal(map[string]any{"type": "warning", "code": code, "message": message}); err == nil {
		emit(line)
	}
}
