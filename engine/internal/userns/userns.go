//go:build linux

// Package userns names the namespaces of a sandbox and maps the caller's ids into them (the
// engine forks PID 1 with the clone flags: the running Go process never unshares). It also
// explains why user namespaces are unavailable, when they are.
package userns

import (
	"errors"
	"os"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Flags are the namespaces every sandbox gets; net is added unless the network is "host".
const Flags = unix.CLONE_NEWUSER | unix.CLONE_NEWNS | unix.CLONE_NEWPID | unix.CLONE_NEWIPC | unix.CLONE_NEWUTS | unix.CLONE_NEWCGROUP

// SysProcAttr maps the caller's uid and gid to the same ids inside (setgroups denied), so the
// sandbox is never more than the caller on the host.
func SysProcAttr(newNet, newSession bool) *syscall.SysProcAttr {
	flags := uintptr(Flags)
	if newNet {
		flags |= unix.CLONE_NEWNET
	}
	uid, gid := os.Getuid(), os.Getgid()
	return &syscall.SysProcAttr{
		Cloneflags:                 flags,
		UidMappings:                []syscall.SysProcIDMap{{ContainerID: uid, HostID: uid, Size: 1}},
		GidMappings:                []syscall.SysProcIDMap{{ContainerID: gid, HostID: gid, Size: 1}},
		GidMappingsEnableSetgroups: false,
		Setsid:                     newSession,
		Pdeathsig:                  syscall.SIGKILL,
		// A caller that is not uid 0 stays non-root inside, and a non-root execve drops every
		// capability: these are kept (in the new user namespace only) for PID 1 to build the view
		// and the network. The exec stage drops them all before the target runs.
		AmbientCaps: []uintptr{unix.CAP_SYS_ADMIN, unix.CAP_NET_ADMIN, unix.CAP_SETPCAP},
	}
}

// Unavailable reports whether a failed clone looks like user namespaces being refused.
func Unavailable(err error) bool {
	return errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) || errors.Is(err, unix.ENOSPC) ||
		errors.Is(err, unix.EUSERS) || errors.Is(err, unix.EINVAL)
}

func readSysctl(name string) string {
	b, err := os.ReadFile("/proc/sys/" + strings.ReplaceAll(name, ".", "/"))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// Hint names the cause and the fix of user namespaces being unavailable on this host.
func Hint() string {
	const degrade = `, or accept running without them with degrade: ["namespaces"]`
	switch {
	case readSysctl("kernel.apparmor_restrict_unprivileged_userns") == "1":
		return "AppArmor restricts unprivileged user namespaces (Ubuntu 23.10+): allow them for the engine with an AppArmor profile granting `userns`, or set kernel.apparmor_restrict_unprivileged_userns=0" + degrade
	case readSysctl("kernel.unprivileged_userns_clone") == "0":
		return "unprivileged user namespaces are disabled: set kernel.unprivileged_userns_clone=1" + degrade
	case readSysctl("user.max_user_namespaces") == "0":
		return "user namespaces are disabled: set user.max_user_namespaces to a positive number" + degrade
	case InContainer():
		return "this looks like a container whose seccomp profile blocks user namespaces (Docker's default): run it with --security-opt seccomp=unconfined or a profile allowing clone/unshare with CLONE_NEWUSER" + degrade
	}
	return "user namespaces could not be created on this host" + degrade
}

// InContainer guesses whether the engine runs inside a container.
func InContainer() bool {
	if _, err := os.Stat("/.dockerenv"); err == nil {
		return true
	}
	if _, err := os.Stat("/run/.containerenv"); err == nil {
		return true
	}
	b, _ := os.ReadFile("/proc/1/cgroup")
	s := string(b)
	return strings.Contains(s, "docker") || strings.Contains(s, "containerd") || strings.Contains(s, "kubepods")
}

// Sysctls returns the host settings that decide whether user namespaces work, for probe.
func Sysctls() map[string]string {
	out := map[string]string{}
	for _, name := range []string{"kernel.unprivileged_userns_clone", "user.max_user_namespaces", "kernel.apparmor_restrict_unprivileged_userns"} {
		out[name] = readSysctl(name)
	}
	return out
}
