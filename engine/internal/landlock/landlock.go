//go:build linux

// Package landlock restricts the target with Landlock rules that mirror the view (defence in
// depth behind the mounts), TCP/UDP port rules where the kernel has them, and the abstract-unix and
// signal scopes. It enforces the kernel's exact ABI, never a silent best-effort downgrade. The
// target enforces it on itself, single-threaded, right before execve (Plan).
package landlock

import (
	"strconv"
	"unsafe"

	ll "github.com/landlock-lsm/go-landlock/landlock"
	llsys "github.com/landlock-lsm/go-landlock/landlock/syscall"
	"golang.org/x/sys/unix"

	"stockade/engine/internal/config"
	"stockade/engine/internal/plan"
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

// pathBeneath is the kernel's struct landlock_path_beneath_attr (packed: u64, s32), padded.
type pathBeneath struct {
	allowed  uint64
	parentFd int32
	_        uint32
}

// Plan adds the ops that create the ruleset and enforce it on the process that runs them, which
// must have no_new_privs set by then. Paths are checked on the host now (the view shows the same
// objects) and opened again, in the sandbox, by the ops.
func Plan(p *plan.Plan, c *config.ExecConfig, abi int, o Options) error {
	if abi <= 0 {
		return step.Failf("landlock", "", "Landlock is not available on this kernel")
	}
	caps := abis[min(abi, len(abis)-1)]
	attr := llsys.RulesetAttr{HandledAccessFS: uint64(caps.HandledAccessFS), Scoped: uint64(caps.Scoped)}
	if c.Network.Mode != "host" {
		attr.HandledAccessNet = uint64(caps.HandledAccessNet) // none: no TCP (nor UDP from ABI 10) at all
	}
	ruleset := p.Cell()
	p.Call(p.Step(plan.Step{Name: "landlock", What: "create ruleset"}), unix.SYS_LANDLOCK_CREATE_RULESET,
		plan.Struct(p, &attr).Addr(), plan.Lit(unsafe.Sizeof(attr)), plan.Lit(0)).To(ruleset)
	rw := attr.HandledAccessFS &^ notInRW // includes Refer (ABI 2+) so renames across directories work
	grants := []grant{
		{c.Fs.Read, read},
		{c.Fs.Write, rw},
		{c.Fs.Sockets, read | llsys.AccessFSResolveUnix}, // connect(2) to exactly these (ABI 9+)
	}
	var dirs map[string]bool // in the view: the engine's own directories
	if o.InView {
		// Listing directories is harmless in the view (it holds only what is bound); files still
		// need one of the rules here.
		grants = append(grants,
			grant{[]string{"/"}, llsys.AccessFSReadDir},
			grant{[]string{"/dev"}, rw | llsys.AccessFSIoctlDev},
			grant{[]string{"/proc"}, llsys.AccessFSReadFile | llsys.AccessFSReadDir | llsys.AccessFSWriteFile},
		)
		dirs = map[string]bool{"/": true, "/dev": true, "/proc": true}
		if c.Fs.TmpBytes > 0 {
			grants = append(grants, grant{[]string{"/tmp", "/dev/shm"}, rw})
			dirs["/tmp"], dirs["/dev/shm"] = true, true
		}
	} else {
		for _, d := range []string{"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty"} {
			if unix.Access(d, unix.F_OK) == nil {
				grants = append(grants, grant{[]string{d}, llsys.AccessFSReadFile | llsys.AccessFSWriteFile | llsys.AccessFSIoctlDev})
			}
		}
		grants = append(grants, grant{[]string{"/proc"}, llsys.AccessFSReadFile | llsys.AccessFSReadDir})
	}
	for _, g := range grants {
		for _, path := range g.paths {
			isDir := dirs[path]
			if !isDir {
				var st unix.Stat_t
				if err := unix.Stat(path, &st); err != nil {
					return step.Fail("landlock", strconv.Quote(path), err)
				}
				isDir = st.Mode&unix.S_IFMT == unix.S_IFDIR
			}
			access := g.access & attr.HandledAccessFS
			if !isDir {
				access &= fileOnly
			}
			if access != 0 {
				addPath(p, ruleset, path, access)
			}
		}
	}
	if attr.HandledAccessNet&connTCP != 0 && c.Network.Mode == "allowlist" && o.ProxyPort > 0 {
		port := plan.Struct(p, &llsys.NetPortAttr{AllowedAccess: connTCP, Port: uint64(o.ProxyPort)})
		p.Call(p.Step(plan.Step{Name: "landlock", What: "port rule " + strconv.Itoa(o.ProxyPort)}), unix.SYS_LANDLOCK_ADD_RULE,
			ruleset.Cell(), plan.Lit(llsys.RuleTypeNetPort), port.Addr(), plan.Lit(0))
	}
	p.Call(p.Step(plan.Step{Name: "landlock", What: "restrict"}), unix.SYS_LANDLOCK_RESTRICT_SELF, ruleset.Cell(), plan.Lit(0))
	p.Close(ruleset)
	return nil
}

// addPath plans a rule granting access beneath path: opened as the sandbox sees it, the handle
// stored straight into the rule's parent_fd.
func addPath(p *plan.Plan, ruleset plan.Ref, path string, access uint64) {
	rule := plan.Struct(p, &pathBeneath{allowed: access, parentFd: -1})
	fd := rule.Add(unsafe.Offsetof(pathBeneath{}.parentFd))
	p.Call(p.Step(plan.Step{Name: "landlock", What: strconv.Quote(path)}), unix.SYS_OPENAT,
		plan.Lit(unix.AT_FDCWD), p.Str(path).Addr(), plan.Lit(unix.O_PATH|unix.O_CLOEXEC)).To4(fd)
	p.Call(p.Step(plan.Step{Name: "landlock", What: "rule for " + strconv.Quote(path)}), unix.SYS_LANDLOCK_ADD_RULE,
		ruleset.Cell(), plan.Lit(llsys.RuleTypePathBeneath), rule.Addr(), plan.Lit(0))
	p.Close(fd)
}
