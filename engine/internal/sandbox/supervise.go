//go:build linux

package sandbox

import (
	"errors"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/learn"
	"stockade/engine/internal/plan"
	"stockade/engine/internal/step"
)

// A supervised run (learn mode, or refused calls or files reported) needs a supervisor that
// answers the target's seccomp notifications, which is Go code, and a target whose filter's
// listener reaches it, which needs a second thread in the target before execve (a filter that
// notifies sendmsg would otherwise wait for a supervisor that does not have the listener yet).
// So the raw PID 1 builds the view and execs the engine as the supervising PID 1 (Supervise),
// which starts the target as a Go exec stage (Exec): it runs the plan's lockdown, installs the
// filter with the listener, hands it over from another thread, and runs the plan's execve.

// Fds of the exec stage, set up by Supervise.
const (
	execPlan     = 3
	execFrame    = 4
	execHandover = 5 // the listener goes to PID 1 on it
	execErrors   = 6 // a failure record, or nothing once execve succeeded (close-on-exec)
)

// Supervise is the supervising PID 1 (`stockade-engine __supervise`), exec'd by the raw PID 1
// in the view with its status socket on 3, the plan on 4, the cgroup.procs file on 5 (when there
// is one), the engine executable on 6 and the frame on 7. It reports as the raw PID 1 does.
func Supervise() {
	status := pid1Status
	fail := func(r record, err error) {
		_ = sendRecord(status, r, errorLine(err))
		os.Exit(pid1Exit)
	}
	// Not dumpable: the target (same uid) cannot read PID 1's memory, fds or environ, nor ptrace it.
	_ = unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
	_ = unix.CloseRange(pid1Frame+1, ^uint(0), 0)
	_ = unix.CloseRange(pid1Status, ^uint(0), unix.CLOSE_RANGE_CLOEXEC)
	frameCopy, err := unix.FcntlInt(pid1Frame, unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		fail(record{Kind: recFailed, Op: stepSupervisor}, step.Fail("init", "dup", err))
	}
	c, filter, err := readFrameFd(frameCopy)
	if err != nil {
		fail(record{Kind: recFailed, Op: stepSupervisor}, err)
	}
	emit := func(line []byte) { _ = sendRecord(status, record{Kind: recLearn}, line) }
	var sup *learn.Supervisor
	if c.Learn {
		sup = learn.NewLearner(filter, emit)
	} else {
		sup = learn.NewReporter(filter, emit, learn.Report{Refusals: c.ReportRefusals, Files: c.ReportFiles}, &c.Fs)
	}
	handover, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		fail(record{Kind: recFailed, Op: stepFork, Errno: uint32(errno(err))}, nil)
	}
	var pipe [2]int
	if err := unix.Pipe2(pipe[:], unix.O_CLOEXEC); err != nil {
		fail(record{Kind: recFailed, Op: stepFork, Errno: uint32(errno(err))}, nil)
	}
	// RLIMIT_NPROC counts this process's threads too; the supervisor's and the reaper's blocking
	// calls may each take one more.
	base := strconv.Itoa(countThreads() + 2)
	target, pidfd, err := startExec(base, handover[1], pipe[1])
	unix.Close(handover[1])
	unix.Close(pipe[1])
	if err != nil {
		fail(record{Kind: recFailed, Op: stepFork, Errno: uint32(errno(err))}, nil)
	}
	go func() {
		listener, reason, ok := learn.ReceiveListener(handover[0])
		unix.Close(handover[0])
		switch {
		case ok:
			sup.Serve(listener)
		case reason != "":
			sup.NoListener(reason)
		default:
			sup.NoListener("") // the stage failed before its filter, and says why below
		}
	}()
	_ = sendRecord(status, record{Kind: recForked}, nil, pidfd)
	unix.Close(pidfd)
	// The pipe closes at the target's execve (close-on-exec), or carries why it failed.
	if r, line, ok := readRecord(pipe[0]); ok {
		wait(target)
		_ = sendRecord(status, r, line)
		os.Exit(pid1Exit)
	}
	unix.Close(pipe[0])
	// Signals from inside the namespace do not reach PID 1: the outer engine signals the target
	// itself. Ignored from here on, so the target did not inherit SIG_IGN.
	signal.Ignore(unix.SIGTERM, unix.SIGINT, unix.SIGHUP)
	_ = sendRecord(status, record{Kind: recStarted}, nil)
	// The engine reads the target's host pid from its pidfd: the target is not reaped before it
	// says it has.
	var ack record
	for {
		n, err := unix.Read(status, ack.bytes())
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if n <= 0 {
			os.Exit(pid1Exit) // the engine is gone
		}
		break
	}
	code, sig := reap(target)
	sup.Wait(5 * time.Second) // every record goes out before the exit status
	for fd := 0; fd <= 2; fd++ {
		unix.Close(fd) // stdio closes first, so the caller sees end-of-output no later than the status
	}
	_ = sendRecord(status, record{Kind: recExit, Code: int32(code), Signal: int32(sig)}, nil)
	os.Exit(0)
}

// execChild is what the exec stage's child needs: descriptors at numbers above execErrors (so
// moving them to execPlan..execErrors overwrites none), its argv and envp.
type execChild struct {
	from       [4]uintptr // plan, frame, hand-over socket, error pipe
	exe        uintptr    // the engine executable
	argv, envp []*byte
	empty      *byte
}

