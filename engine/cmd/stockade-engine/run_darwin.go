package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/config"
	"stockade/engine/internal/events"
	"stockade/engine/internal/frame"
	"stockade/engine/internal/netproxy"
	"stockade/engine/internal/rlimit"
	"stockade/engine/internal/seatbelt"
	"stockade/engine/internal/step"

	"stockade/engine/internal/netrules"
)

// Fds of `run` (docs/engine-protocol.md) and of the exec stage.
const (
	frameFd  = 3
	eventsFd = 4

	stageLaunchFd = 3 // in: seatbelt.Launch as JSON
	stageErrorFd  = 4 // out: a stageError, or nothing once sandbox-exec is exec'd (close-on-exec)
)

// stageError is how the exec stage reports a step that failed before sandbox-exec started.
type stageError struct {
	Step, What, Message, Hint string
	Code                      int
}

// run is `stockade-engine run` on macOS; it returns the process exit code.
func run(frameFile string) int {
	keepOnlyStdio()
	ev := events.Open(eventsFd)
	code, err := supervise(ev, frameFile)
	if err == nil {
		return code
	}
	se := step.As("engine", err)
	ev.Error(se.Step, se.Error(), se.Hint)
	msg := "stockade-engine: " + se.Error()
	if se.Hint != "" {
		msg += "\n  hint: " + se.Hint
	}
	fmt.Fprintln(os.Stderr, msg)
	return se.ExitCode()
}

// keepOnlyStdio holds 0, 1 and 2 open (with /dev/null) and marks every other inherited
// descriptor close-on-exec, so the target starts with exactly 0, 1 and 2.
func keepOnlyStdio() {
	for fd := 0; fd <= 2; fd++ {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
			if null, err := unix.Open("/dev/null", unix.O_RDWR, 0); err == nil && null != fd {
				_ = unix.Dup2(null, fd)
				unix.Close(null)
			}
		}
	}
	entries, _ := os.ReadDir("/dev/fd")
	for _, e := range entries {
		if fd, err := strconv.Atoi(e.Name()); err == nil && fd > 2 {
			unix.CloseOnExec(fd)
		}
	}
}

func readFrame(frameFile string) (*frame.Frame, error) {
	f := os.NewFile(frameFd, "frame")
	if frameFile != "" {
		var err error
		if f, err = os.Open(frameFile); err != nil {
			return nil, step.Fail("frame", fmt.Sprintf("%q", frameFile), err)
		}
	} else if _, err := unix.FcntlInt(frameFd, unix.F_GETFD, 0); err != nil {
		return nil, step.Failf("frame", "fd 3", "not open").WithHint("pass the frame on fd 3: stockade-engine run 3<frame.bin")
	}
	defer f.Close()
	fr, err := frame.Read(f)
	if err != nil {
		return nil, step.Fail("frame", "", err)
	}
	return fr, nil
}

