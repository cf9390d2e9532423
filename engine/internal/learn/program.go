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
	nrs := fileCallNumbers()
	prefix := make([]unix.SockFilter, 0, len(nrs)+6)
	// [0] A = arch; [1] not native: skip to the base; [2] A = nr; [3..] JEQ file call → notify;
	// [n+3] JA over the notify; [n+4] RET USER_NOTIF; [n+5] A = 0, then the base program.
	n := len(nrs)
	if n+3 > 255 {
		return nil, fmt.Errorf("too many file calls for one jump (%d)", n)
	}
	prefix = append(prefix,
		unix.SockFilter{Code: clsLD | sizeW | modeABS, K: 4},
		unix.SockFilter{Code: clsJMP | jmpJEQ, Jt: 0, Jf: uint8(n + 3), K: nativeAuditArch},
		unix.SockFilter{Code: clsLD | sizeW | modeABS, K: 0},
	)
	for i, nr := range nrs {
		prefix = append(prefix, unix.SockFilter{Code: clsJMP | jmpJEQ, Jt: uint8(n - i), Jf: 0, K: nr})
	}
	prefix = append(prefix,
		unix.SockFilter{Code: clsJMP | jmpJA, K: 1},
		unix.SockFilter{Code: clsRET, K: retUserNotif},
		unix.SockFilter{Code: clsLD | modeIMM, K: 0},
	)
	out := append(prefix, base...)
	if len(out) > maxProgram {
		return nil, fmt.Errorf("the learn program would be %d instructions; the kernel takes at most %d", len(out), maxProgram)
	}
	err := notifyReturns(out[len(prefix):], func(act uint32) bool { return act != retAllow && act != retLog })
	return out, err
}

// ReportProgram derives the filter of an ordinary run that reports its refused calls
// (ExecConfig.reportRefusals, refusals.go): the base program with only its ERRNO returns turned
// into USER_NOTIF. A base USER_NOTIF stays one; ALLOW and LOG never reach the supervisor; KILL,
// TRAP and TRACE stay the kernel's to carry out. The supervisor answers each notification with
// the errno the unchanged base returns for it.
func ReportProgram(base []unix.SockFilter) ([]unix.SockFilter, error) {
	if len(base) == 0 {
		return nil, fmt.Errorf("the base program is empty")
	}
	out := append([]unix.SockFilter(nil), base...)
	return out, notifyReturns(out, func(act uint32) bool { return act == retErrno })
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
