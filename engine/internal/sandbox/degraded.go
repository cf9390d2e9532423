//go:build linux

package sandbox

import (
	"context"
	"os"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// runDegraded runs the target without namespaces, on the host view, with Landlock, seccomp and
// rlimits only: the caller opted in with degrade: ["namespaces"]. The warning lists exactly what
// is missing.
func (o *outer) runDegraded(memfd int) (int, error) {
	c := o.cfg
	missing := []string{
		"file view (only Landlock rules on fs.read/fs.write; fs.hide, fs.readOnly and socket masks are not applied; no private /tmp, /dev or /proc)",
		"pid isolation (the target sees host processes; the timeout kills its process group only)",
		"ipc, uts and cgroup namespaces",
	}
	if c.Limits.Pids > 0 && !o.cg.Pids {
		missing = append(missing, "an exact pids limit (RLIMIT_NPROC counts all of the caller's processes)")
	}
	if o.abi == 0 {
		missing = append(missing, "Landlock")
	}
	args := execArgs{Landlock: o.abi, CgroupMem: o.cg.Memory, CgroupPids: o.cg.Pids}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	switch c.Network.Mode {
	case "host":
	case "none", "allowlist":
		if o.abi < 4 {
			missing = append(missing, "network isolation (no network namespace, and Landlock has no TCP rules on this kernel)")
		} else {
			missing = append(missing, "network isolation for UDP and other protocols (Landlock restricts TCP only"+map[bool]string{true: ", and UDP from ABI 10", false: ""}[o.abi >= 10]+")")
		}
		if c.Network.Mode == "allowlist" {
			fd, port, err := listenProxy()
			if err != nil {
				return 0, err
			}
			args.ProxyPort = port
			o.proxy.Serve(ctx, fd)
		}
	}
	if c.Limits.Pids > 0 && !o.cg.Pids {
		args.NprocBase = userTasks()
	}
	o.ev.Warning("no-namespaces", "running without user namespaces (degrade: namespaces); absent: "+strings.Join(missing, "; "))
	cgroupFd := -1
	if o.cg.ProcsFile != nil {
		args.CgroupProcs = true
		cgroupFd = int(o.cg.ProcsFile.Fd())
	}
	attr := &syscall.SysProcAttr{Setsid: c.Process.NewSession, Setpgid: !c.Process.NewSession, Pdeathsig: syscall.SIGKILL}
	stage, err := startExecStage(attr)
	if err != nil {
		return 0, err
	}
	if err := stage.handFrame(memfd, cgroupFd, -1); err != nil {
		return 0, err
	}
	pid := stage.pid
	if err := stage.proceed(&args); err != nil {
		return 0, err
	}
	o.ev.Started(pid)
	stop := o.supervise(groupKiller(pid))
	defer stop()
	ws := wait(pid)
	if ws.Signaled() {
		return o.exited(0, int(ws.Signal())), nil
	}
	return o.exited(ws.ExitStatus(), 0), nil
}

// userTasks counts the threads of the caller's uid on the host, which RLIMIT_NPROC counts too.
func userTasks() int {
	entries, _ := os.ReadDir("/proc")
	uid := uint32(os.Getuid())
	n := 0
	for _, e := range entries {
		if e.Name()[0] < '0' || e.Name()[0] > '9' {
			continue
		}
		var st unix.Stat_t
		if unix.Stat("/proc/"+e.Name(), &st) == nil && st.Uid == uid {
			if tasks, err := os.ReadDir("/proc/" + e.Name() + "/task"); err == nil {
				n += len(tasks)
			}
		}
	}
	return n
}
