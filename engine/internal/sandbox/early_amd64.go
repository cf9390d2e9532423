//go:build linux

package sandbox

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// `run` forks its PID 1 at the executable's first instruction (earlyEntry, early_amd64.s), before
// the Go runtime starts: a copy of the process while it is only its mapped file, so the fork
// copies almost nothing, PID 1 shares no page the engine writes later (no copy-on-write faults
// and TLB shootdowns in a multi-threaded engine), and PID 1 unshares its namespaces while the
// runtime starts (about a millisecond). PID 1 then runs the nosplit code of pid1.go as from any
// other fork, on a boot block it lays out itself (boot.init), and its parent-death signal is tied
// to the engine's main thread, which the Go runtime never ends. Built without -E (go build alone,
// go test), the entry is the runtime's and `run` forks PID 1 in Go (startInit).
var (
	earlyPID  int64    // PID 1, or 0 (not forked: not `run`, or no socket), or -errno of the clone
	earlyFds  [2]int32 // PID 1's status socket: the engine's end, PID 1's end (closed in the engine)
	earlyUID  uint64   // the caller's ids, read before the clone: inside they are not mapped yet
	earlyGID  uint64
	earlyTLS  [16]uintptr // the thread pointer of Go code before the runtime sets its own (the entry code, PID 1): its middle, a nil goroutine
	earlyBoot boot
)

// earlyCPUs is the engine's CPU affinity at entry, saved before PID 1 is forked (earlyPin).
var earlyCPUs cpuSet

func earlyEntry()

// earlySaveCPUs saves the engine's CPU affinity before PID 1 is forked: PID 1 restores it.
//
//go:nosplit
//go:norace
func earlySaveCPUs() { earlyCPUs.get() }

// earlyPin moves PID 1 off the engine's CPU until its plan arrives. The kernel queues a new child
// on its parent's CPU: there PID 1's namespaces (0.6 ms) and the Go runtime's start took turns
// while the other CPU idled. PID 1 allows its CPUs again once its plan is in (pid1), long after
// this call, so the target never inherits the pin.
//
//go:nosplit
//go:norace
func earlyPin() {
	if earlyPID <= 0 || earlyCPUs.n == 0 {
		return
	}
	var here uint32
	if _, e := sys(unix.SYS_GETCPU, uintptr(unsafe.Pointer(&here)), 0, 0, 0, 0); e != 0 {
		return
	}
	var other cpuSet
	if other.one(&earlyCPUs, uintptr(here)) {
		other.set(uintptr(earlyPID))
	}
}

// earlyBootInit lays out the boot block of PID 1 forked at entry: the default namespaces of a run
// (a new network namespace, a new session), as earlyInit forks.
//
//go:nosplit
//go:norace
func earlyBootInit() {
	earlyBoot.init(uintptr(earlyFds[1]), earlyUID, earlyGID, true, pid1Unshare(true))
	earlyBoot.cpus = earlyCPUs
}

// pid1Early is PID 1 forked at entry, after earlyBootInit (a call of its own, so that this frame
// on top of PID 1's nosplit chain stays small).
//
//go:nosplit
//go:norace
func pid1Early() { pid1Boot(unsafe.Pointer(&earlyBoot)) }

// The engine's end of PID 1's socket took the lowest free descriptor at entry (aboveRunFds).
func init() {
	if earlyPID == 0 {
		return
	}
	fd := int(earlyFds[0])
	if earlyPID < 0 {
		unix.Close(fd) // the clone failed: startInit tries again and reports why
		return
	}
	moved, err := aboveRunFds(fd)
	if err != nil {
		earlyPID = -int64(unix.EBADF) // PID 1 sees its socket's end and exits
		return
	}
	earlyFds[0] = int32(moved)
}

// entryInit is the PID 1 forked at entry, or nil.
func entryInit() *initProc {
	if earlyPID <= 0 {
		return nil
	}
	status, err := newReceiver(int(earlyFds[0]))
	if err != nil {
		unix.Close(int(earlyFds[0]))
		p := &initProc{pid: int(earlyPID), pidfd: -1}
		_ = p.kill()
		p.wait()
		return nil
	}
	p, err := withPrelude(&initProc{pid: int(earlyPID), pidfd: -1, status: status, newNet: true, newSession: true})
	if err != nil {
		return nil // the run forks another PID 1, and reports the prelude's failure itself
	}
	return p
}
