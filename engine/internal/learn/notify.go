//go:build linux

package learn

import (
	"errors"
	"unsafe"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/step"
)

// The kernel's user-notification structures (linux/seccomp.h); x/sys has the ioctl numbers only.
type notif struct {
	ID    uint64
	Pid   uint32
	Flags uint32
	Data  [seccompDataSize]byte // struct seccomp_data: nr, arch, instruction_pointer, args[6]
}

type notifResp struct {
	ID    uint64
	Val   int64
	Error int32
	Flags uint32
}

// FeatureHint says what learn mode needs of the kernel.
const FeatureHint = "learn mode needs seccomp user notification with SECCOMP_USER_NOTIF_FLAG_CONTINUE (Linux 5.5+, CONFIG_SECCOMP_FILTER)"

// LearnFilter is the filter learn mode installs over base, checked against what this kernel and
// architecture can do.
func LearnFilter(base []unix.SockFilter) ([]unix.SockFilter, error) {
	if nativeAuditArch == 0 {
		return nil, step.Failf("learn", "", "learn mode knows the file calls of x86_64 and aarch64 only")
	}
	if err := NotifyAvailable(); err != nil {
		return nil, step.Fail("learn", "SECCOMP_RET_USER_NOTIF", err).WithHint(FeatureHint)
	}
	prog, err := Program(base)
	if err != nil {
		return nil, step.Fail("learn", "derive the learn program", err)
	}
	return prog, nil
}

// NotifyAvailable says whether the kernel has the SECCOMP_RET_USER_NOTIF action (Linux 5.0).
func NotifyAvailable() error {
	action := uint32(retUserNotif)
	if _, _, errno := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_GET_ACTION_AVAIL, 0, uintptr(unsafe.Pointer(&action))); errno != 0 {
		return errno
	}
	return nil
}

// Install loads prog on the calling (locked) thread with a new listener and hands the listener
// to the supervisor over sock. When the filter cannot get a listener (another filter of this
// process has one: EBUSY) and there is a fallback (a run that only reports), it installs the
// fallback, exactly as a run without the report would, and sends the supervisor the reason
// instead: the run goes on, unreported. Learn mode has none: the failure is the run's.
func Install(prog, fallback []unix.SockFilter, sock int) error {
	stepName := "learn"
	if fallback != nil {
		stepName = "seccomp"
	}
	serr := installWithListener(stepName, prog, sock)
	if serr == nil {
		return nil
	}
	if fallback == nil {
		if errors.Is(serr, unix.EINVAL) {
			serr.Hint = FeatureHint
		}
		return serr
	}
	fprog := unix.SockFprog{Len: uint16(len(fallback)), Filter: &fallback[0]}
	if _, _, errno := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(&fprog))); errno != 0 {
		return step.Fail("seccomp", "install filter", errno)
	}
	_ = unix.Sendmsg(sock, []byte(serr.Error()), nil, nil, 0)
	return nil
}

// installWithListener loads prog on the calling thread with a new listener and sends the
// listener over sock. The hand-over runs on another thread of this process, one the filter does
// not cover: a filter that notifies sendmsg would otherwise wait for a supervisor that does not
// have the listener yet.
func installWithListener(stepName string, prog []unix.SockFilter, sock int) *step.Error {
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	fd, _, errno := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, unix.SECCOMP_FILTER_FLAG_NEW_LISTENER, uintptr(unsafe.Pointer(&fprog)))
	if errno != 0 {
		return step.Fail(stepName, "install the filter with a listener (SECCOMP_FILTER_FLAG_NEW_LISTENER)", errno)
	}
	// The listener is close-on-exec: the target never holds it.
	done := make(chan error, 1)
	go func() { done <- unix.Sendmsg(sock, []byte{1}, unix.UnixRights(int(fd)), nil, 0) }()
	if err := <-done; err != nil {
		return step.Fail(stepName, "hand the listener to the supervisor", err)
	}
	return nil
}

// ReceiveListener waits for the exec stage to send the listener; ok is false when it ended
// without (it failed before installing the filter, and reports why itself), or sent a reason
// instead of the listener (Install fell back to the plain filter).
func ReceiveListener(sock int) (fd int, reason string, ok bool) {
	buf := make([]byte, 512)
	oob := make([]byte, unix.CmsgSpace(4))
	for {
		n, oobn, _, _, err := unix.Recvmsg(sock, buf, oob, unix.MSG_CMSG_CLOEXEC)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil || (n == 0 && oobn == 0) {
			return -1, "", false
		}
		if oobn == 0 {
			return -1, string(buf[:n]), false
		}
		cmsgs, err := unix.ParseSocketControlMessage(oob[:oobn])
		if err != nil || len(cmsgs) != 1 {
			return -1, "", false
		}
		fds, err := unix.ParseUnixRights(&cmsgs[0])
		if err != nil || len(fds) != 1 {
			return -1, "", false
		}
		return fds[0], "", true
	}
}

// recv waits for the next notification; ENOENT means the task died before we read it.
func recv(listener int, n *notif) error {
	*n = notif{}
	return ioctl(listener, unix.SECCOMP_IOCTL_NOTIF_RECV, unsafe.Pointer(n))
}

// valid reports whether notification id is still pending: the task is alive and still in the
// same call, so what was read from its memory belongs to this call.
func valid(listener int, id uint64) bool {
	return ioctl(listener, unix.SECCOMP_IOCTL_NOTIF_ID_VALID, unsafe.Pointer(&id)) == nil
}

// proceed lets the call run as if the filter had allowed it (the view, Landlock and the rest of
// the sandbox still apply to it).
func proceed(listener int, id uint64) {
	r := notifResp{ID: id, Flags: unix.SECCOMP_USER_NOTIF_FLAG_CONTINUE}
	_ = ioctl(listener, unix.SECCOMP_IOCTL_NOTIF_SEND, unsafe.Pointer(&r))
}

// fail makes the call return -errno without running it.
func fail(listener int, id uint64, errno uint32) {
	r := notifResp{ID: id, Error: -int32(errno)}
	_ = ioctl(listener, unix.SECCOMP_IOCTL_NOTIF_SEND, unsafe.Pointer(&r))
}

func ioctl(fd int, req uint, arg unsafe.Pointer) error {
	for {
		_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(req), uintptr(arg))
		if errno == unix.EINTR {
			continue
		}
		if errno != 0 {
			return errno
		}
		return nil
	}
}
