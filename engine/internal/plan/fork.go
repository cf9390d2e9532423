//go:build linux

package plan

import (
	"runtime"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The runtime's hooks around a fork, as package syscall uses them (and gVisor, which is why the
// runtime keeps them linkable): BeforeFork blocks signals and makes any stack growth fatal;
// AfterFork undoes that in the parent; AfterForkInChild resets the runtime's signal handlers
// and restores the signal mask in the child.
//
//go:linkname beforeFork syscall.runtime_BeforeFork
func beforeFork()

//go:linkname afterFork syscall.runtime_AfterFork
func afterFork()

//go:linkname afterForkInChild syscall.runtime_AfterForkInChild
func afterForkInChild()

// Child is what a forked child runs: a nosplit function that never returns (it ends in execve
// or exit_group), given the argument passed to Fork. It must not allocate, grow its stack or
// call anything that is not nosplit.
type Child func(arg unsafe.Pointer)

// Fork clones this process with flags (namespaces, CLONE_PIDFD; SIGCHLD is added) and runs
// child(arg) in the child, a copy of this process with only the calling thread. It returns the
// child's pid and, with CLONE_PIDFD, its pidfd (else -1). The calling goroutine is locked to its
// thread for good: a child's parent-death signal fires when the thread that forked it ends, which
// a locked thread does only with its goroutine.
//
//go:norace
func Fork(flags uintptr, child Child, arg unsafe.Pointer) (pid, pidfd int, err error) {
	runtime.LockOSThread()
	fd := int32(-1)
	// No descriptor is created without close-on-exec while the child is made (as os/exec does).
	syscall.ForkLock.Lock()
	defer syscall.ForkLock.Unlock()
	r, errno := forkChild(flags|uintptr(unix.SIGCHLD), uintptr(unsafe.Pointer(&fd)), child, arg)
	if errno != 0 {
		return -1, -1, errno
	}
	return int(r), int(fd), nil
}

// forkChild is the fork itself, kept to nosplit calls between the runtime's hooks.
//
//go:noinline
//go:norace
func forkChild(flags, pidfdAddr uintptr, child Child, arg unsafe.Pointer) (uintptr, syscall.Errno) {
	beforeFork()
	// clone(flags, stack, parent_tid, ...): the third argument receives the pidfd on every
	// architecture the engine builds for.
	pid, _, errno := syscall.RawSyscall6(unix.SYS_CLONE, flags, 0, pidfdAddr, 0, 0, 0)
	if errno != 0 || pid != 0 {
		afterFork()
		return pid, errno
	}
	afterForkInChild()
	child(arg)
	for {
		syscall.RawSyscall(unix.SYS_EXIT_GROUP, 125, 0, 0) // a child that returned is a bug
	}
}