// supervise checks the frame, starts the proxy and the exec stage, and waits for the target.
func supervise(ev *events.Writer, frameFile string) (int, error) {
	fr, err := readFrame(frameFile)
	if err != nil {
		return 0, err
	}
	c, err := config.Parse(fr.Config)
	if err != nil {
		return 0, step.Fail("config", "", err).WithHint("the ExecConfig must match src/engine/config.ts")
	}
	if err := seatbelt.Check(c, fr.Seatbelt); err != nil {
		return 0, err
	}
	parent := os.Getppid()
	if c.Process.DieWithParent && parent == 1 {
		return 0, step.Failf("die with parent", "", "the caller is already gone")
	}
	dir, err := os.MkdirTemp("", "stockade-")
	if err != nil {
		return 0, step.Fail("run directory", "", err)
	}
	defer os.RemoveAll(dir)
	// Seatbelt matches resolved paths: /var/folders/… is /private/var/folders/….
	if dir, err = filepath.EvalSymlinks(dir); err != nil {
		return 0, step.Fail("run directory", "", err)
	}
	profile := filepath.Join(dir, "profile.sb")
	if err := os.WriteFile(profile, fr.Seatbelt, 0o400); err != nil {
		return 0, step.Fail("run directory", "profile", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	params := map[string]string{}
	port := 0
	if c.Network.Mode == "allowlist" {
		if port, err = startProxy(ctx, c, ev); err != nil {
			return 0, err
		}
		params[seatbelt.ParamProxyPort] = strconv.Itoa(port)
	}
	tmp := ""
	if c.Fs.TmpBytes > 0 {
		tmp = filepath.Join(dir, "tmp")
		if err := os.Mkdir(tmp, 0o700); err != nil {
			return 0, step.Fail("run directory", "tmp", err)
		}
		params[seatbelt.ParamTmpDir] = tmp
	}
	path, err := seatbelt.LookPath(c.Argv[0], c.Env["PATH"], c.Cwd)
	if err != nil {
		return 0, err
	}
	launch := seatbelt.Launch{Argv: seatbelt.Command(profile, params, path, c.Argv), Env: seatbelt.Env(c, port, tmp), Dir: c.Cwd, Limits: c.Limits}
	cmd, err := startStage(&launch, c.Process.NewSession)
	if err != nil {
		return 0, err
	}
	ev.Started(cmd.Process.Pid)

	// The target leads its own process group (setsid or setpgid): killing the group takes down
	// the tree, except what left the group on purpose (macOS has no pid namespace).
	group := -cmd.Process.Pid
	killTree := func() { _ = syscall.Kill(group, syscall.SIGKILL) }
	var timedOut atomic.Bool
	if c.Limits.WallMs > 0 {
		timer := time.AfterFunc(time.Duration(c.Limits.WallMs)*time.Millisecond, func() {
			timedOut.Store(true)
			killTree()
		})
		defer timer.Stop()
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer signal.Stop(signals)
	go func() {
		for range signals {
			killTree()
		}
	}()
	if c.Process.DieWithParent {
		// No PR_SET_PDEATHSIG on macOS: notice the caller's death by being re-parented.
		go watchParent(ctx, parent, killTree)
	}
	_ = cmd.Wait()
	killTree()
	return exited(ev, cmd.ProcessState.Sys().(syscall.WaitStatus), timedOut.Load()), nil
}

func startProxy(ctx context.Context, c *config.ExecConfig, ev *events.Writer) (int, error) {
	rules, err := netrules.ParseRules(c.Network.Allow, c.Network.Deny)
	if err != nil {
		return 0, step.Fail("network", "network.allow/deny", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, step.Fail("network", "proxy listener on 127.0.0.1", err)
	}
	opts := netproxy.Options{OnEvent: func(e netproxy.Event) {
		if !e.Allowed {
			ev.Violation("network", fmt.Sprintf("%s:%d", e.Host, e.Port), map[string]any{
				"host": e.Host, "port": e.Port, "protocol": e.Protocol, "reason": e.Reason,
			})
		}
	}}
	go func() { _ = netproxy.New(rules, opts).Serve(ctx, ln) }()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// startStage starts this executable's `__exec` stage with the launch on its fd 3, and waits
// until it has exec'd sandbox-exec or reported why it could not.
func startStage(l *seatbelt.Launch, newSession bool) (*exec.Cmd, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, step.Fail("exec", "find the engine executable", err)
	}
	launchR, launchW, err := os.Pipe()
	if err != nil {
		return nil, step.Fail("exec", "pipe", err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		return nil, step.Fail("exec", "pipe", err)
	}
	cmd := exec.Command(self, "__exec")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.ExtraFiles = []*os.File{launchR, errW}
	cmd.Env = []string{}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: newSession, Setpgid: !newSession}
	err = cmd.Start()
	launchR.Close()
	errW.Close()
	if err != nil {
		launchW.Close()
		errR.Close()
		return nil, step.Fail("exec", "start the exec stage", err)
	}
	_ = json.NewEncoder(launchW).Encode(l)
	launchW.Close()
	report, _ := io.ReadAll(errR)
	errR.Close()
	if len(report) == 0 {
		return cmd, nil
	}
	_ = cmd.Wait()
	var se stageError
	if json.Unmarshal(report, &se) != nil {
		return nil, step.Failf("exec", "", "the exec stage wrote %q", report)
	}
	return nil, &step.Error{Step: se.Step, What: se.What, Err: errors.New(se.Message), Hint: se.Hint, Code: se.Code}
}

// execStage is `__exec`: it applies the rlimits, changes directory and execs sandbox-exec, which
// applies the profile and execs the target. Limits set here bind the target, not the engine.
func execStage() {
	report := os.NewFile(stageErrorFd, "errors")
	unix.CloseOnExec(stageErrorFd)
	fail := func(err error) {
		se := step.As("exec", err)
		msg := ""
		if se.Err != nil {
			msg = se.Err.Error()
		}
		_ = json.NewEncoder(report).Encode(stageError{Step: se.Step, What: se.What, Message: msg, Hint: se.Hint, Code: se.ExitCode()})
		os.Exit(se.ExitCode())
	}
	in := os.NewFile(stageLaunchFd, "launch")
	var l seatbelt.Launch
	if err := json.NewDecoder(in).Decode(&l); err != nil || len(l.Argv) == 0 {
		os.Exit(step.ExitEngine) // the engine gave up before sending it; it reports why
	}
	in.Close()
	if err := os.Chdir(l.Dir); err != nil {
		fail(step.Fail("cwd", fmt.Sprintf("%q", l.Dir), errors.Unwrap(err)).WithHint("the working directory must exist and be readable"))
	}
	if err := rlimit.Apply(&l.Limits, rlimit.Plan{}); err != nil {
		fail(err)
	}
	err := syscall.Exec(l.Argv[0], l.Argv, l.Env)
	fail(&step.Error{Step: "execve", What: fmt.Sprintf("%q", l.Argv[0]), Err: err, Code: step.ExitNotExecutable})
}

func watchParent(ctx context.Context, parent int, kill func()) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if os.Getppid() != parent {
				kill()
				return
			}
		}
	}
}

// exited reports the target's end and returns the engine's exit code: the target's code, or
// 128+signal like a shell.
func exited(ev *events.Writer, ws syscall.WaitStatus, timedOut bool) int {
	if !ws.Signaled() {
		code := ws.ExitStatus()
		ev.Exited(&code, nil, timedOut)
		return code
	}
	sig := ws.Signal()
	name := unix.SignalName(sig)
	if name == "" {
		name = "SIG" + strconv.Itoa(int(sig))
	}
	ev.Exited(nil, &name, timedOut)
	return 128 + int(sig)
}
