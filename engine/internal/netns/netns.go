//go:build linux

// Package netns prepares the sandbox's own network namespace: only the loopback interface, up.
package netns

import (
	"golang.org/x/sys/unix"

	"stockade/engine/internal/step"
)

// LoopbackUp brings "lo" up with an ioctl, so no `ip` binary is needed, and lets it carry
// packets of up to BigSegment bytes.
func LoopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return step.Fail("network", "loopback socket", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return step.Fail("network", `"lo"`, err)
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return step.Fail("network", `flags of "lo"`, err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP | unix.IFF_RUNNING)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return step.Fail("network", `bring "lo" up`, err)
	}
	// Best effort: without BIG TCP lo keeps 64 KiB packets, which is slower, not less safe.
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFINDEX, ifr); err == nil {
		_ = EnlargeLoopbackSegments(int(ifr.Uint32()))
	}
	return nil
}
