//go:build linux

package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/caps"
	"stockade/engine/internal/config"
	"stockade/engine/internal/landlock"
	"stockade/engine/internal/learn"
	"stockade/engine/internal/rlimit"
	"stockade/engine/internal/seccomp"
	"stockade/engine/internal/step"
)

// execArgs is what the exec stage learns from the stage that started it (one JSON argument).
type execArgs struct {
	InView      bool `json:"inView"`      // inside the engine's view (false: degraded, host view)
	Landlock    int  `json:"landlock"`    // ABI to enforce; 0 when the caller accepted its absence
	ProxyPort   int  `json:"proxyPort"`   // allowlist mode: the proxy's loopback port
	NprocBase   int  `json:"nprocBase"`   // tasks of our uid in the user namespace before the target
	CgroupMem   bool `json:"cgroupMem"`   // memory limited by a cgroup: no RLIMIT_AS
	CgroupPids  bool `json:"cgroupPids"`  // pids limited by a cgroup: no RLIMIT_NPROC
	CgroupProcs bool `json:"cgroupProcs"` // a cgroup.procs file comes with the frame, to join right before execve
	// PID 1 supervises refusals (ExecConfig.reportRefusals): learnFd takes the report filter's listener
	ReportRefusals bool `json:"reportRefusals,omitempty"`
	// and refused files (ExecConfig.reportFiles): the same filter also notifies the allowed file calls
	ReportFiles bool `json:"reportFiles,omitempty"`
	cgroupFd    int  // the stage's own: the cgroup.procs file, or -1
	learnFd     int  // the stage's own: learn mode, reportRefusals: the socket the listener goes to PID 1 on, or -1
}

// Fds of the exec stage. The frame, the cgroup.procs file and the learn hand-over socket come on
// the control socket and stay on the numbers they arrive on: the Go runtime may hold any other
// (it keeps /sys/fs/cgroup/cpu/cpu.cfs_quota_us open, on fd 3 when that is free).
const (
	execControlFd = 4 // in: the frame and its descriptors, then the arguments (execStage)
	execErrorFd   = 5 // out: an error message, or nothing when execve succeeded (close-on-exec)
)

// Exec is the last stage: a single-purpose process that locks the target down on its locked main
// thread and execs it. Everything that constrains the engine's own Go runtime (RLIMIT_AS,
// RLIMIT_NPROC, seccomp) comes last, immediately before execve.
//
// PID 1 starts it before it has a frame itself, so its runtime starts while the outer engine
// reads the frame and PID 1 builds the view. It waits on the control socket for the frame, then
// for its arguments, which PID 1 sends once the view is in place (pivot_root moves this
// process's root along with PID 1's).
func Exec() {
	errPipe := os.NewFile(execErrorFd, "errors")
	unix.CloseOnExec(execErrorFd)
	frameFd, cgroupFd, learnFd, err := receiveStageFds()
	if err != nil {
		reportExecError(errPipe, err)
	}
	c, filter, err := readFrameFd(frameFd)
	if err != nil {
		reportExecError(errPipe, err)
	}
	m, _, ok, err := receive(execControlFd)
	unix.Close(execControlFd)
	if !ok && err == nil {
		os.Exit(step.ExitEngine) // the stage that started us gave up; it reports why
	}
	var a execArgs
	if err == nil && m.Type != "args" {
		err = fmt.Errorf("got %q instead", m.Type)
	}
	if err == nil {
		err = json.Unmarshal(m.Args, &a)
	}
	if err != nil {
		reportExecError(errPipe, step.Fail("exec", "arguments", err))
	}
	a.cgroupFd, a.learnFd = cgroupFd, learnFd
	if err := unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err != nil {
		reportExecError(errPipe, step.Fail("close fds", "close_range", err))
	}
	if err := lockdown(c, filter, &a); err != nil {
		reportExecError(errPipe, err)
	}
}

// receiveStageFds waits for the frame on the control socket and returns its descriptors: the
// frame, the cgroup.procs file and the learn hand-over socket (-1 when not sent). The end of the
// socket before it means the stage that started this one gave up, and reports why: exit quietly.
func receiveStageFds() (frameFd, cgroupFd, learnFd int, err error) {
	m, fds, ok, err := receive(execControlFd)
	if err == nil && !ok {
		os.Exit(step.ExitEngine)
	}
	var have stageFds
	if err == nil && m.Type != "frame" {
		err = fmt.Errorf("got %q instead", m.Type)
	}
	if err == nil {
		err = json.Unmarshal(m.Args, &have)
	}
	want := 1
	if have.Cgroup {
		want++
	}
	if have.Learn {
		want++
	}
	if err == nil && len(fds) != want {
		err = fmt.Errorf("%d descriptors instead of %d", len(fds), want)
	}
	if err != nil {
		return -1, -1, -1, step.Fail("exec", "receive the frame", err)
	}
	frameFd, fds, cgroupFd, learnFd = fds[0], fds[1:], -1, -1
	if have.Cgroup {
		cgroupFd, fds = fds[0], fds[1:]
	}
	if have.Learn {
		learnFd = fds[0]
	}
	return frameFd, cgroupFd, learnFd, nil
}

