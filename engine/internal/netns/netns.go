// Package netns prepares the sandbox's own network namespace: only the loopback interface, up.
package netns

import (
	"golang.org/x/sys/unix"

	"stockade/engine/internal/step"
)

// LoopbackUp brings "lo" up with an ioctl, so no `ip` binary is needed.
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
	return nil
}
