//go:build linux

package sandbox

import (
	"os"
	"unsafe"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/learn"
	"stockade/engine/internal/netns"
	"stockade/engine/internal/plan"
	"stockade/engine/internal/rlimit"
	"stockade/engine/internal/step"
	"stockade/engine/internal/view"
)

// The containment steps of DESIGN.md, in order, and where each runs:
//
//	outer engine (host namespaces)  0. frame and config checked; Landlock present or degraded;
//	                                   host sockets (and a root caller's secrets) added to the
//	                                   masks; cgroup prepared; every following step planned
//	                                   (planSandbox) while PID 1 is being forked
//	                                1. PID 1 forked into new user, mount, pid, ipc, uts, cgroup
//	                                   (and net) namespaces, the caller's ids mapped (start.go)
//	PID 1 (pid1.go, plan.SegView)   2. the view (view.Plan: propagation, root tmpfs, binds, masks,
//	                                   /proc, /dev, /tmp, pivot_root); hostname
//	                                3. the network: lo up; allowlist: the proxy's listener goes out
//	target (plan.SegTarget)         5. cwd; only fds 0-2 survive execve
//	                                6. capabilities dropped, no_new_privs, Landlock,
//	                                4. rlimits and the cgroup (they bind the process itself, so
//	                                   they come late), seccomp, execve
//	PID 1                           7. reaper; the outer engine enforces the wall-clock timeout and
//	                                   forwards signals to the target
//
// A supervised run (learn mode, refused calls or files reported) has PID 1 exec the supervisor
// after step 3 (supervise.go); a degraded run has no PID 1 and no view (degraded.go).

// planned is a run's plan and what the outer engine needs to carry it out.
type planned struct {
	plan       *plan.Plan
	view       *view.Result
	proxyPort  int
	supervised bool // PID 1 execs the supervisor after the view
}

// planSandbox plans steps 2-6 of a namespaced run.
func (o *outer) planSandbox() (*planned, error) {
	c := o.cfg
	p := plan.New()
	res, err := view.Plan(p, &c.Fs)
	if err != nil {
		return nil, err
	}
	p.Call(p.Step(plan.Step{Name: "hostname", What: quote(c.Hostname)}), unix.SYS_SETHOSTNAME, p.Str(c.Hostname).Addr(), plan.Lit(len(c.Hostname)))
	out := &planned{plan: p, view: res}
	if c.Network.Mode != "host" {
		netns.Plan(p)
	}
	if c.Network.Mode == "allowlist" {
		out.proxyPort = proxyPort
		planListener(p, out.proxyPort)
	}
	l := &lockdown{inView: true, landlock: o.abi, proxyPort: out.proxyPort, setpcap: true, cgroup: -1,
		limits: rlimit.Plan{CgroupMemory: o.cg.Memory, CgroupPids: o.cg.Pids, NprocBase: 1}} // PID 1 is the one task of the uid in the user namespace before the target
	if o.cg.ProcsFile != nil {
		l.cgroup = pid1Cgroup
	}
	if l.supervised, err = o.supervised(); err != nil {
		return nil, err
	}
	if l.supervised {
		out.supervised = true
		// The supervisor is exec'd: a caller that is not uid 0 keeps no capability through it,
		// and its target starts without CAP_SETPCAP (it still clears every set it has).
		l.setpcap = os.Getuid() == 0
	}
	if err := planTarget(p, c, o.filter, l); err != nil {
		return nil, err
	}
	return out, nil
}

// supervised says whether the run has a supervisor: learn mode, or a run that reports refused
// calls or files (which a kernel without user notification cannot: the run goes on unreported,
// with a warning). Its filter is checked here, before anything starts.
func (o *outer) supervised() (bool, error) {
	c := o.cfg
	switch {
	case c.Learn:
		_, err := learn.LearnFilter(o.filter)
		return err == nil, err
	case c.ReportRefusals || c.ReportFiles:
		if err := learn.NotifyAvailable(); err != nil {
			o.ev.Warning("refusals-unreported", "refused system calls and files are not reported: this kernel has no seccomp user notification ("+err.Error()+")")
			return false, nil
		}
		if _, err := learn.ReportProgram(o.filter, learn.Report{Refusals: c.ReportRefusals, Files: c.ReportFiles}); err != nil {
			return false, step.Fail("seccomp", "derive the report filter", err)
		}
		return true, nil
	}
	return false, nil
}

// proxyPort is where the proxy listens in the sandbox's own network namespace: a port below 1024,
// which PID 1 may bind (it holds CAP_NET_BIND_SERVICE there) and the target, without capabilities,
// cannot take first; and never an ephemeral port, so it cannot be mistaken for one the host gave
// to something else.
const proxyPort = 600

// planListener plans the proxy's listening socket on 127.0.0.1:port inside the sandbox's netns,
// sent to the outer engine, which accepts on it from the host side (a socket keeps the netns it
// was made in).
func planListener(p *plan.Plan, port int) {
	s := p.Step(plan.Step{Name: "network", What: "proxy listener on 127.0.0.1"})
	rec := record{Kind: recListener}
	body := p.Bytes(rec.bytes())
	iov := plan.Struct(p, &unix.Iovec{Len: uint64(recordSize)})
	p.SetPtr(iov.Add(unsafe.Offsetof(unix.Iovec{}.Base)), body)
	var cmsg rightsOob
	cmsg.init()
	control := p.Bytes(cmsg[:])
	fd := control.Add(rightsFdAt) // the socket lands in the message itself
	msg := plan.Struct(p, &unix.Msghdr{Iovlen: 1, Controllen: uint64(len(cmsg))})
	p.SetPtr(msg.Add(unsafe.Offsetof(unix.Msghdr{}.Iov)), iov)
	p.SetPtr(msg.Add(unsafe.Offsetof(unix.Msghdr{}.Control)), control)
	addr := plan.Struct(p, &unix.RawSockaddrInet4{Family: unix.AF_INET, Port: port16(port), Addr: [4]byte{127, 0, 0, 1}})
	p.Call(s, unix.SYS_SOCKET, plan.Lit(unix.AF_INET), plan.Lit(unix.SOCK_STREAM|unix.SOCK_CLOEXEC), plan.Lit(0)).To4(fd)
	p.Call(s, unix.SYS_BIND, fd.Cell(), addr.Addr(), plan.Lit(unix.SizeofSockaddrInet4))
	p.Call(s, unix.SYS_LISTEN, fd.Cell(), plan.Lit(128))
	p.Call(p.Step(plan.Step{Name: "network", What: "hand the proxy listener over"}), unix.SYS_SENDMSG, plan.Lit(pid1Status), msg.Addr(), plan.Lit(0))
	p.Close(fd)
}

// port16 is a port in network byte order, as struct sockaddr_in holds it.
func port16(port int) uint16 {
	b := [2]byte{byte(port >> 8), byte(port)}
	return *(*uint16)(unsafe.Pointer(&b[0]))
}

func quote(s string) string { return `"` + s + `"` }