// lockdown runs steps 4-6 of DESIGN.md on this thread and execs the target.
func lockdown(c *config.ExecConfig, filter []unix.SockFilter, a *execArgs) error {
	env := targetEnv(c, a.ProxyPort)
	if err := unix.Chdir(c.Cwd); err != nil {
		return step.Fail("cwd", fmt.Sprintf("%q", c.Cwd), err).WithHint("the working directory must be inside fs.read or fs.write")
	}
	path, err := lookPath(c.Argv[0], c.Env["PATH"])
	if err != nil {
		return err
	}
	// Capabilities, no_new_privs, Landlock and seccomp are per thread: from here on everything
	// happens on this one, which then calls execve.
	runtime.LockOSThread()
	if err := caps.DropAll(); err != nil {
		return err
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return step.Fail("no_new_privs", "", err)
	}
	if a.Landlock > 0 {
		if err := landlock.Restrict(c, a.Landlock, landlock.Options{InView: a.InView, ProxyPort: a.ProxyPort}); err != nil {
			return err
		}
	}
	if err := rlimit.Apply(&c.Limits, rlimit.Plan{CgroupMemory: a.CgroupMem, CgroupPids: a.CgroupPids, NprocBase: a.NprocBase}); err != nil {
		return err
	}
	if a.CgroupProcs {
		if _, err := unix.Write(a.cgroupFd, []byte("0")); err != nil {
			return step.Fail("cgroup", "join", err)
		}
	}
	if c.Learn {
		if !a.InView {
			return step.Failf("learn", "", "learn mode needs user namespaces (its supervisor is the sandbox's PID 1)")
		}
		err = learn.Install(filter, a.learnFd)
	} else if a.ReportRefusals || a.ReportFiles {
		err = learn.InstallReport(filter, a.learnFd, learn.Report{Refusals: a.ReportRefusals, Files: a.ReportFiles})
	} else {
		err = seccomp.Install(filter)
	}
	if err != nil {
		return err
	}
	err = syscall.Exec(path, c.Argv, env)
	code := step.ExitNotExecutable
	if errors.Is(err, unix.ENOENT) {
		code = step.ExitNotFound
	}
	return &step.Error{Step: "execve", What: fmt.Sprintf("%q", path), Err: err, Code: code}
}

// targetEnv is exactly the configured environment, plus the proxy variables in allowlist mode.
func targetEnv(c *config.ExecConfig, proxyPort int) []string {
	return c.TargetEnv(proxyPort)
}

// lookPath resolves argv[0] like a shell: a name with a slash is used as is, otherwise each
// directory of PATH (from the configured env, inside the view) is tried.
func lookPath(name, pathEnv string) (string, error) {
	what := fmt.Sprintf("%q", name)
	check := func(p string) error {
		var st unix.Stat_t
		if err := unix.Stat(p, &st); err != nil {
			return err
		}
		if st.Mode&unix.S_IFMT == unix.S_IFDIR {
			return unix.EISDIR
		}
		return unix.Access(p, unix.X_OK)
	}
	if strings.Contains(name, "/") {
		if err := check(name); err != nil {
			code := step.ExitNotExecutable
			if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) {
				code = step.ExitNotFound
			}
			return "", &step.Error{Step: "command", What: what, Err: err, Code: code}
		}
		return name, nil
	}
	if pathEnv == "" {
		return "", &step.Error{Step: "command", What: what, Err: errors.New("not found (the environment has no PATH)"), Code: step.ExitNotFound,
			Hint: "give an absolute path or set env.PATH"}
	}
	var denied error
	for _, dir := range filepath.SplitList(pathEnv) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, name)
		err := check(p)
		if err == nil {
			return p, nil
		}
		if denied == nil && !errors.Is(err, unix.ENOENT) && !errors.Is(err, unix.ENOTDIR) {
			denied = err
		}
	}
	if denied != nil {
		return "", &step.Error{Step: "command", What: what, Err: denied, Code: step.ExitNotExecutable}
	}
	return "", &step.Error{Step: "command", What: what, Err: errors.New("not found in PATH inside the sandbox"), Code: step.ExitNotFound,
		Hint: "is its directory in fs.read?"}
}