// execStage moves the stage's descriptors into place and execs the engine from its descriptor
// (its path may not be in the view).
//
//go:nosplit
//go:norace
func execStage(arg unsafe.Pointer) {
	a := (*execChild)(arg)
	for i, fd := range a.from {
		sys(unix.SYS_DUP3, fd, uintptr(execPlan+i), 0, 0, 0)
	}
	sys(unix.SYS_EXECVEAT, a.exe, uintptr(unsafe.Pointer(a.empty)), uintptr(unsafe.Pointer(&a.argv[0])), uintptr(unsafe.Pointer(&a.envp[0])), unix.AT_EMPTY_PATH)
	sys(unix.SYS_EXIT_GROUP, pid1Exit, 0, 0, 0, 0)
}

// startExec starts the exec stage with the plan, the frame, the hand-over socket and the error
// pipe on its descriptors 3-6, and returns its pid and pidfd.
func startExec(nprocBase string, handover, errw int) (pid, pidfd int, err error) {
	a := &execChild{argv: cStrings("stockade-engine", "__exec", nprocBase), envp: cStrings(innerEnv...), empty: &[]byte{0}[0]}
	for i, fd := range []int{pid1Plan, pid1Frame, handover, errw, pid1Exe} {
		high, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, execErrors+1)
		if err != nil {
			return 0, -1, err
		}
		defer unix.Close(high)
		if i < len(a.from) {
			a.from[i] = uintptr(high)
		} else {
			a.exe = uintptr(high)
		}
	}
	return plan.Fork(unix.CLONE_PIDFD, execStage, unsafe.Pointer(a))
}

// Exec is the exec stage of a supervised run (`stockade-engine __exec NPROC_BASE`): on one locked
// thread it runs the plan's lockdown, installs the filter with a listener for PID 1, and runs the
// plan's execve. A failure is a record on execErrors.
func Exec() {
	runtime.LockOSThread()
	unix.CloseOnExec(execErrors)
	fail := func(r record, err error) {
		line := append(r.bytes(), errorLine(err)...)
		_, _ = unix.Write(execErrors, line)
		os.Exit(pid1Exit)
	}
	var m plan.Mapped
	if e := plan.Map(execPlan, &m); e != 0 {
		fail(record{Kind: recFailed, Op: stepMap, Errno: uint32(e)}, nil)
	}
	unix.Close(execPlan)
	c, filter, err := readFrameFd(execFrame)
	if err != nil {
		fail(record{Kind: recFailed, Op: stepSupervisor}, err)
	}
	if rl := (*unix.Rlimit)(m.Export(plan.ExportNproc)); rl != nil && len(os.Args) > 2 {
		base, _ := strconv.Atoi(os.Args[2])
		var hard unix.Rlimit
		_ = unix.Getrlimit(unix.RLIMIT_NPROC, &hard)
		n := uint64(c.Limits.Pids) + uint64(base)
		rl.Cur, rl.Max = min(n, hard.Max), min(n, hard.Max)
	}
	var prog, fallback []unix.SockFilter
	if c.Learn {
		prog, err = learn.LearnFilter(filter)
	} else {
		prog, err = learn.ReportProgram(filter, learn.Report{Refusals: c.ReportRefusals, Files: c.ReportFiles})
		fallback = filter
	}
	if err != nil {
		fail(record{Kind: recFailed, Op: stepSupervisor}, err)
	}
	if i, e := m.Run(plan.SegTarget); i >= 0 {
		fail(record{Kind: recFailed, Op: int32(i), Errno: uint32(e)}, nil)
	}
	if err := learn.Install(prog, fallback, execHandover); err != nil {
		fail(record{Kind: recFailed, Op: stepSupervisor}, err)
	}
	unix.Close(execHandover)
	i, e := m.Run(plan.SegExec)
	fail(record{Kind: recFailed, Op: int32(i), Errno: uint32(e)}, nil)
}

// readRecord reads one record and the message after it from fd; ok is false at its end.
func readRecord(fd int) (record, []byte, bool) {
	buf := make([]byte, 4<<10)
	var data []byte
	for {
		n, err := unix.Read(fd, buf)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if n <= 0 {
			break
		}
		data = append(data, buf[:n]...)
	}
	r, line, err := decodeRecord(data)
	return r, line, err == nil
}

// reap waits for every child; when the target ends it kills the rest of the namespace.
func reap(target int) (code, sig int) {
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, unix.WALL, nil)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil { // ECHILD: everyone is gone
			return code, sig
		}
		if pid == target {
			if ws.Signaled() {
				sig = int(ws.Signal())
			} else {
				code = ws.ExitStatus()
			}
			_ = unix.Kill(-1, unix.SIGKILL) // the rest of the namespace goes with the target
		}
	}
}

// countThreads returns the number of threads of this process, which RLIMIT_NPROC counts too.
func countThreads() int {
	entries, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return 16
	}
	return len(entries)
}

// errno is err's errno, EIO when it has none.
func errno(err error) unix.Errno {
	var e unix.Errno
	if errors.As(err, &e) {
		return e
	}
	return unix.EIO
}
