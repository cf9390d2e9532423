//go:build linux

package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/cgroup"
	"stockade/engine/internal/config"
	"stockade/engine/internal/events"
	"stockade/engine/internal/frame"
	"stockade/engine/internal/landlock"
	"stockade/engine/internal/plan"
	"stockade/engine/internal/step"
	"stockade/engine/internal/userns"
	"stockade/engine/internal/view"
)

// Fds of the outer engine, set up by its caller.
const (
	frameFd   = 3
	eventsFd  = 4
	answersFd = 5
)

// aboveRunFds moves fd above answersFd (closing fd) when it is one of the caller's numbers: a
// descriptor `run` opens before a frame file is put on fd 3 (run --frame) and the events and
// answers fds are probed must never be taken for one of them.
func aboveRunFds(fd int) (int, error) {
	if fd > answersFd {
		return fd, nil
	}
	moved, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, answersFd+1)
	unix.Close(fd)
	return moved, err
}

// outer is the engine in the host namespaces: it validates, starts PID 1, runs the proxy,
// enforces the wall-clock timeout, writes events and ends with the target's status.
type outer struct {
	io           runIO
	ev           *events.Writer
	cfg          *config.ExecConfig
	frame        *frame.Frame
	filter       []unix.SockFilter // the frame's seccomp program
	abi          int
	proxy        *proxy // allowlist mode
	cg           *cgroup.Plan
	pool         pid1Pool // where PID 1 comes from
	placeholders []string // made for the view on the host, removed at the end
	timedOut     bool     // the wall-clock limit killed the sandbox
	killed       bool     // the engine killed the sandbox: the limit, or a served run's SIGKILL
	mu           sync.Mutex
}

// runIO is where one run's input and output go: the engine's own fds for `run`, pipes of its own
// for each run of `serve`.
type runIO struct {
	stdio   [3]int         // the target's stdin, stdout and stderr
	events  int            // the event lines (the proxy writes here too)
	answers int            // the caller's answers to questions, for the proxy
	errOut  io.Writer      // the engine's own message when the run fails
	signals chan os.Signal // SIGTERM, SIGINT, SIGHUP for the target
	// watch starts delivering those signals to signals, when supervision starts: before, the
	// default action ends the engine, and PID 1 with it (its parent-death signal). `run` has the
	// signal handlers installed then, off the path to the target's start.
	watch func()
}

// Run is `stockade-engine run`; it returns the process exit code.
func Run() int {
	// Nothing inherited reaches the sandbox: the stages pass on only the descriptors they name.
	_ = unix.CloseRange(frameFd, ^uint(0), unix.CLOSE_RANGE_CLOEXEC)
	holdStdio()
	sigs := make(chan os.Signal, 4)
	watch := func() { signal.Notify(sigs, unix.SIGTERM, unix.SIGINT, unix.SIGHUP) }
	// PID 1 was forked at entry (early_amd64.go), or is forked now, in parallel with reading the
	// frame (see initProc). Without user namespaces this fails, and runNamespaced finds out again
	// with the frame in hand.
	early := &earlyInit{p: entryInit()}
	if early.p == nil {
		early.p, _ = startInit(true, true)
	}
	o := &outer{io: runIO{stdio: [3]int{0, 1, 2}, events: eventsFd, answers: answersFd, errOut: os.Stderr, signals: sigs, watch: watch}, ev: events.Open(eventsFd), pool: early}
	code := o.runFrame(readFrameFd3)
	early.discard()
	o.finish()
	// The engine exits on this thread at once: the deferred clean-ups of the other goroutines
	// would only wake them (see finish), and PID 1 is only exiting by now.
	if null, err := unix.Open("/dev/null", unix.O_RDWR|unix.O_CLOEXEC, 0); err == nil {
		// /dev/null takes their place rather than a close: a descriptor another goroutine opens
		// now must not inherit one of these numbers.
		for _, fd := range []int{0, 1, 2, eventsFd} {
			_ = unix.Dup3(null, fd, unix.O_CLOEXEC)
		}
	}
	os.Exit(code)
	return code
}

// holdStdio opens /dev/null on a closed 0, 1 or 2, which would otherwise be taken by the next
// descriptor the engine opens (and in `run` handed to the target as its stdio).
func holdStdio() {
	for fd := 0; fd <= 2; fd++ {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
			if null, err := unix.Open("/dev/null", unix.O_RDWR, 0); err == nil && null != fd {
				_ = unix.Dup2(null, fd)
				unix.Close(null)
			}
		}
	}
}

