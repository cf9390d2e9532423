//go:build linux

package sandbox

import (
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/plan"
)

// PID 1 is a fork of the engine that runs no Go code (a copy of a multi-threaded runtime with one
// thread cannot). The engine clones it at once, before it has read its frame, into new user and
// pid namespaces only, which cost the kernel little; PID 1 maps its own uid and gid and unshares
// the namespaces that cost more (mount, net, ipc, uts, cgroup) itself, on its own CPU, while the
// engine reads the frame and plans. Then it waits for its plan, builds the view (plan.SegView),
// forks the target, which locks itself down and execs (plan.SegTarget, then SegSeccomp and
// SegExec), reaps until the target ends and reports how. Everything it needs is laid out in a boot
// block before the fork; it writes only integers into it.
//
// PID 1's descriptors: 3 the status socket to the engine, and the ones the plan message brings,
// each moved to its own number: 4 the plan, 5 the cgroup.procs file, for a supervised run 6 the
// engine executable and 7 the frame (supervise.go), and 0-2 the target's stdio (PID 1 is forked
// before the run it serves is known: it keeps nothing of the engine's own 0-2).
const (
	pid1Status  = 3
	pid1Plan    = 4
	pid1Cgroup  = 5
	pid1Exe     = 6
	pid1Frame   = 7
	pid1MaxFds  = 7 // that the plan message may bring
	pid1Exit    = 125
	pidfdLength = 4
)

// Flags of the plan message (record.Code). The target's stdin, stdout and stderr always come last.
const (
	planCgroup    = 1 << iota // the cgroup.procs file follows the plan
	planSupervise             // the engine executable and the frame follow; PID 1 execs the supervisor after the view
)

// boot is PID 1's boot block: its arguments and its message buffers, with the pointers between
// them set before the fork.
type boot struct {
	status     uintptr // the status socket, moved to pid1Status
	newSession bool
	flags      uintptr  // the namespaces to unshare
	maps       [3]idMap // setgroups, uid_map, gid_map of the new user namespace

	in    record              // the plan message
	want  [pid1MaxFds]uintptr // where its descriptors go (here, not on pid1's stack: see zygoteMain)
	inIov unix.Iovec
	inOob [unix.SizeofCmsghdr + 4*pid1MaxFds + 8]byte
	inMsg unix.Msghdr

	out      record // what PID 1 says: outMsg alone, outMsgFd with a descriptor in outOob
	outIov   unix.Iovec
	outOob   rightsOob
	outMsg   unix.Msghdr
	outMsgFd unix.Msghdr

	superviseArgv [3]*byte // the supervisor's argv and envp (supervise.go), NULL-terminated
	superviseEnv  [2]*byte
	empty         *byte
	mapData       [2][48]byte // "ID ID 1" for uid_map and gid_map

	plan plan.Mapped
	cpus cpuSet // the CPUs PID 1 allows itself once its plan is in, when set (early_amd64.go)
	ws   uint32
	dfl  [4]uintptr // struct sigaction for SIG_DFL (all zero on every architecture)
}

// idMap is one /proc/self file PID 1 writes, and what.
type idMap struct {
	path, data *byte
	len        uintptr
}

func newBoot(status int, newSession bool, flags uintptr) *boot {
	b := new(boot)
	b.init(uintptr(status), uint64(os.Getuid()), uint64(os.Getgid()), newSession, flags)
	return b
}

