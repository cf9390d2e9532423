//go:build linux

package sandbox

import (
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/plan"
	"stockade/engine/internal/step"
)

// The zygote is the process `serve` forks each PID 1 from. Forking the server itself, a Go
// process with several threads and a heap every run writes to, costs each run twice: the fork
// copies the server's page tables and stalls its page faults while it does, and until that PID 1
// exits every page the server writes is copied, with a TLB flush on each CPU its threads ran on
// (a third of the CPU of back-to-back runs went there). The zygote is forked once, while the
// server is small, is single-threaded and runs no Go code: it forks a PID 1 when asked, from its
// own copy of a boot block (pid1.go), and the kernel reaps them (it ignores SIGCHLD; PID 1 sets
// SIGCHLD back to the default before it forks the target).
const zygoteSock = 3

// zygoteMsg is a request (the namespaces PID 1 unshares, its session; its status socket
// attached) and the reply (PID 1's pid, or why clone failed; its pidfd attached).
type zygoteMsg struct {
	Unshare    uint64
	NewSession uint32
	Errno      uint32
	Pid        int32
	_          [4]byte
}

const zygoteMsgSize = int(unsafe.Sizeof(zygoteMsg{}))

func (m *zygoteMsg) bytes() []byte { return unsafe.Slice((*byte)(unsafe.Pointer(m)), zygoteMsgSize) }

// zygoteBlock is all the zygote uses, laid out before it is forked.
type zygoteBlock struct {
	sock   uintptr
	boot   *boot // each PID 1's boot block: status, newSession and flags are set per request
	null   *byte
	ignore [4]uintptr // struct sigaction for SIG_IGN: no flags, restorer or mask (the same bytes on every architecture)

	msg      zygoteMsg
	iov      unix.Iovec
	inOob    [unix.SizeofCmsghdr + 8]byte
	inMsg    unix.Msghdr
	outOob   rightsOob
	outMsg   unix.Msghdr
	outMsgFd unix.Msghdr
	pidfd    int32
}

// zygote is the server's end of the zygote.
type zygote struct {
	mu sync.Mutex
	fd int
}

// startZygote forks the zygote. Its parent-death signal fires when the calling thread ends: the
// caller keeps it for the server's life.
func startZygote() (*zygote, error) {
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, step.Fail("init", "zygote socketpair", err)
	}
	z := &zygoteBlock{sock: uintptr(pair[1]), boot: newBoot(-1, false, 0), null: &[]byte("/dev/null\x00")[0]}
	z.ignore[0] = 1 // SIG_IGN
	z.iov.Base, z.iov.Len = &z.msg.bytes()[0], uint64(zygoteMsgSize)
	z.inMsg.Iov, z.inMsg.Iovlen = &z.iov, 1
	z.inMsg.Control = &z.inOob[0]
	z.outOob.init()
	z.outMsg.Iov, z.outMsg.Iovlen = &z.iov, 1
	z.outMsgFd = z.outMsg
	z.outMsgFd.Control, z.outMsgFd.Controllen = &z.outOob[0], uint64(len(z.outOob))
	_, _, err = plan.Fork(0, zygoteMain, unsafe.Pointer(z))
	unix.Close(pair[1])
	if err != nil {
		unix.Close(pair[0])
		return nil, step.Fail("init", "start the zygote", err)
	}
	return &zygote{fd: pair[0]}, nil
}

// start has the zygote fork a PID 1 (see startInit).
func (z *zygote) start(newNet, newSession bool) (*initProc, error) {
	status, theirs, err := statusPair()
	if err != nil {
		return nil, err
	}
	req := zygoteMsg{Unshare: uint64(pid1Unshare(newNet))}
	if newSession {
		req.NewSession = 1
	}
	var rep zygoteMsg
	oob := make([]byte, unix.CmsgSpace(4))
	z.mu.Lock()
	err = unix.Sendmsg(z.fd, req.bytes(), unix.UnixRights(theirs), nil, 0)
	n, oobn := 0, 0
	for err == nil {
		n, oobn, _, _, err = unix.Recvmsg(z.fd, rep.bytes(), oob, unix.MSG_CMSG_CLOEXEC)
		if err != unix.EINTR {
			break
		}
	}
	z.mu.Unlock()
	unix.Close(theirs)
	fds := rights(oob[:oobn])
	switch {
	case err == nil && n != zygoteMsgSize:
		err = step.Failf("init", "zygote", "it is gone")
	case err == nil && rep.Errno != 0:
		err = startFailed(unix.Errno(rep.Errno))
	case err == nil && len(fds) != 1:
		err = step.Failf("init", "zygote", "a reply without PID 1's pidfd")
	case err != nil:
		err = step.Fail("init", "zygote", err)
	}
	if err != nil {
		status.Close()
		for _, fd := range fds {
			unix.Close(fd)
		}
		return nil, err
	}
	return withPrelude(&initProc{pid: int(rep.Pid), pidfd: fds[0], status: status, newNet: newNet, newSession: newSession})
}