// runFrame runs the sandbox the frame read describes and returns the engine's exit code (the
// target's status, or a failure's, reported).
func (o *outer) runFrame(read func() (*frame.Frame, error)) int {
	code, err := o.run(read)
	if err != nil {
		return o.fail(err)
	}
	return code
}

func (o *outer) fail(err error) int {
	se := step.As("engine", err)
	o.ev.Error(se.Step, se.Error(), se.Hint)
	msg := "stockade-engine: " + se.Error()
	if se.Hint != "" {
		msg += "\n  hint: " + se.Hint
	}
	fmt.Fprintln(o.io.errOut, msg)
	return se.ExitCode()
}

func (o *outer) run(read func() (*frame.Frame, error)) (int, error) {
	if err := o.checkFrame(read); err != nil {
		return 0, err
	}
	c := o.cfg
	if c.Process.DieWithParent {
		if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(unix.SIGKILL), 0, 0, 0); err != nil {
			return 0, step.Fail("die with parent", "PR_SET_PDEATHSIG", err)
		}
		if os.Getppid() == 1 {
			return 0, step.Failf("die with parent", "", "the caller is already gone")
		}
	}
	if o.abi = landlock.ABI(); o.abi == 0 {
		if !c.Degrades("landlock") {
			return 0, step.Failf("landlock", "", "Landlock is not available on this kernel").
				WithHint(`Landlock needs Linux 5.13+ with "landlock" in the lsm= boot list; or accept its absence with degrade: ["landlock"]`)
		}
		o.ev.Warning("no-landlock", "Landlock is not available: no Landlock file or network rules behind the mount view")
	}
	if c.Network.Mode == "host" && o.abi < 6 {
		// network host is the caller's explicit choice; say what it opens on this kernel.
		o.ev.Warning("abstract-sockets", "with network host and Landlock below ABI 6, the host's abstract unix sockets (X11, D-Bus, …) are reachable")
	}
	if c.Network.Mode == "allowlist" {
		proxy, err := newProxy(&c.Network, o.ev, o.io)
		if err != nil {
			return 0, err
		}
		o.proxy = proxy
	}
	c.Fs.Hide = append(c.Fs.Hide, view.HostSockets(&c.Fs)...)
	if os.Getuid() == 0 {
		c.Fs.Hide = append(c.Fs.Hide, view.RootSecrets(&c.Fs)...)
	}
	cg, err := cgroup.Prepare(&c.Limits, os.Getuid() == 0)
	if err != nil {
		return 0, step.Fail("cgroup", "", err)
	}
	o.cg = cg // removed by finish
	for _, w := range cg.Warnings {
		o.ev.Warning(w.Code, w.Message)
	}
	code, err := o.runNamespaced()
	var nu *noUsernsError
	if errors.As(err, &nu) {
		if !c.Degrades("namespaces") {
			return 0, (&step.Error{Step: "userns", What: "create namespaces", Err: nu.err}).WithHint(userns.Hint())
		}
		return o.runDegraded()
	}
	return code, err
}

// FrameFromFile puts the frame file on fd 3, for `run --frame FILE`.
func FrameFromFile(path string) error {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	if fd != frameFd {
		defer unix.Close(fd)
		return unix.Dup3(fd, frameFd, 0)
	}
	return nil
}

// readFrameFd3 reads and closes the frame on fd 3.
func readFrameFd3() (*frame.Frame, error) {
	if _, err := unix.FcntlInt(frameFd, unix.F_GETFD, 0); err != nil {
		return nil, step.Failf("frame", "fd 3", "not open").WithHint("pass the frame on fd 3: stockade-engine run 3<frame.bin")
	}
	f := os.NewFile(frameFd, "frame")
	defer f.Close()
	return frame.Read(f)
}

// checkFrame reads the frame and checks it.
func (o *outer) checkFrame(read func() (*frame.Frame, error)) error {
	fr, err := read()
	if err != nil {
		return step.As("frame", err)
	}
	c, filter, err := parseFrame(fr)
	if err != nil {
		return err
	}
	o.cfg, o.frame, o.filter = c, fr, filter
	return nil
}

// pid1Pool is where a run's PID 1 comes from: earlyInit for `run` (start.go), spares for
// `serve` (serve.go).
type pid1Pool interface {
	take(c *config.ExecConfig) *initProc              // one forked ahead with the namespaces c asks for, or nil
	start(newNet, newSession bool) (*initProc, error) // a new one
	refill()                                          // fork the next one ahead, if there is none
}

// noUsernsError means the host refused user namespaces (or made them powerless).
type noUsernsError struct{ err error }

func (e *noUsernsError) Error() string { return e.err.Error() }

