//go:build linux

package view

import (
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/config"
)

// rootOnly are files that only root can read on a usual Linux host. A root caller's sandbox runs
// as uid 0 (mapped to 0) without capabilities, but file permissions still let the owner read them,
// so they are masked unless the policy lists them by name.
var rootOnly = []string{
	"/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-",
	"/etc/sudoers", "/etc/sudoers.d", "/etc/ssl/private", "/root",
	"/etc/ssh/ssh_host_*_key",
}

// RootSecrets lists the root-only files under the view's allowed paths that a root caller's
// sandbox would otherwise read through its ownership of them.
func RootSecrets(fs *config.Fs) []string {
	named := map[string]bool{}
	for _, p := range append(append([]string{}, fs.Read...), fs.Write...) {
		named[p] = true
	}
	var out []string
	for _, pattern := range rootOnly {
		matches := []string{pattern}
		if strings.ContainsAny(pattern, "*?[") {
			matches, _ = filepath.Glob(pattern) // a plain path is checked by the Lstat below alone
		}
		for _, p := range matches {
			if named[p] || (!underAny(p, fs.Read) && !underAny(p, fs.Write)) {
				continue
			}
			var st unix.Stat_t
			if unix.Lstat(p, &st) == nil && st.Uid == 0 && st.Mode&0o004 == 0 {
				out = append(out, p)
			}
		}
	}
	return out
}
