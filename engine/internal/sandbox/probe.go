//go:build linux

package sandbox

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/landlock"
	"stockade/engine/internal/seccomp"
	"stockade/engine/internal/userns"
)

// Probe is `stockade-engine probe`: what this kernel and host allow, as JSON, for `stockade doctor`.
func Probe(version string) int {
	type usernsInfo struct {
		Available bool   `json:"available"`
		Error     string `json:"error,omitempty"`
		Hint      string `json:"hint,omitempty"`
	}
	type cgroupInfo struct {
		Unified     bool     `json:"unified"`     // a cgroup v2 hierarchy is mounted
		Hybrid      bool     `json:"hybrid"`      // v1 controllers are mounted too
		Delegated   bool     `json:"delegated"`   // this process's v2 cgroup is writable
		Controllers []string `json:"controllers"` // v2 controllers available to it
	}
	out := struct {
		Version     string            `json:"version"`
		Userns      usernsInfo        `json:"userns"`
		Landlock    map[string]int    `json:"landlock"`
		Seccomp     bool              `json:"seccomp"`
		Cgroup      cgroupInfo        `json:"cgroup"`
		Sysctls     map[string]string `json:"sysctls"`
		InContainer bool              `json:"inContainer"`
		Proxy       string            `json:"proxy"` // the allowlist proxy beside the engine, "" when missing
	}{Version: version, Landlock: map[string]int{"abi": landlock.ABI()}, Seccomp: seccomp.Available(), Sysctls: userns.Sysctls(), InContainer: userns.InContainer()}

	if exe, err := proxyExecutable(); err == nil {
		out.Proxy = exe
	}
	cmd := exec.Command("/proc/self/exe", "__probe-userns")
	cmd.Path = "/proc/self/exe"
	cmd.SysProcAttr = userns.SysProcAttr(true, true)
	if msg, err := cmd.CombinedOutput(); err != nil {
		out.Userns.Error = strings.TrimSpace(string(msg) + " " + err.Error())
		out.Userns.Hint = userns.Hint()
	} else {
		out.Userns.Available = true
	}
	out.Cgroup = cgroupInfo{Controllers: []string{}}
	var st unix.Statfs_t
	if unix.Statfs("/sys/fs/cgroup", &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC {
		out.Cgroup.Unified = true
	} else if unix.Statfs("/sys/fs/cgroup/unified", &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC {
		out.Cgroup.Unified, out.Cgroup.Hybrid = true, true
	}
	if b, err := os.ReadFile("/proc/self/cgroup"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if rel, ok := strings.CutPrefix(line, "0::"); ok {
				base := "/sys/fs/cgroup"
				if out.Cgroup.Hybrid {
					base += "/unified"
				}
				dir := base + rel
				out.Cgroup.Delegated = unix.Access(dir, unix.W_OK) == nil
				if c, err := os.ReadFile(dir + "/cgroup.controllers"); err == nil {
					out.Cgroup.Controllers = append(out.Cgroup.Controllers, strings.Fields(string(c))...)
				}
			}
		}
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	_ = enc.Encode(out)
	return 0
}

// ProbeUserns runs inside fresh namespaces and checks that they carry privileges there (Ubuntu's
// AppArmor restriction lets the clone succeed but strips them).
func ProbeUserns() int {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		os.Stderr.WriteString("mount in the new namespaces: " + err.Error())
		return 1
	}
	return 0
}
