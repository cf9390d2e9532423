//go:build linux

package sandbox

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/learn"
	"stockade/engine/internal/step"
)

// initArgs is what PID 1 learns from the outer engine, with its frame (sendFrame).
type initArgs struct {
	Exec       execArgs `json:"exec"`       // passed on to the exec stage
	CgroupFile bool     `json:"cgroupFile"` // a cgroup.procs file for the exec stage comes with the frame
	Build      string   `json:"build"`      // the outer engine's Build, which must be PID 1's
	frameFd    int      // PID 1's own: the frame's memfd, as received
	cgroupFd   int      // PID 1's own: the cgroup.procs file, or -1
	learnFd    int      // PID 1's own: the supervisor's hand-over socket for the exec stage, or -1
}

// initStatusFd is PID 1's status socket to the outer engine; the frame and the cgroup.procs file
// come on it (receiveFrame).
const initStatusFd = 4

// Init is PID 1 of the sandbox's namespaces: it builds the view and the network, starts the exec
// stage, then reaps every process until the target ends, and reports how it ended.
func Init() {
	status := initStatusFd
	// Only what PID 1 names reaches the exec stage.
	_ = unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC)
	fail := func(err error, noUserns bool) {
		m := errorMessage(err)
		m.NoUserns = noUserns
		_ = send(status, m)
		os.Exit(step.ExitEngine)
	}
	// Not dumpable: the target (same uid) cannot read PID 1's memory, fds or environ, nor ptrace it.
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		fail(step.Fail("init", "PR_SET_DUMPABLE", err), false)
	}
	// The exec stage starts first, before the frame: its runtime starts up while the outer engine
	// reads the frame and PID 1 builds the view.
	var pidfd int
	stage, err := startExecStage(&syscall.SysProcAttr{PidFD: &pidfd})
	if err != nil {
		fail(err, false)
	}
	// Started before the outer engine read its frame: wait for it (start.go).
	a, err := receiveFrame(status)
	if err != nil {
		fail(err, false)
	}
	frameFd, err := unix.FcntlInt(uintptr(a.frameFd), unix.F_DUPFD_CLOEXEC, 0) // kept for the exec stage; readFrameFd closes a.frameFd
	if err != nil {
		fail(step.Fail("init", "dup", err), false)
	}
	c, filter, err := readFrameFd(a.frameFd)
	if err != nil {
		fail(err, false)
	}
	a.learnFd = -1
	var sup *learn.Supervisor
	emit := func(ev []byte) { _ = send(status, message{Type: "learn", Event: ev}) }
	if c.Learn {
		sup, err = learn.Start(filter, emit)
	} else if c.ReportRefusals || c.ReportFiles {
		sup, err = learn.StartReport(filter, emit, learn.Report{Refusals: c.ReportRefusals, Files: c.ReportFiles}, &c.Fs)
		a.Exec.ReportRefusals = sup != nil && c.ReportRefusals
		a.Exec.ReportFiles = sup != nil && c.ReportFiles
	}
	if err != nil {
		fail(step.Fail("learn", "supervisor", err), false)
	}
	if sup != nil {
		a.learnFd = sup.StageEnd()
	}
	target, err := containInit(c, a, stage, frameFd, status)
	if err != nil {
		var se *step.Error
		noUserns := errors.As(err, &se) && se.Step == "mount" && errors.Is(err, unix.EPERM) && strings.Contains(se.What, "propagation")
		fail(err, noUserns)
	}
	if sup != nil {
		sup.StageStarted()
	}
	code, sig := reap(target)
	if sup != nil {
		sup.Wait(5 * time.Second) // every record goes out before the exit status
	}
	// Stdio closes first, so the caller sees end-of-output no later than the status.
	for fd := 0; fd <= 2; fd++ {
		unix.Close(fd)
	}
	_ = send(status, message{Type: "exit", ExitCode: code, Signal: sig})
	os.Exit(0)
}

// execStage is a started exec stage.
type execStage struct {
	pid     int
	pidfd   int // -1 when not asked for
	control int // its frame and descriptors (handFrame), then its arguments (proceed)
	errs    int // read end: an error message, or end of file once the target is exec'd
}

