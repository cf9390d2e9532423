//go:build linux

// Package caps drops every capability before the target runs, so even a root caller's sandbox
// (uid 0 inside, mapped to 0) cannot remount, override file permissions or regain privileges.
package caps

import (
	"errors"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/step"
)

// DropAll empties the bounding, ambient, inheritable, permitted and effective sets of the calling
// thread and locks securebits so uid 0 gains nothing at execve. Run it on the exec'ing thread.
func DropAll() error {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return step.Fail("capabilities", "capget", err)
	}
	if data[0].Effective&(1<<unix.CAP_SETPCAP) != 0 {
		const bits = 1<<0 | 1<<1 | 1<<2 | 1<<3 | 1<<5 | 1<<6 | 1<<7 // NOROOT, NO_SETUID_FIXUP, KEEP_CAPS_LOCKED, NO_CAP_AMBIENT_RAISE, each locked
		if err := unix.Prctl(unix.PR_SET_SECUREBITS, bits, 0, 0, 0); err != nil {
			return step.Fail("capabilities", "securebits", err)
		}
		for c := 0; c <= 63; c++ {
			if err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(c), 0, 0, 0); err != nil {
				if errors.Is(err, unix.EINVAL) {
					break // past the last capability this kernel knows
				}
				return step.Fail("capabilities", "bounding set", err)
			}
		}
	}
	if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); err != nil && !errors.Is(err, unix.EINVAL) {
		return step.Fail("capabilities", "ambient set", err)
	}
	data = [2]unix.CapUserData{}
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return step.Fail("capabilities", "capset", err)
	}
	return nil
}