// init lays out a boot block. It is nosplit and allocates nothing, since the block of the PID 1
// forked at the engine's entry (early_amd64.go) is laid out there, before the Go runtime starts:
// every pointer is into b itself or to a string constant.
//
//go:nosplit
//go:norace
func (b *boot) init(status uintptr, uid, gid uint64, newSession bool, flags uintptr) {
	b.status, b.newSession, b.flags = status, newSession, flags
	// The caller's uid and gid under the same ids inside (setgroups denied first, as an
	// unprivileged process must), so the sandbox is never more than the caller on the host.
	b.maps[0] = idMap{path: cString("/proc/self/setgroups\x00"), data: unsafe.StringData("deny"), len: 4}
	b.maps[1] = idMap{path: cString("/proc/self/uid_map\x00"), data: &b.mapData[0][0], len: idMapLine(&b.mapData[0], uid)}
	b.maps[2] = idMap{path: cString("/proc/self/gid_map\x00"), data: &b.mapData[1][0], len: idMapLine(&b.mapData[1], gid)}
	b.inIov.Base, b.inIov.Len = (*byte)(unsafe.Pointer(&b.in)), uint64(recordSize)
	b.inMsg.Iov, b.inMsg.Iovlen = &b.inIov, 1
	b.inMsg.Control, b.inMsg.Controllen = &b.inOob[0], uint64(len(b.inOob))
	b.outOob.init()
	b.outIov.Base, b.outIov.Len = (*byte)(unsafe.Pointer(&b.out)), uint64(recordSize)
	b.outMsg.Iov, b.outMsg.Iovlen = &b.outIov, 1
	b.outMsgFd = b.outMsg
	b.outMsgFd.Control, b.outMsgFd.Controllen = &b.outOob[0], uint64(len(b.outOob))
	b.superviseArgv = [3]*byte{cString("stockade-engine\x00"), cString("__supervise\x00"), nil}
	b.superviseEnv = [2]*byte{cString(innerGOMAXPROCS + "\x00"), nil}
	b.empty = cString("\x00")
}

// cpuSet is a CPU affinity mask (1024 CPUs, as glibc's cpu_set_t) and the bytes the kernel
// filled; n == 0 is none.
type cpuSet struct {
	bits [16]uint64
	n    uintptr
}

// get reads this thread's affinity.
//
//go:nosplit
func (c *cpuSet) get() {
	n, e := sys(unix.SYS_SCHED_GETAFFINITY, 0, unsafe.Sizeof(c.bits), uintptr(unsafe.Pointer(&c.bits)), 0, 0)
	if e != 0 {
		n = 0
	}
	c.n = n
}

// set gives task tid (0: this one) the affinity c; best effort.
//
//go:nosplit
func (c *cpuSet) set(tid uintptr) {
	sys(unix.SYS_SCHED_SETAFFINITY, tid, c.n, uintptr(unsafe.Pointer(&c.bits)), 0, 0)
}

// one makes c the first CPU of from other than not, and reports whether there is one.
//
//go:nosplit
func (c *cpuSet) one(from *cpuSet, not uintptr) bool {
	for cpu := uintptr(0); cpu < from.n*8; cpu++ {
		if from.bits[cpu/64]&(1<<(cpu%64)) != 0 && cpu != not {
			c.bits[cpu/64], c.n = 1<<(cpu%64), from.n
			return true
		}
	}
	return false
}

// cString is the address of a string constant that ends in NUL.
//
//go:nosplit
func cString(s string) *byte { return unsafe.StringData(s) }

// idMapLine writes "ID ID 1" (a line of uid_map or gid_map) to buf and returns its length.
//
//go:nosplit
//go:norace
func idMapLine(buf *[48]byte, id uint64) uintptr {
	var digits [20]byte
	n := len(digits)
	for {
		n--
		digits[n] = byte('0' + id%10)
		if id /= 10; id == 0 {
			break
		}
	}
	l := uintptr(0)
	for k := 0; k < 2; k++ {
		for i := n; i < len(digits); i++ {
			buf[l] = digits[i]
			l++
		}
		buf[l] = ' '
		l++
	}
	buf[l] = '1'
	return l + 1
}

// cStrings lays out a NULL-terminated array of C strings.
func cStrings(ss ...string) []*byte {
	out := make([]*byte, 0, len(ss)+1)
	for _, s := range ss {
		out = append(out, &append([]byte(s), 0)[0])
	}
	return append(out, nil)
}

// sys is a raw system call for code that runs without the Go runtime.
//
//go:nosplit
func sys(nr, a1, a2, a3, a4, a5 uintptr) (uintptr, syscall.Errno) {
	r, _, e := syscall.RawSyscall6(nr, a1, a2, a3, a4, a5, 0)
	return r, e
}

// none is "no descriptor" for pid1Send.
const none = ^uintptr(0)

