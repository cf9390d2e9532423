//go:build linux

package sandbox

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/config"
	"stockade/engine/internal/step"
	"stockade/engine/internal/userns"
)

// initProc is PID 1 in its new namespaces, started before the engine has read its frame: it
// waits on its status socket for the frame, the cgroup.procs file and its arguments (sendFrame),
// and does nothing before. So the engine starts it first, for the namespaces a run asks for by
// default (a new network namespace and session), and its clone and Go start-up overlap the
// engine's own reading and checking of the frame; a frame that asks for other namespaces gets a
// new PID 1 and this one is discarded. Each PID 1 serves one frame: nothing is shared between runs.
type initProc struct {
	pid        int
	status     *receiver
	newNet     bool
	newSession bool
}

// Build identifies the engine's build (set by engine/build.sh in both executables): PID 1 refuses
// the frame of an engine from another build, whose arguments it could misread.
var Build string

// stageExecutable is what PID 1 runs: stockade-stage from this executable's directory (the same
// stages without the proxy, so they start faster: see NewProxy), else this executable.
func stageExecutable() string {
	if self, err := os.Executable(); err == nil {
		stage := filepath.Join(filepath.Dir(self), "stockade-stage")
		if unix.Access(stage, unix.X_OK) == nil {
			return stage
		}
	}
	return "/proc/self/exe"
}

// startInit starts PID 1 from exe in new namespaces (see userns.SysProcAttr).
func startInit(exe string, newNet, newSession bool) (*initProc, error) {
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, step.Fail("init", "socketpair", err)
	}
	status, err := newReceiver(pair[0])
	if err != nil {
		unix.Close(pair[1])
		return nil, step.Fail("init", "status channel", err)
	}
	// The status socket is fd 4 (initStatusFd); the frame comes on it.
	files := []uintptr{0, 1, 2, ^uintptr(0), uintptr(pair[1])}
	// syscall.ForkExec, not os/exec: os.StartProcess first forks a throwaway child to probe for
	// pidfd support, which costs as much as a namespace.
	pid, err := syscall.ForkExec(exe, []string{"stockade-stage", "__init"},
		&syscall.ProcAttr{Env: innerEnv, Files: files, Sys: userns.SysProcAttr(newNet, newSession)})
	unix.Close(pair[1])
	if err != nil {
		status.Close()
		if userns.Unavailable(err) {
			return nil, &noUsernsError{err}
		}
		return nil, step.Fail("init", "start", err)
	}
	return &initProc{pid: pid, status: status, newNet: newNet, newSession: newSession}, nil
}

// fits reports whether p's namespaces and session are the ones c asks for.
func (p *initProc) fits(c *config.ExecConfig) bool {
	return p.newNet == (c.Network.Mode != "host") && p.newSession == c.Process.NewSession
}

// discard ends a PID 1 that never got a frame (it ran nothing) and reaps it.
func (p *initProc) discard() {
	_ = unix.Kill(p.pid, unix.SIGKILL)
	wait(p.pid)
	p.status.Close()
}

// sendFrame hands PID 1 the frame's memfd, the cgroup.procs file when there is one and its
// arguments.
func (p *initProc) sendFrame(memfd, cgroupFd int, args *initArgs) error {
	raw, err := json.Marshal(args)
	if err != nil {
		return err
	}
	fds := []int{memfd}
	if cgroupFd >= 0 {
		fds = append(fds, cgroupFd)
	}
	return p.status.sendFds(message{Type: "frame", Args: raw}, fds...)
}

// receiveFrame is PID 1's side of sendFrame: it waits for the frame and returns the arguments,
// with the frame's memfd and the cgroup.procs file (or -1) in frameFd and cgroupFd.
func receiveFrame(status int) (*initArgs, error) {
	m, fds, ok, err := receive(status)
	if err == nil && (!ok || m.Type != "frame") {
		err = fmt.Errorf("got %q instead", m.Type)
	}
	if err == nil && (len(fds) < 1 || len(fds) > 2) {
		err = fmt.Errorf("%d descriptors instead of 1 or 2", len(fds))
	}
	if err != nil {
		return nil, step.Fail("init", "receive the frame", err)
	}
	var a initArgs
	if err := json.Unmarshal(m.Args, &a); err != nil {
		return nil, step.Fail("init", "arguments", err)
	}
	if a.Build != Build {
		return nil, step.Failf("init", "", "this stage executable is from another build (%q) than the engine (%q)", Build, a.Build).
			WithHint("rebuild both with engine/build.sh")
	}
	if a.CgroupFile != (len(fds) == 2) {
		return nil, step.Failf("init", "arguments", "cgroupFile is %v with %d descriptors", a.CgroupFile, len(fds))
	}
	a.frameFd, a.cgroupFd = fds[0], -1
	if a.CgroupFile {
		a.cgroupFd = fds[1]
	}
	return &a, nil
}