// zygoteMain is the zygote's life: it answers requests until the server is gone, and boots each
// PID 1 it forks. (Its frame is on top of PID 1's whole nosplit chain: it stays this small.)
//
//go:nosplit
//go:norace
func zygoteMain(arg unsafe.Pointer) {
	zygoteSetup((*zygoteBlock)(arg))
	for {
		if zygoteServe((*zygoteBlock)(arg)) {
			pid1Boot(unsafe.Pointer((*zygoteBlock)(arg).boot))
		}
	}
}

// zygoteSetup makes the zygote: it dies with the server, keeps only its socket and /dev/null
// for stdio (a PID 1 holds these until its plan brings its own) and ignores SIGCHLD.
//
//go:nosplit
//go:norace
func zygoteSetup(z *zygoteBlock) {
	sys(unix.SYS_PRCTL, unix.PR_SET_PDEATHSIG, uintptr(unix.SIGKILL), 0, 0, 0)
	if z.sock != zygoteSock {
		sys(unix.SYS_DUP3, z.sock, zygoteSock, unix.O_CLOEXEC, 0, 0)
	}
	sys(unix.SYS_CLOSE_RANGE, zygoteSock+1, ^uintptr(0), 0, 0, 0)
	if null, e := sys(unix.SYS_OPENAT, ^uintptr(99), uintptr(unsafe.Pointer(z.null)), unix.O_RDWR|unix.O_CLOEXEC, 0, 0); e == 0 { // AT_FDCWD
		for fd := uintptr(0); fd <= 2; fd++ {
			sys(unix.SYS_DUP3, null, fd, 0, 0, 0)
		}
		sys(unix.SYS_CLOSE, null, 0, 0, 0, 0)
	}
	sys(unix.SYS_RT_SIGACTION, uintptr(unix.SIGCHLD), uintptr(unsafe.Pointer(&z.ignore)), 0, 8, 0)
}

// zygoteServe answers one request; it returns true in the PID 1 it forked.
//
//go:nosplit
//go:norace
func zygoteServe(z *zygoteBlock) bool {
	z.inMsg.Controllen = uint64(len(z.inOob))
	n, e := sys(unix.SYS_RECVMSG, zygoteSock, uintptr(unsafe.Pointer(&z.inMsg)), unix.MSG_CMSG_CLOEXEC, 0, 0)
	if e == unix.EINTR {
		return false
	}
	if e != 0 || n != uintptr(zygoteMsgSize) {
		sys(unix.SYS_EXIT_GROUP, 0, 0, 0, 0, 0) // the server is gone
	}
	if !rightsIn(&z.inMsg, 1) {
		z.msg.Pid, z.msg.Errno = 0, uint32(unix.EBADF)
		sys(unix.SYS_SENDMSG, zygoteSock, uintptr(unsafe.Pointer(&z.outMsg)), 0, 0, 0)
		return false
	}
	status := rightsFd(&z.inMsg, 0)
	b := z.boot
	b.status, b.newSession, b.flags = status, z.msg.NewSession != 0, uintptr(z.msg.Unshare)
	z.pidfd = -1
	pid, e := sys(unix.SYS_CLONE, unix.CLONE_NEWUSER|unix.CLONE_NEWPID|unix.CLONE_PIDFD|uintptr(unix.SIGCHLD), 0, uintptr(unsafe.Pointer(&z.pidfd)), 0, 0)
	if e == 0 && pid == 0 {
		return true
	}
	sys(unix.SYS_CLOSE, status, 0, 0, 0, 0)
	z.msg.Pid, z.msg.Errno = int32(pid), uint32(e)
	if e != 0 {
		sys(unix.SYS_SENDMSG, zygoteSock, uintptr(unsafe.Pointer(&z.outMsg)), 0, 0, 0)
		return false
	}
	z.outOob.setFd(z.pidfd)
	sys(unix.SYS_SENDMSG, zygoteSock, uintptr(unsafe.Pointer(&z.outMsgFd)), 0, 0, 0)
	sys(unix.SYS_CLOSE, uintptr(z.pidfd), 0, 0, 0, 0)
	return false
}
