//go:build linux

// Package netns prepares the sandbox's own network namespace: only the loopback interface, up.
package netns

import (
	"golang.org/x/sys/unix"

	"stockade/engine/internal/plan"
)

// Plan adds the ops that bring "lo" up (an ioctl, so no `ip` binary is needed) and, best effort,
// let it carry packets of up to BigSegment bytes (a kernel without BIG TCP keeps 64 KiB packets,
// which is slower, not less safe). In a new network namespace lo is interface 1.
func Plan(p *plan.Plan) {
	s := p.Step(plan.Step{Name: "network", What: "loopback socket"})
	fd := p.Cell()
	p.Call(s, unix.SYS_SOCKET, plan.Lit(unix.AF_INET), plan.Lit(unix.SOCK_DGRAM|unix.SOCK_CLOEXEC), plan.Lit(0)).To(fd)
	ifr, _ := unix.NewIfreq("lo")
	ifr.SetUint16(unix.IFF_UP | unix.IFF_RUNNING | unix.IFF_LOOPBACK)
	p.Call(p.Step(plan.Step{Name: "network", What: `bring "lo" up`}), unix.SYS_IOCTL, fd.Cell(), plan.Lit(unix.SIOCSIFFLAGS), plan.Struct(p, ifr).Addr())
	p.Close(fd)
	nl := p.Cell()
	mark := p.Mark()
	p.Call(s, unix.SYS_SOCKET, plan.Lit(unix.AF_NETLINK), plan.Lit(unix.SOCK_RAW|unix.SOCK_CLOEXEC), plan.Lit(unix.NETLINK_ROUTE)).To(nl)
	msg := sizesMessage(1)
	to := plan.Struct(p, &unix.RawSockaddrNetlink{Family: unix.AF_NETLINK})
	p.Call(s, unix.SYS_SENDTO, nl.Cell(), p.Bytes(msg).Addr(), plan.Lit(len(msg)), plan.Lit(0), to.Addr(), plan.Lit(unix.SizeofSockaddrNetlink))
	p.Call(s, unix.SYS_CLOSE, nl.Cell())
	p.SoftSince(mark)
	p.SkipGroupOnErr(mark, 0)
}
