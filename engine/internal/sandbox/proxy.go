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
	"stockade/engine/internal/events"
	"stockade/engine/internal/netrules"
	"stockade/engine/internal/step"
)

// proxy is the allowlist proxy of a run: the stockade-proxy executable beside the engine
// (cmd/stockade-proxy), started on the listening socket PID 1 makes in the sandbox's netns. A
// process of its own, so that the engine links neither net/http nor its TLS stack and starts
// faster in every other mode.
type proxy struct {
	exe     string
	network string // ExecConfig.network as JSON, its argument
	ev      *events.Writer
	io      runIO // its events and answers
	pid     int
}

// newProxy checks network.allow and network.deny (the error is the rule parser's, unchanged: the
// library maps it to field paths) and finds the proxy.
func newProxy(n *config.Network, ev *events.Writer, io runIO) (*proxy, error) {
	if _, err := netrules.ParseRules(n.Allow, n.Deny); err != nil {
		return nil, step.Fail("network", "network.allow/deny", err)
	}
	exe, err := proxyExecutable()
	if err != nil {
		return nil, step.Fail("network", fmt.Sprintf("%q", exe), err).WithHint("the allowlist proxy is built beside stockade-engine by engine/build.sh")
	}
	raw, err := json.Marshal(n)
	if err != nil {
		return nil, step.Fail("network", "encode", err)
	}
	return &proxy{exe: exe, network: string(raw), ev: ev, io: io}, nil
}

// proxyExecutable is stockade-proxy beside this executable, and whether it can be run.
func proxyExecutable() (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "stockade-proxy", err
	}
	exe := filepath.Join(filepath.Dir(self), "stockade-proxy")
	return exe, unix.Access(exe, unix.X_OK)
}

// Serve starts the proxy on the listening socket fd (closed here), with the events and answers
// of the engine and nothing of the caller's stdio. It ends with the engine (its parent-death
// signal) or at stop.
func (p *proxy) Serve(fd int) {
	defer unix.Close(fd)
	null, err := unix.Open("/dev/null", unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err == nil {
		defer unix.Close(null)
		answers := uintptr(p.io.answers)
		if _, err := unix.FcntlInt(answers, unix.F_GETFD, 0); err != nil {
			answers = ^uintptr(0) // none: asking refuses
		}
		n := uintptr(null)
		p.pid, err = syscall.ForkExec(p.exe, []string{"stockade-proxy", p.network}, &syscall.ProcAttr{
			Files: []uintptr{n, n, n, uintptr(fd), uintptr(p.io.events), answers},
			Sys:   &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL},
		})
	}
	if err != nil {
		p.ev.Warning("proxy", fmt.Sprintf("the network proxy could not start: %v", err))
	}
}

// stop ends and reaps the proxy, so its copies of the events pipe are closed.
func (p *proxy) stop() {
	if p != nil && p.pid > 0 {
		_ = unix.Kill(p.pid, unix.SIGKILL)
		wait(p.pid)
		p.pid = 0
	}
}
