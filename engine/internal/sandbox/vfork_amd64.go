//go:build linux

package sandbox

import (
	"syscall"

	"golang.org/x/sys/unix"
)

func vfork(flags, pidfdAddr uintptr) (pid, errno uintptr)

// forkTarget starts the target for pid1Start: a child that shares PID 1's memory until its
// execve, so no copy of PID 1's address space (the engine's, forked) is made and torn down
// again per run. PID 1 is suspended until then; the child only runs the plan's nosplit code on
// the stack below pid1Start's frame. It returns the child's pid, 0 in the child.
//
//go:nosplit
//go:norace
func forkTarget(pidfdAddr uintptr) (uintptr, syscall.Errno) {
	pid, e := vfork(unix.CLONE_VM|unix.CLONE_VFORK|unix.CLONE_PIDFD|uintptr(unix.SIGCHLD), pidfdAddr)
	return pid, syscall.Errno(e)
}
