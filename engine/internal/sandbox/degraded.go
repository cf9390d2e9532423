//go:build linux

package sandbox

import (
	"os"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/caps"
	"stockade/engine/internal/plan"
	"stockade/engine/internal/rlimit"
	"stockade/engine/internal/step"
)

// runDegraded runs the target without namespaces, on the host view, with Landlock, seccomp and
// rlimits only: the caller opted in with degrade: ["namespaces"]. The warning lists exactly what
// is missing.
func (o *outer) runDegraded() (int, error) {
	c := o.cfg
	if c.Learn {
		return 0, step.Failf("learn", "", "learn mode needs user namespaces (its supervisor is the sandbox's PID 1)")
	}
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
	l := &lockdown{landlock: o.abi, setpcap: caps.HasSetpcap(), cgroup: -1, limits: rlimit.Plan{CgroupMemory: o.cg.Memory, CgroupPids: o.cg.Pids}}
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
			l.proxyPort = port
			o.proxy.Serve(fd)
		}
	}
	if c.Limits.Pids > 0 && !o.cg.Pids {
		l.limits.NprocBase = userTasks()
	}
	o.ev.Warning("no-namespaces", "running without user namespaces (degrade: namespaces); absent: "+strings.Join(missing, "; "))
	if o.cg.ProcsFile != nil {
		l.cgroup = int(o.cg.ProcsFile.Fd()) // the child has it on the same number
	}
	p := plan.New()
	if err := planTarget(p, c, o.filter, l); err != nil {
		return 0, err
	}
	pid, err := startDegraded(p, c.Process.NewSession, o.io.stdio)
	if err != nil {
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

// degradedChild is a degraded run's target before it execs.
type degradedChild struct {
	plan       plan.Mapped
	stdio      [3]uintptr // the target's stdin, stdout and stderr, moved to 0-2
	newSession bool
	errw       uintptr
	out        record
}

// degradedTarget puts itself in a new session (or process group, for the timeout to kill), dies
// with the engine, and runs the target segment; a failure goes to the engine on errw.
//
//go:nosplit
//go:norace
func degradedTarget(arg unsafe.Pointer) {
	a := (*degradedChild)(arg)
	if a.newSession {
		sys(unix.SYS_SETSID, 0, 0, 0, 0, 0)
	} else {
		sys(unix.SYS_SETPGID, 0, 0, 0, 0, 0)
	}
	sys(unix.SYS_PRCTL, unix.PR_SET_PDEATHSIG, uintptr(unix.SIGKILL), 0, 0, 0)
	for i := uintptr(0); i < 3; i++ { // served runs have them above 2
		if a.stdio[i] != i {
			sys(unix.SYS_DUP3, a.stdio[i], i, 0, 0, 0)
		}
	}
	sys(unix.SYS_CLOSE_RANGE, 3, ^uintptr(0), unix.CLOSE_RANGE_CLOEXEC, 0, 0)
	i, e := runTarget(&a.plan)
	a.out = record{Kind: recFailed, Op: int32(i), Errno: uint32(e)}
	sys(unix.SYS_WRITE, a.errw, uintptr(unsafe.Pointer(&a.out)), uintptr(recordSize), 0, 0)
	sys(unix.SYS_EXIT_GROUP, pid1Exit, 0, 0, 0, 0)
}

// startDegraded forks the target of a degraded run and waits until it has exec'd.
func startDegraded(p *plan.Plan, newSession bool, stdio [3]int) (int, error) {
	memfd, err := p.Seal()
	if err != nil {
		return 0, step.Fail("init", "seal the plan", err)
	}
	a := &degradedChild{newSession: newSession, stdio: [3]uintptr{uintptr(stdio[0]), uintptr(stdio[1]), uintptr(stdio[2])}}
	e := plan.Map(uintptr(memfd), &a.plan)
	unix.Close(memfd)
	if e != 0 {
		return 0, step.Fail("init", "map the plan", unix.Errno(e))
	}
	var pipe [2]int
	if err := unix.Pipe2(pipe[:], unix.O_CLOEXEC); err != nil {
		return 0, step.Fail("init", "pipe", err)
	}
	defer unix.Close(pipe[0])
	a.errw = uintptr(pipe[1])
	pid, _, err := plan.Fork(0, degradedTarget, unsafe.Pointer(a))
	unix.Close(pipe[1])
	if err != nil {
		return 0, step.Fail("init", "start the target", err)
	}
	var r record
	if n, _ := unix.Read(pipe[0], r.bytes()); n == recordSize {
		wait(pid)
		return 0, p.Failure(int(r.Op), uint64(r.Errno))
	}
	return pid, nil
}

// listenProxy opens the proxy's listening socket on the host's 127.0.0.1 (degraded runs).
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
