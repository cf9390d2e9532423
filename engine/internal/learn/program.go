//go:build linux

// Package learn is the engine half of `stockade learn`: a seccomp program derived from the base
// policy that turns every call the base does not simply allow, and every call that names a file,
// into a user notification; and a supervisor (PID 1 of the sandbox, which is not under the
// filter) that records each one and lets it continue, or answers it the way the base would have
// when the base denies it. The same machinery reports an ordinary run's refused calls
// (refusals.go): there only the base's ERRNO returns notify. See docs/learn.md.
package learn

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Seccomp return actions (SECCOMP_RET_*), compared on their upper 16 bits.
const (
	retActionMask = 0xffff0000
	retDataMask   = 0x0000ffff
	retAllow      = 0x7fff0000
	retLog        = 0x7ffc0000
	retUserNotif  = 0x7fc00000
	retErrno      = 0x00050000
	retTrace      = 0x7ff00000
	maxProgram    = 4096 // BPF_MAXINSNS
)

// Program derives the learn program from the base program:
//
//	a prefix that sends the native architecture's file calls (fileCalls) to the supervisor, so
//	their paths are recorded; then the base program with every return that is not ALLOW or LOG
//	turned into USER_NOTIF. The supervisor evaluates the unchanged base on each notification
//	(Eval) to know what the base would have done: a base USER_NOTIF is a call to learn, a denial
//	is answered with the base's own errno or kill.
//
// The base's jumps are relative, so the prefix leaves them intact; the base starts behind an
// `A = 0`, so it finds the registers as the kernel starts a program (the prefix uses only A).
func Program(base []unix.SockFilter) ([]unix.SockFilter, error) {
	if len(base) == 0 {
		return nil, fmt.Errorf("the base program is empty")
	}
	match, err := fileCallMatch()
	if err != nil {
		return nil, err
	}
	// match; on a miss: JA over the notify; on a match: RET USER_NOTIF; then A = 0 and the base.
	prefix := append(match,
		unix.SockFilter{Code: clsJMP | jmpJA, K: 1},
		unix.SockFilter{Code: clsRET, K: retUserNotif},
		unix.SockFilter{Code: clsLD | modeIMM, K: 0},
	)
	out := append(prefix, base...)
	if len(out) > maxProgram {
		return nil, fmt.Errorf("the learn program would be %d instructions; the kernel takes at most %d", len(out), maxProgram)
	}
	err = notifyReturns(out[len(prefix):], func(act uint32) bool { return act != retAllow && act != retLog })
	return out, err
}

// fileCallMatch is the test learn and the file report share: it falls through to the instruction
// after it for a call that is not a native file call (fileCalls), and skips that one instruction
// for a file call. It uses only A.
//
//	[0] A = arch; [1] not native: to [n+3]; [2] A = nr; [3+i] nr == file call i: to [n+4]
func fileCallMatch() ([]unix.SockFilter, error) {
	nrs := fileCallNumbers()
	n := len(nrs)
	if n+1 > 255 {
		return nil, fmt.Errorf("too many file calls for one jump (%d)", n)
	}
	out := make([]unix.SockFilter, 0, n+6)
	out = append(out,
		unix.SockFilter{Code: clsLD | sizeW | modeABS, K: 4},
		unix.SockFilter{Code: clsJMP | jmpJEQ, Jt: 0, Jf: uint8(n + 1), K: nativeAuditArch},
		unix.SockFilter{Code: clsLD | sizeW | modeABS, K: 0},
	)
	for i, nr := range nrs {
		out = append(out, unix.SockFilter{Code: clsJMP | jmpJEQ, Jt: uint8(n - i), Jf: 0, K: nr})
	}
	return out, nil
}

// Report says what an ordinary run reports (ExecConfig.reportRefusals, reportFiles).
type Report struct {
	Refusals bool // the calls the base answers with an errno (refusals.go)
	Files    bool // the file calls the base allows (filereport.go)
}

// ReportProgram derives the filter of an ordinary run that reports (refusals.go): the base
// program with, for Refusals, its ERRNO returns turned into USER_NOTIF, and for Files, its ALLOW
// returns turned into a jump to a tail that notifies the native file calls and allows the rest:
//
//	base…; tail: fileCallMatch; RET ALLOW; RET USER_NOTIF
//
// A jump (JA takes a 32-bit offset) replaces each return one for one, so the base's own jumps
// stay intact, and the tail reloads arch and nr, so it needs no scratch memory the base may use.
// Only what the base allows is notified, so the supervisor answers CONTINUE exactly where the
// base allows. A base USER_NOTIF stays one; LOG is left alone (notifying it would lose its audit
// record); KILL, TRAP and TRACE stay the kernel's to carry out.
func ReportProgram(base []unix.SockFilter, r Report) ([]unix.SockFilter, error) {
	if len(base) == 0 {
		return nil, fmt.Errorf("the base program is empty")
	}
	out := append([]unix.SockFilter(nil), base...)
	if r.Refusals {
		if err := notifyReturns(out, func(act uint32) bool { return act == retErrno }); err != nil {
			return nil, err
		}
	}
	if !r.Files {
		return out, nil
	}
	tail, err := fileCallMatch()
	if err != nil {
		return nil, err
	}
	tail = append(tail, unix.SockFilter{Code: clsRET, K: retAllow}, unix.SockFilter{Code: clsRET, K: retUserNotif})
	for i := range out {
		in := &out[i]
		if in.Code&0x07 == clsRET && in.Code&0x18 != retA && in.K&retActionMask == retAllow {
			*in = unix.SockFilter{Code: clsJMP | jmpJA, K: uint32(len(base) - i - 1)}
		}
	}
	if err := notifyReturns(out, func(uint32) bool { return false }); err != nil {
		return nil, err // a return of the accumulator could be an ALLOW the tail never sees
	}
	out = append(out, tail...)
	if len(out) > maxProgram {
		return nil, fmt.Errorf("the report program would be %d instructions; the kernel takes at most %d", len(out), maxProgram)
	}
	return out, nil
}

// notifyReturns turns every constant return of prog whose action notify selects into
// USER_NOTIF. A return of the accumulator cannot be judged before it runs, so it is refused.
func notifyReturns(prog []unix.SockFilter, notify func(action uint32) bool) error {
	for i := range prog {
		in := &prog[i]
		if in.Code&0x07 != clsRET {
			continue
		}
		if in.Code&0x18 == retA {
			return fmt.Errorf("instruction %d returns the accumulator; a supervised program needs constant returns", i)
		}
		if notify(in.K & retActionMask) {
			in.K = retUserNotif
		}
	}
	return nil
}
