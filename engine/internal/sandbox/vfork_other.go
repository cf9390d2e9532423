//go:build linux && !amd64

package sandbox

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// forkTarget starts the target for pid1Start as a copy of PID 1 (vfork_amd64.go shares PID 1's
// memory instead). It returns the child's pid, 0 in the child.
//
//go:nosplit
//go:norace
func forkTarget(pidfdAddr uintptr) (uintptr, syscall.Errno) {
	return sys(unix.SYS_CLONE, unix.CLONE_PIDFD|uintptr(unix.SIGCHLD), 0, pidfdAddr, 0, 0)
}