// runNamespaced plans the run, hands the plan to PID 1 in new namespaces and supervises it.
func (o *outer) runNamespaced() (int, error) {
	c := o.cfg
	// A served run's next PID 1 is forked once this one's target runs: a fork stalls the
	// engine's page faults and mmaps, and a new mount namespace every mount, until it is done.
	defer o.pool.refill()
	p := o.pool.take(c)
	if p == nil {
		var err error
		if p, err = o.pool.start(c.Network.Mode != "host", c.Process.NewSession); err != nil {
			return 0, err
		}
	}
	defer p.close()
	run, err := o.planSandbox()
	if err != nil {
		p.discard()
		return 0, err
	}
	if err := o.handOver(p, run); err != nil {
		// PID 1 may have failed first (no user namespaces): its report says why.
		if r, line, _, ok, _ := p.status.receive(); ok && r.Kind == recFailed {
			err = failure(run.plan, &r, line)
			if o.noUserns(run.plan, &r) {
				err = &noUsernsError{err}
			}
		}
		p.discard()
		return 0, err
	}
	signals := newTargetSignals(p)
	stop := o.supervise(signals)
	o.placeholders = run.view.Placeholders
	defer stop()
	targetPidfd := -1
	defer func() {
		signals.end()
		if targetPidfd >= 0 {
			unix.Close(targetPidfd)
		}
	}()
	var failed *record
	var failedLine []byte
	var exit *record
	hostPid := 0
	for exit == nil {
		r, line, fds, ok, err := p.status.receive()
		if err != nil || !ok {
			break
		}
		switch r.Kind {
		case recListener:
			if len(fds) == 1 {
				o.proxy.Serve(fds[0])
			}
		case recForked:
			// Read while PID 1 holds the target unreaped: a reaped process's pidfd says -1.
			if len(fds) == 1 && targetPidfd < 0 {
				targetPidfd, hostPid = fds[0], pidOfPidfd(fds[0])
			}
			_ = p.status.send(record{Kind: recForked}) // if PID 1 is gone, its status says why
		case recStarted:
			o.pool.refill()
			if targetPidfd >= 0 {
				signals.start(targetPidfd)
			}
			o.ev.Started(hostPid)
		case recLearn:
			o.ev.Raw(line)
		case recFailed:
			failed, failedLine = &r, append([]byte(nil), line...)
		case recExit:
			exit = &r
		}
	}
	if exit != nil {
		// Every process of the sandbox is gone (PID 1 reaped them all and forks no more): the
		// caller learns it at once. PID 1 is only exiting while the kernel tears its namespaces
		// down (0.5-1 ms); it is not waited for (killed with the engine if it is not gone yet,
		// by its parent-death signal; reaped by whoever inherits it, or by the zygote).
		return o.exited(int(exit.Code), int(exit.Signal)), nil
	}
	ws, known := p.wait()
	killed, _ := o.ended()
	switch {
	case failed != nil && o.noUserns(run.plan, failed):
		return 0, &noUsernsError{failure(run.plan, failed, failedLine)}
	case failed != nil:
		return 0, failure(run.plan, failed, failedLine)
	case killed:
		return o.exited(0, int(unix.SIGKILL)), nil
	}
	if !known {
		return 0, step.Failf("init", "", "the sandbox's PID 1 ended unexpectedly")
	}
	return 0, step.Failf("init", "", "the sandbox's PID 1 ended unexpectedly (wait status %#x)", uint32(ws))
}

// handOver seals the plan in a memfd and sends it to PID 1 with the descriptors it needs: the
// cgroup.procs file, for a supervised run the engine executable and the frame, and the target's
// stdio.
func (o *outer) handOver(p *initProc, run *planned) error {
	memfd, err := run.plan.Seal()
	if err != nil {
		return step.Fail("init", "seal the plan", err)
	}
	defer unix.Close(memfd)
	var flags int32
	var fds []int
	if o.cg.ProcsFile != nil {
		flags |= planCgroup
		fds = append(fds, int(o.cg.ProcsFile.Fd()))
	}
	if run.supervised {
		exe, err := unix.Open("/proc/self/exe", unix.O_PATH|unix.O_CLOEXEC, 0)
		if err != nil {
			return step.Fail("init", "open the engine executable", err)
		}
		defer unix.Close(exe)
		frameFd, err := o.memfdFrame()
		if err != nil {
			return err
		}
		defer unix.Close(frameFd)
		flags |= planSupervise
		fds = append(fds, exe, frameFd)
	}
	fds = append(fds, o.io.stdio[:]...)
	if err := p.sendPlan(memfd, flags, fds...); err != nil {
		return step.Fail("init", "hand over the plan", err)
	}
	return nil
}

