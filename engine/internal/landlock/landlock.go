//go:build linux

// Package landlock restricts the target with Landlock rules that mirror the view (defence in
// depth behind the mounts), TCP/UDP port rules where the kernel has them, and the abstract-unix and
// signal scopes. It enforces the kernel's exact ABI, never a silent best-effort downgrade, and only
// on the calling thread: the exec stage calls it on the thread that execs the target, which
// avoids signalling every Go thread (go-landlock's all-threads path costs more than the rest of
// the stage).
package landlock

import (
	"fmt"

	ll "github.com/landlock-lsm/go-landlock/landlock"
	llsys "github.com/landlock-lsm/go-landlock/landlock/syscall"
	"golang.org/x/sys/unix"

	"stockade/engine/internal/config"
	"stockade/engine/internal/step"
)

// ABI returns the kernel's Landlock ABI version, 0 when Landlock is missing or disabled.
func ABI() int {
	v, err := llsys.LandlockGetABIVersion()
	if err != nil {
		return 0
	}
	return v
}

// What each ABI version can restrict, from go-landlock's table.
var abis = []ll.Config{ll.V1, ll.V1, ll.V2, ll.V3, ll.V4, ll.V5, ll.V6, ll.V7, ll.V8, ll.V9, ll.V10, ll.V11}

const (
	read     = llsys.AccessFSExecute | llsys.AccessFSReadFile | llsys.AccessFSReadDir
	fileOnly = llsys.AccessFSExecute | llsys.AccessFSWriteFile | llsys.AccessFSReadFile | llsys.AccessFSTruncate | llsys.AccessFSIoctlDev | llsys.AccessFSResolveUnix
	notInRW  = llsys.AccessFSIoctlDev | llsys.AccessFSResolveUnix // granted only where named
	connTCP  = llsys.AccessNetConnectTCP
)

// Options describe where the rules apply.
type Options struct {
	// InView is true when the target runs in the engine's view (own /proc, /dev and /tmp); false
	// on the host view (degraded mode).
	InView bool
	// ProxyPort is the loopback port of the network proxy in allowlist mode.
	ProxyPort int
}

// grant gives access beneath paths.
type grant struct {
	paths  []string
	access uint64
}

type ruleset struct {
	fd      int
	handled uint64
}

// add grants access beneath path, trimmed to what the ruleset handles and, for a file, to the
// rights that apply to files.
func (r *ruleset) add(path string, access uint64) error {
	fd, err := unix.Open(path, unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		return step.Fail("landlock", fmt.Sprintf("%q", path), err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return step.Fail("landlock", fmt.Sprintf("%q", path), err)
	}
	access &= r.handled
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		access &= fileOnly
	}
	if access == 0 {
		return nil
	}
	if err := llsys.LandlockAddPathBeneathRule(r.fd, &llsys.PathBeneathAttr{AllowedAccess: access, ParentFd: fd}, 0); err != nil {
		return step.Fail("landlock", fmt.Sprintf("rule for %q", path), err)
	}
	return nil
}

// Restrict enforces the ruleset on the calling thread, which must already have no_new_privs set.
func Restrict(c *config.ExecConfig, abi int, o Options) error {
	if abi <= 0 {
		return step.Failf("landlock", "", "Landlock is not available on this kernel")
	}
	caps := abis[min(abi, len(abis)-1)]
	attr := llsys.RulesetAttr{HandledAccessFS: uint64(caps.HandledAccessFS), Scoped: uint64(caps.Scoped)}
	if c.Network.Mode != "host" {
		attr.HandledAccessNet = uint64(caps.HandledAccessNet) // none: no TCP (nor UDP from ABI 10) at all
	}
	fd, err := llsys.LandlockCreateRuleset(&attr, 0)
	if err != nil {
		return step.Fail("landlock", "create ruleset", err)
	}
	defer unix.Close(fd)
	r := &ruleset{fd: fd, handled: attr.HandledAccessFS}
	rw := attr.HandledAccessFS &^ notInRW // includes Refer (ABI 2+) so renames across directories work
	grants := []grant{
		{c.Fs.Read, read},
		{c.Fs.Write, rw},
		{c.Fs.Sockets, read | llsys.AccessFSResolveUnix}, // connect(2) to exactly these (ABI 9+)
	}
	if o.InView {
		grants = append(grants,
			// Listing directories is harmless in the view (it holds only what is bound); files
			// still need one of the rules here.
			grant{[]string{"/"}, llsys.AccessFSReadDir},
			grant{[]string{"/dev"}, rw | llsys.AccessFSIoctlDev},
			grant{[]string{"/proc"}, llsys.AccessFSReadFile | llsys.AccessFSReadDir | llsys.AccessFSWriteFile},
		)
		if c.Fs.TmpBytes > 0 {
			grants = append(grants, grant{[]string{"/tmp", "/dev/shm"}, rw})
		}
	} else {
		for _, d := range []string{"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty"} {
			if unix.Access(d, unix.F_OK) == nil {
				grants = append(grants, grant{[]string{d}, llsys.AccessFSReadFile | llsys.AccessFSWriteFile | llsys.AccessFSIoctlDev})
			}
		}
		grants = append(grants, struct {
			paths  []string
			access uint64
		}{[]string{"/proc"}, llsys.AccessFSReadFile | llsys.AccessFSReadDir})
	}
	for _, g := range grants {
		for _, p := range g.paths {
			if err := r.add(p, g.access); err != nil {
				return err
			}
		}
	}
	if attr.HandledAccessNet&connTCP != 0 && c.Network.Mode == "allowlist" && o.ProxyPort > 0 {
		if err := llsys.LandlockAddNetPortRule(fd, &llsys.NetPortAttr{AllowedAccess: connTCP, Port: uint64(o.ProxyPort)}, 0); err != nil {
			return step.Fail("landlock", fmt.Sprintf("port rule %d", o.ProxyPort), err)
		}
	}
	if err := llsys.LandlockRestrictSelf(fd, 0); err != nil {
		return step.Fail("landlock", "restrict", err)
	}
	return nil
}
