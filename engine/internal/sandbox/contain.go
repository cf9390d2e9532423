//go:build linux

package sandbox

import (
	"os/signal"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/config"
	"stockade/engine/internal/netns"
	"stockade/engine/internal/step"
	"stockade/engine/internal/view"
)

// The containment steps of DESIGN.md, in order, and the stage that runs each:
//
//	outer engine (host namespaces)  0. frame and config checked; Landlock present or degraded;
//	                                   host sockets (and a root caller's secrets) added to the masks;
//	                                   cgroup prepared (cgroup.Prepare)
//	                                1. re-exec as PID 1 in new user, mount, pid, ipc, uts, cgroup
//	                                   (and net) namespaces (userns.SysProcAttr)
//	PID 1 (containInit)             2. the view: view.Build (propagation, root tmpfs, binds, masks,
//	                                   /proc, /dev, /tmp, pivot_root); hostname
//	                                3. the network: lo up; allowlist: the proxy listener goes out
//	exec stage (lockdown)           5. cwd, fds above 2 close-on-exec, exactly the configured env
//	                                   (the session is PID 1's, made by the outer engine)
//	  on the locked main thread,    6. capabilities dropped, no_new_privs, Landlock,
//	  right before execve           4. rlimits and joining the cgroup (they bind the engine's own
//	                                   runtime too, so they come late), seccomp, execve
//	PID 1 (reap)                    7. reaper; the outer engine enforces the wall-clock timeout and
//	                                   forwards signals to the target (targetSignals)
//
// containInit runs steps 2 and 3 and starts the exec stage; it returns the target's pid.
func containInit(c *config.ExecConfig, a *initArgs, stage *execStage, frameFd, status int) (int, error) {
	a.Exec.CgroupProcs = a.cgroupFd >= 0
	// The exec stage (started before the frame came) reads it while the view is built.
	err := stage.handFrame(frameFd, a.cgroupFd, a.learnFd)
	unix.Close(frameFd)
	if err != nil {
		return 0, err
	}
	// The outer engine signals the target itself (targetSignals): PID 1 ignores SIGTERM, SIGINT
	// and SIGHUP, from here on so that the exec stage (and the target) does not inherit SIG_IGN.
	signal.Ignore(unix.SIGTERM, unix.SIGINT, unix.SIGHUP)
	// The pidfd goes out now. The outer engine reads the host pid from it while the view is
	// built; PID 1 waits for its acknowledgement before the stage can end or be reaped (a reaped
	// process would read as -1).
	err = send(status, message{Type: "spawned"}, stage.pidfd)
	unix.Close(stage.pidfd)
	if err != nil {
		return 0, step.Fail("init", "report the target's pid", err)
	}
	res, err := view.Build(&c.Fs)
	if err != nil {
		return 0, err
	}
	if len(res.Placeholders) > 0 {
		if err := send(status, message{Type: "placeholders", Paths: res.Placeholders}); err != nil {
			return 0, step.Fail("init", "report placeholders", err)
		}
	}
	if err := unix.Sethostname([]byte(c.Hostname)); err != nil {
		return 0, step.Fail("hostname", quote(c.Hostname), err)
	}
	if c.Network.Mode != "host" {
		if err := netns.LoopbackUp(); err != nil {
			return 0, err
		}
	}
	if c.Network.Mode == "allowlist" {
		fd, port, err := listenProxy()
		if err != nil {
			return 0, err
		}
		if err := send(status, message{Type: "listener", Port: port}, fd); err != nil {
			return 0, step.Fail("network", "hand the proxy listener over", err)
		}
		unix.Close(fd)
		a.Exec.ProxyPort = port
	}
	a.Exec.InView = true
	a.Exec.NprocBase = countThreads() // PID 1's threads; the exec stage becomes the target, which limits.pids counts
	if m, _, ok, err := receive(status); err != nil || !ok || m.Type != "ack" {
		return 0, step.Failf("init", "", "no acknowledgement from the engine (%v)", err)
	}
	if err := stage.proceed(&a.Exec); err != nil {
		return 0, err
	}
	if err := send(status, message{Type: "started"}); err != nil {
		return 0, step.Fail("init", "report start", err)
	}
	return stage.pid, nil
}

func quote(s string) string { return `"` + s + `"` }
