//go:build linux

package sandbox

import (
	"encoding/json"
	"errors"
	"io"
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
	CgroupFile bool     `json:"cgroupFile"` // fd 5 is a cgroup.procs file for the exec stage
	Build      string   `json:"build"`      // the outer engine's Build, which must be PID 1's
	learnFd    int      // PID 1's own: the supervisor's hand-over socket for the exec stage, or -1
}

// Fds of PID 1.
const (
	initFrameFd  = 3
	initStatusFd = 4
	initCgroupFd = 5
)

// Init is PID 1 of the sandbox's namespaces: it builds the view and the network, starts the exec
// stage, then reaps every process until the target ends, and reports how it ended.
func Init() {
	status := initStatusFd
	// Only what PID 1 names reaches the exec stage.
	_ = unix.CloseRange(initFrameFd, ^uint(0), unix.CLOSE_RANGE_CLOEXEC)
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
	// Started before the outer engine read its frame: wait for it (start.go).
	a, err := receiveFrame(status)
	if err != nil {
		fail(err, false)
	}
	frameFd, err := unix.Dup(initFrameFd) // kept for the exec stage; the original is closed by readFrameFd
	if err != nil {
		fail(step.Fail("init", "dup", err), false)
	}
	unix.CloseOnExec(frameFd)
	c, filter, err := readFrameFd(initFrameFd)
	if err != nil {
		fail(err, false)
	}
	a.learnFd = -1
	var sup *learn.Supervisor
	emit := func(ev []byte) { _ = send(status, message{Type: "learn", Event: ev}) }
	if c.Learn {
		sup, err = learn.Start(filter, emit)
	} else if c.ReportRefusals {
		sup, err = learn.StartReport(filter, emit)
		a.Exec.ReportRefusals = sup != nil
	}
	if err != nil {
		fail(step.Fail("learn", "supervisor", err), false)
	}
	if sup != nil {
		a.learnFd = sup.StageEnd()
	}
	target, err := containInit(c, a, frameFd, status)
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
	pidfd   int      // -1 when not asked for
	control *os.File // write end: the arguments, then close
	errs    *os.File // read end: an error message, or end of file once the target is exec'd
}

// startExecStage starts the exec stage; it waits for its arguments (see Exec). learnFd, when
// not -1, is the learn supervisor's hand-over socket (fd 7 of the stage).
func startExecStage(frameFd, cgroupFd, learnFd int, sys *syscall.SysProcAttr) (*execStage, error) {
	ctlR, ctlW, err := os.Pipe()
	if err != nil {
		return nil, step.Fail("exec", "pipe", err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		ctlR.Close()
		ctlW.Close()
		return nil, step.Fail("exec", "pipe", err)
	}
	files := []uintptr{0, 1, 2, uintptr(frameFd), ctlR.Fd(), errW.Fd()}
	if cgroupFd >= 0 || learnFd >= 0 {
		files = append(files, uintptr(cgroupFd)) // -1 leaves fd 6 closed
	}
	if learnFd >= 0 {
		files = append(files, uintptr(learnFd))
	}
	s := &execStage{pidfd: -1, control: ctlW, errs: errR}
	if sys.PidFD != nil {
		*sys.PidFD = -1
	}
	s.pid, err = syscall.ForkExec("/proc/self/exe", []string{"stockade-engine", "__exec"}, &syscall.ProcAttr{
		Env: innerEnv, Files: files, Sys: sys,
	})
	ctlR.Close()
	errW.Close()
	if err != nil {
		ctlW.Close()
		errR.Close()
		return nil, step.Fail("exec", "start the exec stage", err)
	}
	if sys.PidFD != nil {
		s.pidfd = *sys.PidFD
	}
	return s, nil
}

// proceed hands the exec stage its arguments and waits until it has exec'd the target (its error
// pipe closes) or failed (it writes an error message, which is returned).
func (s *execStage) proceed(a *execArgs) error {
	raw, _ := json.Marshal(a)
	_, werr := s.control.Write(raw)
	s.control.Close()
	report, _ := io.ReadAll(s.errs)
	s.errs.Close()
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