// pid1Boot is where PID 1 starts (see boot): it maps its ids, makes the rest of its namespaces
// and goes on as pid1.
//
//go:nosplit
//go:norace
func pid1Boot(arg unsafe.Pointer) {
	b := (*boot)(arg)
	sys(unix.SYS_PRCTL, unix.PR_SET_PDEATHSIG, uintptr(unix.SIGKILL), 0, 0, 0)
	if b.status != pid1Status {
		sys(unix.SYS_DUP3, b.status, pid1Status, unix.O_CLOEXEC, 0, 0)
	}
	sys(unix.SYS_CLOSE_RANGE, pid1Status+1, ^uintptr(0), 0, 0, 0)
	// Born of the zygote (zygote.go), PID 1 would have SIGCHLD ignored: its children reaped
	// by the kernel, the target's status lost.
	sys(unix.SYS_RT_SIGACTION, uintptr(unix.SIGCHLD), uintptr(unsafe.Pointer(&b.dfl)), 0, 8, 0)
	for i := range b.maps {
		m := &b.maps[i]
		fd, e := sys(unix.SYS_OPENAT, ^uintptr(99), uintptr(unsafe.Pointer(m.path)), unix.O_WRONLY|unix.O_CLOEXEC, 0, 0) // AT_FDCWD
		if e == 0 {
			var n uintptr
			n, e = sys(unix.SYS_WRITE, fd, uintptr(unsafe.Pointer(m.data)), m.len, 0, 0)
			if e == 0 && n != m.len {
				e = unix.EIO
			}
			sys(unix.SYS_CLOSE, fd, 0, 0, 0, 0)
		}
		if e != 0 {
			pid1Fail(b, stepIDMap-int32(i), uintptr(e))
		}
	}
	if _, e := sys(unix.SYS_UNSHARE, b.flags, 0, 0, 0, 0); e != 0 {
		pid1Fail(b, stepUnshare, uintptr(e))
	}
	pid1(b)
}

