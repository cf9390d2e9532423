// Package landlock restricts the target with Landlock rules that mirror the view (defence in
// depth behind the mounts), TCP/UDP port rules where the kernel has them, and the abstract-unix and
// signal scopes. It uses the kernel's exact ABI, never a silent best-effort downgrade.
package landlock

import (
	"fmt"
	"os"

	ll "github.com/landlock-lsm/go-landlock/landlock"
	llsys "github.com/landlock-lsm/go-landlock/landlock/syscall"

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

var configs = []ll.Config{ll.V1, ll.V1, ll.V2, ll.V3, ll.V4, ll.V5, ll.V6, ll.V7, ll.V8, ll.V9, ll.V10, ll.V11}

// Options describe where the rules apply.
type Options struct {
	// InView is true when the target runs in the engine's view (own /proc, /dev and /tmp); false
	// on the host view (degraded mode).
	InView bool
	// ProxyPort is the loopback port of the network proxy in allowlist mode.
	ProxyPort int
}

// Restrict sets no_new_privs and enforces the ruleset on every thread of this process.
func Restrict(c *config.ExecConfig, abi int, o Options) error {
	if abi <= 0 {
		return step.Failf("landlock", "", "Landlock is not available on this kernel")
	}
	cfg := configs[min(abi, len(configs)-1)]
	if c.Network.Mode == "host" {
		cfg.HandledAccessNet = 0
	}
	refer := abi >= 2
	var rules []ll.Rule
	add := func(path string, write bool, extra func(ll.FSRule) ll.FSRule) error {
		st, err := os.Stat(path)
		if err != nil {
			return step.Fail("landlock", fmt.Sprintf("%q", path), err)
		}
		var r ll.FSRule
		switch {
		case st.IsDir() && write:
			r = ll.RWDirs(path)
		case st.IsDir():
			r = ll.RODirs(path)
		case write:
			r = ll.RWFiles(path)
		default:
			r = ll.ROFiles(path)
		}
		if write && refer {
			r = r.WithRefer()
		}
		if extra != nil {
			r = extra(r)
		}
		rules = append(rules, r)
		return nil
	}
	for _, p := range c.Fs.Read {
		if err := add(p, false, nil); err != nil {
			return err
		}
	}
	for _, p := range c.Fs.Write {
		if err := add(p, true, nil); err != nil {
			return err
		}
	}
	for _, p := range c.Fs.Sockets {
		unixOK := func(r ll.FSRule) ll.FSRule {
			if abi >= 9 {
				return r.WithResolveUnix()
			}
			return r
		}
		if err := add(p, false, unixOK); err != nil {
			return err
		}
	}
	withIoctl := func(r ll.FSRule) ll.FSRule {
		if abi >= 5 {
			return r.WithIoctlDev()
		}
		return r
	}
	if o.InView {
		// Listing directories is harmless in the view (it holds only what is bound); reading and
		// writing files still needs a rule below.
		rules = append(rules, ll.PathAccess(llsys.AccessFSReadDir, "/"))
		if err := add("/dev", true, withIoctl); err != nil {
			return err
		}
		rules = append(rules, ll.PathAccess(llsys.AccessFSReadFile|llsys.AccessFSReadDir|llsys.AccessFSWriteFile, "/proc"))
		if c.Fs.TmpBytes > 0 {
			if err := add("/tmp", true, nil); err != nil {
				return err
			}
		}
	} else {
		for _, d := range []string{"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty"} {
			if _, err := os.Stat(d); err == nil {
				rules = append(rules, withIoctl(ll.RWFiles(d)))
			}
		}
		rules = append(rules, ll.PathAccess(llsys.AccessFSReadFile|llsys.AccessFSReadDir, "/proc"))
	}
	if cfg.HandledAccessNet != 0 && c.Network.Mode == "allowlist" && o.ProxyPort > 0 {
		rules = append(rules, ll.ConnectTCP(uint16(o.ProxyPort)))
	}
	if err := cfg.Restrict(rules...); err != nil {
		return step.Fail("landlock", "restrict", err)
	}
	return nil
}