// memfdFrame stores the frame as the engine checked it (with the masks it added) for the
// supervising PID 1.
func (o *outer) memfdFrame() (int, error) {
	raw, err := json.Marshal(o.cfg)
	if err != nil {
		return -1, step.Fail("frame", "encode", err)
	}
	return memfdFrame(&frame.Frame{Config: raw, Seccomp: o.frame.Seccomp})
}

// noUserns says whether PID 1 failed because the host refuses user namespaces (unshare or the
// id maps refused), or makes them powerless (AppArmor's restriction on Ubuntu 23.10+: the first
// mount, the prelude's, is refused), so the caller may degrade when it allowed that.
func (o *outer) noUserns(p *plan.Plan, r *record) bool {
	switch {
	case r.Op == stepUnshare:
		return userns.Unavailable(unix.Errno(r.Errno))
	case r.Op <= stepIDMap && r.Op >= stepIDMap-2:
		return true
	}
	first, _ := failedPlan(p, r).Range(plan.SegView)
	return r.Code == inPrelude && int(r.Op) == first && r.Errno == uint32(unix.EPERM)
}

// finish ends a run once PID 1 has reported the target's end (or the run failed): the proxy,
// the placeholders and the cgroup go.
func (o *outer) finish() {
	o.proxy.stop()
	removePlaceholders(o.placeholders)
	if o.cg != nil {
		o.cg.Remove()
	}
}

// supervise forwards termination signals and enforces the wall-clock limit; killing PID 1 of the
// pid namespace kills every process in it.
func (o *outer) supervise(p killer) (stop func()) {
	sigs := o.io.signals
	if o.io.watch != nil {
		o.io.watch()
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				if s == unix.SIGKILL { // only a served run is sent one (serve.Signal)
					o.kill(p, false)
				} else {
					_ = p.Signal(s)
				}
			case <-done:
				return
			}
		}
	}()
	var timer *time.Timer
	if ms := o.cfg.Limits.WallMs; ms > 0 {
		timer = time.AfterFunc(time.Duration(ms)*time.Millisecond, func() { o.kill(p, true) })
	}
	return func() {
		close(done)
		if timer != nil {
			timer.Stop()
		}
	}
}

// kill ends the sandbox, for the wall-clock limit or a served run's SIGKILL.
func (o *outer) kill(p killer, timeout bool) {
	o.mu.Lock()
	o.killed = true
	o.timedOut = o.timedOut || timeout
	o.mu.Unlock()
	_ = p.Kill()
}

// ended reports whether the engine killed the sandbox, and whether for the wall-clock limit.
func (o *outer) ended() (killed, timedOut bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.killed, o.timedOut
}

// exited reports the target's end and returns the engine's exit code: the target's code, or
// 128+signal like a shell.
func (o *outer) exited(code, sig int) int {
	_, timedOut := o.ended()
	if sig == 0 {
		o.ev.Exited(&code, nil, timedOut)
		return code
	}
	name := unix.SignalName(syscall.Signal(sig))
	if name == "" {
		name = "SIG" + strconv.Itoa(sig)
	}
	if sig == int(unix.SIGSYS) {
		o.ev.Violation("syscall", "the target was killed by SIGSYS: a system call denied by the seccomp policy", map[string]any{"signal": name})
	}
	o.ev.Exited(nil, &name, timedOut)
	return 128 + sig
}

// killer is what supervise signals: the target, with PID 1 for Kill (targetSignals), or in
// degraded mode the target's process group.
type killer interface {
	Signal(os.Signal) error
	Kill() error
}

// groupKiller signals a process and kills its whole process group.
type groupKiller int

func (g groupKiller) Signal(s os.Signal) error { return unix.Kill(int(g), s.(syscall.Signal)) }
func (g groupKiller) Kill() error              { return unix.Kill(-int(g), unix.SIGKILL) }

// wait reaps pid and returns its status.
func wait(pid int) unix.WaitStatus {
	var ws unix.WaitStatus
	for {
		_, err := unix.Wait4(pid, &ws, 0, nil)
		if !errors.Is(err, unix.EINTR) {
			return ws
		}
	}
}

// pidOfPidfd reads the pid a pidfd refers to, as seen from this (the host's) pid namespace.
func pidOfPidfd(fd int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/self/fdinfo/%d", fd))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Pid:"); ok {
			pid, _ := strconv.Atoi(strings.TrimSpace(v))
			return pid
		}
	}
	return 0
}

// removePlaceholders removes the directories made for hidden paths that did not exist, innermost
// first, and only while they are empty.
func removePlaceholders(paths []string) {
	for i := len(paths) - 1; i >= 0; i-- {
		_ = unix.Rmdir(paths[i])
	}
}
