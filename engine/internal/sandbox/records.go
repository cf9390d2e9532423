//go:build linux

package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/plan"
	"stockade/engine/internal/step"
)

// record is what PID 1 tells the outer engine over their SOCK_SEQPACKET socket, one per message,
// a descriptor attached where the kind says. PID 1 writes it with raw system calls (pid1.go), so
// it is a fixed binary struct; a learn record carries an event line after it.
type record struct {
	Kind   uint32
	Op     int32 // recFailed: the index of the plan op that failed, or a driver step (stepPlan…)
	Errno  uint32
	Code   int32 // recExit: the target's exit code; recFailed: inPrelude when Op is the prelude's
	Signal int32 // recExit: the signal that ended it
	_      [12]byte
}

const recordSize = int(unsafe.Sizeof(record{}))

// Record kinds.
const (
	recPlan     = 1 + iota // in: the plan's memfd attached (and the cgroup.procs file); Code: driver flags
	recFailed              // a step failed: Op, Errno
	recListener            // allowlist: the proxy's listening socket in the sandbox's netns attached
	recForked              // the target was forked: its pidfd attached; the engine answers recForked
	recStarted             // the target exec'd
	recLearn               // supervised runs: an event line follows the record
	recExit                // the target ended: Code or Signal; PID 1 then exits
	recPrelude             // in: the prelude's memfd attached (prelude.go), before the plan
)

// inPrelude is recFailed's Code when Op is an op of the prelude, not of the run's plan.
const inPrelude = 1

// PID 1's own steps, for recFailed records whose failure is not a plan op (negative Op).
const (
	stepReceive    = -1 - iota // receive the plan
	stepMap                    // map the plan
	stepFork                   // start the target
	stepExec                   // start the supervisor (supervised runs)
	stepSupervisor             // the supervisor failed: its message follows the record
	stepUnshare                // make the namespaces
	stepIDMap                  // write setgroups; stepIDMap-1 uid_map, stepIDMap-2 gid_map (so it stays last)
)

func (r *record) bytes() []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(r)), recordSize)
}

// decode reads a record, and the event line after it.
func decodeRecord(b []byte) (record, []byte, error) {
	var r record
	if len(b) < recordSize {
		return r, nil, fmt.Errorf("a message of %d bytes from the sandbox", len(b))
	}
	copy(r.bytes(), b)
	return r, b[recordSize:], nil
}

// failure turns a recFailed record (and the message after it) into the step error it stands
// for, through the steps of the run's plan p or of the prelude.
func failure(p *plan.Plan, r *record, line []byte) *step.Error {
	switch r.Op {
	case stepSupervisor:
		return lineError(line)
	case stepReceive:
		return step.Fail("init", "receive the plan", unix.Errno(r.Errno))
	case stepMap:
		return step.Fail("init", "map the plan", unix.Errno(r.Errno))
	case stepFork:
		return step.Fail("init", "start the target", unix.Errno(r.Errno))
	case stepExec:
		return step.Fail("init", "start the supervisor", unix.Errno(r.Errno))
	case stepUnshare:
		return step.Fail("userns", "create namespaces", unix.Errno(r.Errno))
	case stepIDMap, stepIDMap - 1, stepIDMap - 2:
		file := [...]string{"setgroups", "uid_map", "gid_map"}[stepIDMap-r.Op]
		return step.Fail("userns", "write "+file, unix.Errno(r.Errno))
	}
	return failedPlan(p, r).Failure(int(r.Op), uint64(r.Errno))
}

// failedPlan is the plan whose op a recFailed record names: the run's, p, or the prelude.
func failedPlan(p *plan.Plan, r *record) *plan.Plan {
	if r.Code == inPrelude {
		pre, _, _ := preludePlan()
		return pre
	}
	return p
}

// stepLine is a step error of the supervising PID 1 or its exec stage, sent after a record.
type stepLine struct {
	Step  string `json:"step"`
	What  string `json:"what,omitempty"`
	Cause string `json:"cause,omitempty"`
	Hint  string `json:"hint,omitempty"`
	Code  int    `json:"code,omitempty"`
}

// errorLine is err as a stepLine, nil for nil.
func errorLine(err error) []byte {
	if err == nil {
		return nil
	}
	se := step.As("init", err)
	l := stepLine{Step: se.Step, What: se.What, Hint: se.Hint, Code: se.Code}
	if se.Err != nil {
		l.Cause = se.Err.Error()
	}
	b, _ := json.Marshal(l)
	return b
}

// lineError is the step error an errorLine carries.
func lineError(line []byte) *step.Error {
	var l stepLine
	if err := json.Unmarshal(line, &l); err != nil || l.Step == "" {
		return step.Failf("init", "", "the sandbox's PID 1 failed (%q)", line)
	}
	e := &step.Error{Step: l.Step, What: l.What, Hint: l.Hint, Code: l.Code}
	if l.Cause != "" {
		e.Err = errors.New(l.Cause)
	}
	return e
}

// sendRecord writes one record with an optional descriptor and event line (Go side: the
// supervisor PID 1 and tests).
func sendRecord(fd int, r record, line []byte, fds ...int) error {
	var oob []byte
	if len(fds) > 0 {
		oob = unix.UnixRights(fds...)
	}
	return unix.Sendmsg(fd, append(r.bytes(), line...), oob, nil, 0)
}

// rightsOob is a control message carrying one descriptor (unix.CmsgSpace(4) bytes on the 64-bit
// architectures the engine runs on), laid out once, the descriptor stored at rightsFdAt before each
// sendmsg: by PID 1, the zygote, or an op of the plan.
type rightsOob [unix.SizeofCmsghdr + 8]byte

const rightsFdAt = unix.SizeofCmsghdr // unix.CmsgLen(0)

// init writes the header. Nosplit and allocation-free: PID 1 forked at the engine's entry point
// runs it before the Go runtime starts (early_amd64.go).
//
//go:nosplit
func (o *rightsOob) init() {
	h := (*unix.Cmsghdr)(unsafe.Pointer(&o[0]))
	h.Level, h.Type, h.Len = unix.SOL_SOCKET, unix.SCM_RIGHTS, unix.SizeofCmsghdr+4 // unix.CmsgLen(4)
}

//go:nosplit
func (o *rightsOob) setFd(fd int32) { *(*int32)(unsafe.Pointer(&o[rightsFdAt])) = fd }

// rightsIn reports whether a message recvmsg put in msg carried exactly n descriptors, in one
// control message: PID 1's plan and prelude, a zygote request.
//
//go:nosplit
func rightsIn(msg *unix.Msghdr, n int) bool {
	hdr := (*unix.Cmsghdr)(unsafe.Pointer(msg.Control))
	return msg.Controllen >= unix.SizeofCmsghdr && hdr.Len == uint64(unix.SizeofCmsghdr+4*n)
}

// rightsFd is descriptor i of the message recvmsg put in msg (checked by rightsIn).
//
//go:nosplit
func rightsFd(msg *unix.Msghdr, i int) uintptr {
	return uintptr(*(*int32)(unsafe.Add(unsafe.Pointer(msg.Control), rightsFdAt+4*i)))
}