// stageFds names the descriptors that come with the exec stage's frame, after the frame itself.
type stageFds struct {
	Cgroup bool `json:"cgroup"` // the cgroup.procs file
	Learn  bool `json:"learn"`  // the learn supervisor's hand-over socket
}

// startExecStage starts the exec stage, which waits for its frame (handFrame) and then for its
// arguments (proceed); see Exec. Raw descriptors, not os.File: PID 1 receives its own frame's
// descriptors after this, at numbers no poller may hold.
func startExecStage(sys *syscall.SysProcAttr) (*execStage, error) {
	ctl, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, step.Fail("exec", "socketpair", err)
	}
	var errs [2]int
	if err := unix.Pipe2(errs[:], unix.O_CLOEXEC); err != nil {
		unix.Close(ctl[0])
		unix.Close(ctl[1])
		return nil, step.Fail("exec", "pipe", err)
	}
	s := &execStage{pidfd: -1, control: ctl[0], errs: errs[0]}
	if sys.PidFD != nil {
		*sys.PidFD = -1
	}
	// Fd 3 stays closed: the frame comes on the control socket.
	files := []uintptr{0, 1, 2, ^uintptr(0), uintptr(ctl[1]), uintptr(errs[1])}
	s.pid, err = syscall.ForkExec("/proc/self/exe", []string{"stockade-stage", "__exec"}, &syscall.ProcAttr{
		Env: innerEnv, Files: files, Sys: sys,
	})
	unix.Close(ctl[1])
	unix.Close(errs[1])
	if err != nil {
		unix.Close(s.control)
		unix.Close(s.errs)
		return nil, step.Fail("exec", "start the exec stage", err)
	}
	if sys.PidFD != nil {
		s.pidfd = *sys.PidFD
	}
	return s, nil
}

// handFrame gives the exec stage its frame, and the cgroup.procs file and the learn supervisor's
// hand-over socket when they are not -1.
func (s *execStage) handFrame(frameFd, cgroupFd, learnFd int) error {
	have := stageFds{Cgroup: cgroupFd >= 0, Learn: learnFd >= 0}
	fds := []int{frameFd}
	if have.Cgroup {
		fds = append(fds, cgroupFd)
	}
	if have.Learn {
		fds = append(fds, learnFd)
	}
	raw, _ := json.Marshal(have)
	if err := send(s.control, message{Type: "frame", Args: raw}, fds...); err != nil {
		return step.Fail("exec", "hand over the frame", err)
	}
	return nil
}

// proceed hands the exec stage its arguments and waits until it has exec'd the target (its error
// pipe closes) or failed (it writes an error message, which is returned).
func (s *execStage) proceed(a *execArgs) error {
	raw, _ := json.Marshal(a)
	werr := send(s.control, message{Type: "args", Args: raw})
	unix.Close(s.control)
	report := readAll(s.errs)
	unix.Close(s.errs)
	if len(report) == 0 && werr == nil {
		return nil
	}
	var ws unix.WaitStatus
	_, _ = unix.Wait4(s.pid, &ws, 0, nil)
	var m message
	if json.Unmarshal(report, &m) != nil || m.Type != "error" {
		return step.Failf("exec", "", "the exec stage ended without a report (%v, %q)", werr, report)
	}
	return m.asError()
}

// readAll reads fd to its end (or its first error).
func readAll(fd int) []byte {
	var out []byte
	buf := make([]byte, 4<<10)
	for {
		n, err := unix.Read(fd, buf)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if n <= 0 {
			return out
		}
		out = append(out, buf[:n]...)
	}
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

// listenProxy opens the proxy's listening socket on 127.0.0.1 inside the sandbox's netns; the
// outer engine accepts on it from the host side (a socket keeps the netns it was made in).
func listenProxy() (fd, port int, err error) {
	fd, err = unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, 0, step.Fail("network", "proxy socket", err)
	}
	if err = unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err == nil {
		err = unix.Listen(fd, 128)
	}
	var sa unix.Sockaddr
	if err == nil {
		sa, err = unix.Getsockname(fd)
	}
	if err != nil {
		unix.Close(fd)
		return -1, 0, step.Fail("network", "proxy listener on 127.0.0.1", err)
	}
	return fd, sa.(*unix.SockaddrInet4).Port, nil
}
