//go:build linux

package learn

import (
	"encoding/json"
	"fmt"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/config"
)

// Reporting an ordinary run's refused calls (ExecConfig.reportRefusals, docs/learn.md "Refused
// calls in ordinary runs"): the filter is ReportProgram(base, Report{Refusals: true}), so only the
// calls the base answers with an errno (or leaves to a USER_NOTIF default) reach the supervisor,
// which answers each with exactly that errno, never lets one run, and reports each call once with
// how often it came. The same supervisor reports refused files (filereport.go).

// maxRefusals bounds the distinct calls one run reports (a base with DEFAULT ERRNO would let a
// target name any of 2^32 numbers); past it the rest are still refused, and one warning says so.
const maxRefusals = 1024

// refusalKey is one call: its audit architecture and number.
type refusalKey struct{ arch, nr uint32 }

type refusal struct {
	errno uint32 // the answer to its first notification
	count int
}

// reporter is the handler of an ordinary run that reports refused calls, refused files, or both.
type reporter struct {
	base     []unix.SockFilter
	emit     func(event []byte)
	refusals bool        // report the base's ERRNO denials
	files    *fileReport // report refused files; nil when off
	order    []refusalKey
	counts   map[refusalKey]*refusal
	lost     int // refusals of calls past maxRefusals
}

// NewReporter is the supervisor of an ordinary run that reports what r asks (fs is the run's
// view, for the file report). The events go out once every process under the filter is gone:
// one per refused call in the order first refused, then one per refused file access.
func NewReporter(base []unix.SockFilter, emit func(event []byte), r Report, fs *config.Fs) *Supervisor {
	h := &reporter{base: base, emit: emit, refusals: r.Refusals, counts: map[refusalKey]*refusal{}}
	if r.Files {
		h.files = newFileReport(fs)
	}
	return &Supervisor{h: h, done: make(chan struct{})}
}

// handle answers a notified call exactly as the base does. The kernel only notifies what
// ReportProgram made USER_NOTIF: a file call the base allows (files on) runs, CONTINUE, after
// its paths are read; an ERRNO gets the base's errno; a base USER_NOTIF, and anything
// unexpected, ENOSYS, the kernel's own answer to USER_NOTIF without a listener. Nothing the base
// refuses runs.
func (r *reporter) handle(listener int, n *notif) {
	nr, arch := nrArch(&n.Data)
	v, err := Eval(r.base, n.Data[:])
	act := v.Ret & retActionMask
	if err == nil && act == retAllow {
		if r.files != nil {
			records := fileArgs(int(n.Pid), nr, arch, &n.Data)
			if valid(listener, n.ID) { // else the task died or left the call: not its paths
				r.files.note(records)
			}
		}
		proceed(listener, n.ID)
		return
	}
	errno := uint32(unix.ENOSYS)
	if err == nil && act == retErrno {
		errno = v.Ret & retDataMask
	}
	fail(listener, n.ID, errno)
	if !r.refusals {
		return
	}
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
	if r.files != nil {
		r.files.end(r.emit)
	}
}

func (r *reporter) noListener(reason string) {
	if reason == "" {
		return // the target failed before its filter: the run fails, nothing went unreported
	}
	emitWarning(r.emit, "refusals-unreported", "refused system calls and files are not reported: "+reason)
}

func emitWarning(emit func([]byte), code, message string) {
	if line, err := json.Marshal(map[string]any{"type": "warning", "code": code, "message": message}); err == nil {
		emit(line)
	}
}
