//go:build linux

package seccomp

import (
	"unsafe"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/plan"
)

// Plan adds the op that installs filter on the process that runs it, with flags (0, or
// SECCOMP_FILTER_FLAG_NEW_LISTENER, whose listener lands in the process's descriptor table). It is
// the last op before execve.
func Plan(p *plan.Plan, filter []unix.SockFilter, flags uintptr, s plan.Step) {
	prog := p.Bytes(unsafe.Slice((*byte)(unsafe.Pointer(&filter[0])), len(filter)*int(unsafe.Sizeof(filter[0]))))
	fprog := plan.Struct(p, &unix.SockFprog{Len: uint16(len(filter))})
	p.SetPtr(fprog.Add(unsafe.Offsetof(unix.SockFprog{}.Filter)), prog)
	p.Call(p.Step(s), unix.SYS_SECCOMP, plan.Lit(unix.SECCOMP_SET_MODE_FILTER), plan.Lit(flags), fprog.Addr())
}

// Step is how an install of the frame's program fails: EINVAL is the kernel rejecting the program.
func Step(what string) plan.Step {
	return plan.Step{Name: "seccomp", What: what, Hint: "the kernel rejected the BPF program; rebuild it with the Stockade compiler", HintOn: uint64(unix.EINVAL)}
}
