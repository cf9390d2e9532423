//go:build linux

// Package caps drops every capability before the target runs, so even a root caller's sandbox
// (uid 0 inside, mapped to 0) cannot remount, override file permissions or regain privileges.
package caps

import (
	"golang.org/x/sys/unix"

	"stockade/engine/internal/plan"
)

// Plan adds the ops that empty the bounding, ambient, inheritable, permitted and effective sets
// and lock securebits so uid 0 gains nothing at execve. setpcap says whether the process that
// runs them holds CAP_SETPCAP (the sandbox's target does, in its user namespace; in degraded mode
// only a root caller does), which the bounding set and securebits need.
func Plan(p *plan.Plan, setpcap bool) {
	s := func(what string) uint32 { return p.Step(plan.Step{Name: "capabilities", What: what}) }
	if setpcap {
		const bits = 1<<0 | 1<<1 | 1<<2 | 1<<3 | 1<<5 | 1<<6 | 1<<7 // NOROOT, NO_SETUID_FIXUP, KEEP_CAPS_LOCKED, NO_CAP_AMBIENT_RAISE, each locked
		p.Call(s("securebits"), unix.SYS_PRCTL, plan.Lit(unix.PR_SET_SECUREBITS), plan.Lit(bits))
		// Every bit: the kernel's last capability need not be read (EINVAL past it skips the rest).
		bounding := s("bounding set")
		for c := 0; c <= 63; c++ {
			p.Call(bounding, unix.SYS_PRCTL, plan.Lit(unix.PR_CAPBSET_DROP), plan.Lit(c)).SkipOnErr(uintptr(unix.EINVAL), 63-c)
		}
	}
	// EINVAL: a kernel without ambient capabilities (before 4.3) has none to clear.
	p.Call(s("ambient set"), unix.SYS_PRCTL, plan.Lit(unix.PR_CAP_AMBIENT), plan.Lit(unix.PR_CAP_AMBIENT_CLEAR_ALL), plan.Lit(0), plan.Lit(0), plan.Lit(0)).
		SkipOnErr(uintptr(unix.EINVAL), 0)
	hdr := plan.Struct(p, &unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3})
	data := plan.Struct(p, &[2]unix.CapUserData{})
	p.Call(s("capset"), unix.SYS_CAPSET, hdr.Addr(), data.Addr())
}

// HasSetpcap says whether this process holds CAP_SETPCAP in its effective set.
func HasSetpcap() bool {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	return unix.Capget(&hdr, &data[0]) == nil && data[0].Effective&(1<<unix.CAP_SETPCAP) != 0
}