// pid1 is PID 1's whole life (see boot).
//
//go:nosplit
//go:norace
func pid1(b *boot) {
	if b.newSession {
		sys(unix.SYS_SETSID, 0, 0, 0, 0, 0)
	}
	// Not dumpable: the target (same uid) cannot read PID 1's memory, fds or environ, nor ptrace it.
	sys(unix.SYS_PRCTL, unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
	pid1Prelude(b)
	// The plan; the end of the socket before it means the engine discarded this PID 1.
	pid1Receive(b, recPlan)
	if b.cpus.n != 0 {
		b.cpus.set(0)
	}
	flags := b.in.Code
	want := &b.want
	want[0] = pid1Plan
	count := 1
	if flags&planCgroup != 0 {
		want[count] = pid1Cgroup
		count++
	}
	if flags&planSupervise != 0 {
		want[count], want[count+1] = pid1Exe, pid1Frame
		count += 2
	}
	want[count], want[count+1], want[count+2] = 0, 1, 2
	count += 3
	if !rightsIn(&b.inMsg, count) {
		pid1Fail(b, stepReceive, uintptr(unix.EBADF))
	}
	// Received at the lowest free numbers above 3, in order: moved from the last, none is
	// overwritten; the stdio ones go to 0-2, over what PID 1 inherited.
	for i := count - 1; i >= 0; i-- {
		got := rightsFd(&b.inMsg, i)
		if got != want[i] {
			flags := uintptr(unix.O_CLOEXEC)
			if want[i] <= 2 {
				flags = 0
			}
			sys(unix.SYS_DUP3, got, want[i], flags, 0, 0)
			sys(unix.SYS_CLOSE, got, 0, 0, 0, 0)
		}
	}
	if e := plan.Map(pid1Plan, &b.plan); e != 0 {
		pid1Fail(b, stepMap, e)
	}
	if flags&planSupervise == 0 {
		sys(unix.SYS_CLOSE, pid1Plan, 0, 0, 0, 0)
	}
	if i, e := b.plan.Run(plan.SegView); i >= 0 {
		pid1Fail(b, int32(i), uintptr(e))
	}
	if flags&planSupervise != 0 {
		// The supervisor takes over as PID 1 (supervise.go), with the descriptors it is given.
		for fd := uintptr(pid1Status); fd <= pid1Frame; fd++ {
			sys(unix.SYS_FCNTL, fd, unix.F_SETFD, 0, 0, 0)
		}
		_, e := sys(unix.SYS_EXECVEAT, pid1Exe, uintptr(unsafe.Pointer(b.empty)), uintptr(unsafe.Pointer(&b.superviseArgv[0])), uintptr(unsafe.Pointer(&b.superviseEnv[0])), unix.AT_EMPTY_PATH)
		pid1Fail(b, stepExec, uintptr(e))
	}
	target := pid1Start(b)
	b.out = record{Kind: recStarted}
	pid1Send(b, none)
	// The engine reads the target's host pid from its pidfd (recForked): the target is not reaped
	// before it says it has.
	for {
		n, e := sys(unix.SYS_READ, pid1Status, uintptr(unsafe.Pointer(&b.in)), uintptr(recordSize), 0, 0)
		if e != unix.EINTR {
			if e != 0 || n == 0 {
				sys(unix.SYS_EXIT_GROUP, pid1Exit, 0, 0, 0, 0) // the engine is gone
			}
			break
		}
	}
	// PID 1 keeps only the status socket: stdio and the rest belong to the target.
	sys(unix.SYS_CLOSE_RANGE, 0, pid1Status-1, 0, 0, 0)
	sys(unix.SYS_CLOSE_RANGE, pid1Status+1, ^uintptr(0), 0, 0, 0)
	code, sig := pid1Reap(b, target)
	b.out = record{Kind: recExit, Code: code, Signal: sig}
	pid1Send(b, none)
	sys(unix.SYS_EXIT_GROUP, 0, 0, 0, 0, 0)
}

// pid1Receive receives the next message from the engine, of kind kind, into b.in and b.inOob;
// anything else ends PID 1.
//
//go:nosplit
//go:norace
func pid1Receive(b *boot, kind uint32) {
	b.inMsg.Controllen = uint64(len(b.inOob))
	for {
		n, e := sys(unix.SYS_RECVMSG, pid1Status, uintptr(unsafe.Pointer(&b.inMsg)), unix.MSG_CMSG_CLOEXEC, 0, 0)
		if e == unix.EINTR {
			continue
		}
		if e != 0 || n != uintptr(recordSize) || b.in.Kind != kind {
			pid1Fail(b, stepReceive, uintptr(e))
		}
		return
	}
}

// pid1Prelude receives the prelude (prelude.go) and builds the sandbox's /proc and /dev with it,
// which the view clones. It leaves PID 1 with descriptors 0-3 only, as it came.
//
//go:nosplit
//go:norace
func pid1Prelude(b *boot) {
	pid1Receive(b, recPrelude)
	if !rightsIn(&b.inMsg, 1) {
		pid1Fail(b, stepReceive, uintptr(unix.EBADF))
	}
	fd := rightsFd(&b.inMsg, 0)
	e := plan.Map(fd, &b.plan)
	sys(unix.SYS_CLOSE, fd, 0, 0, 0, 0)
	if e != 0 {
		pid1Fail(b, stepMap, e)
	}
	if i, e := b.plan.Run(plan.SegView); i >= 0 {
		b.out = record{Kind: recFailed, Op: int32(i), Errno: uint32(e), Code: inPrelude}
		pid1Send(b, none)
		sys(unix.SYS_EXIT_GROUP, pid1Exit, 0, 0, 0, 0)
	}
	sys(unix.SYS_CLOSE_RANGE, pid1Status+1, ^uintptr(0), 0, 0, 0)
}

// pid1Start starts the target (forkTarget), which runs the target segment and execs, hands the
// engine its pidfd, and waits until it has exec'd. A failure is reported and ends PID 1. Where the
// target shares PID 1's memory, PID 1 is suspended until the target's execve or exit, and the
// target writes nothing PID 1 reads afterwards but its failure record, which the pipe carries.
//
//go:nosplit
//go:norace
func pid1Start(b *boot) (target uintptr) {
	var pipe [2]int32
	if _, e := sys(unix.SYS_PIPE2, uintptr(unsafe.Pointer(&pipe)), unix.O_CLOEXEC, 0, 0, 0); e != 0 {
		pid1Fail(b, stepFork, uintptr(e))
	}
	fd := int32(-1)
	pid, e := forkTarget(uintptr(unsafe.Pointer(&fd)))
	if e != 0 {
		pid1Fail(b, stepFork, uintptr(e))
	}
	if pid == 0 {
		sys(unix.SYS_CLOSE, pid1Status, 0, 0, 0, 0)
		sys(unix.SYS_CLOSE, uintptr(pipe[0]), 0, 0, 0, 0)
		sys(unix.SYS_CLOSE_RANGE, pid1Plan, ^uintptr(0), unix.CLOSE_RANGE_CLOEXEC, 0, 0) // nothing else reaches the target
		i, e := runTarget(&b.plan)
		b.out = record{Kind: recFailed, Op: int32(i), Errno: uint32(e)}
		sys(unix.SYS_WRITE, uintptr(pipe[1]), uintptr(unsafe.Pointer(&b.out)), uintptr(recordSize), 0, 0)
		sys(unix.SYS_EXIT_GROUP, pid1Exit, 0, 0, 0, 0)
	}
	sys(unix.SYS_CLOSE, uintptr(pipe[1]), 0, 0, 0, 0)
	b.out = record{Kind: recForked}
	pid1Send(b, uintptr(fd))
	sys(unix.SYS_CLOSE, uintptr(fd), 0, 0, 0, 0)
	// The pipe closes at the target's execve (close-on-exec), or carries why it failed.
	var n uintptr
	for {
		n, e = sys(unix.SYS_READ, uintptr(pipe[0]), uintptr(unsafe.Pointer(&b.out)), uintptr(recordSize), 0, 0)
		if e != unix.EINTR {
			break
		}
	}
	if n != 0 {
		if e != 0 || n != uintptr(recordSize) {
			b.out = record{Kind: recFailed, Op: stepFork, Errno: uint32(unix.EIO)}
		}
		pid1Send(b, none)
		sys(unix.SYS_WAIT4, pid, 0, unix.WALL, 0, 0)
		sys(unix.SYS_EXIT_GROUP, pid1Exit, 0, 0, 0, 0)
	}
	sys(unix.SYS_CLOSE, uintptr(pipe[0]), 0, 0, 0, 0)
	return pid
}

// runTarget runs the target's segments: the lockdown, the seccomp filter, execve. It returns
// only when one failed.
//
//go:nosplit
//go:norace
func runTarget(m *plan.Mapped) (int, uint64) {
	for s := plan.SegTarget; s <= plan.SegExec; s++ {
		if i, e := m.Run(s); i >= 0 {
			return i, e
		}
	}
	return -1, uint64(unix.EIO) // unreachable: the exec segment execs or fails
}

// pid1Reap waits for every child; when the target ends it kills the rest of the namespace. It
// returns the target's exit code or signal.
//
//go:nosplit
//go:norace
func pid1Reap(b *boot, target uintptr) (code, sig int32) {
	for {
		pid, e := sys(unix.SYS_WAIT4, ^uintptr(0), uintptr(unsafe.Pointer(&b.ws)), unix.WALL, 0, 0)
		if e == unix.EINTR {
			continue
		}
		if e != 0 { // ECHILD: everyone is gone
			return code, sig
		}
		if pid == target {
			if s := int32(b.ws & 0x7f); s != 0 {
				sig = s // killed by a signal (a stopped child is not reported: no WUNTRACED)
			} else {
				code = int32(b.ws>>8) & 0xff
			}
			sys(unix.SYS_KILL, ^uintptr(0), uintptr(unix.SIGKILL), 0, 0, 0) // the rest of the namespace goes with the target
		}
	}
}

// pid1Send sends b.out, with descriptor fd when it is not -1.
//
//go:nosplit
//go:norace
func pid1Send(b *boot, fd uintptr) {
	msg := &b.outMsg
	if fd != none {
		b.outOob.setFd(int32(fd))
		msg = &b.outMsgFd
	}
	sys(unix.SYS_SENDMSG, pid1Status, uintptr(unsafe.Pointer(msg)), 0, 0, 0)
}

// pid1Fail reports a failure and ends PID 1.
//
//go:nosplit
//go:norace
func pid1Fail(b *boot, op int32, errno uintptr) {
	b.out = record{Kind: recFailed, Op: op, Errno: uint32(errno)}
	pid1Send(b, none)
	sys(unix.SYS_EXIT_GROUP, pid1Exit, 0, 0, 0, 0)
}
