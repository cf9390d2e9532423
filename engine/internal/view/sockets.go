//go:build linux

package view

import (
	"bufio"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/config"
)

// HostSockets lists the unix socket files under the view's allowed paths that a host process is
// listening on, except those allowed in fs.sockets: the view masks them, because a read-only bind
// does not stop connect(2). It reads /proc/net/unix of the caller's network namespace instead of
// walking the allowed trees: that costs one read, not a scan of every file in a home directory.
// A socket bound in another network namespace (a container) whose file lies under an allowed path
// is not listed there; Landlock ABI 9 and newer closes that gap (LANDLOCK_ACCESS_FS_RESOLVE_UNIX).
func HostSockets(fs *config.Fs) []string {
	f, err := os.Open("/proc/net/unix")
	if err != nil {
		return nil
	}
	defer f.Close()
	allowed := map[string]bool{}
	for _, p := range fs.Sockets {
		allowed[p] = true
	}
	seen := map[string]bool{}
	var out []string
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		p := socketPath(sc.Text())
		if !strings.HasPrefix(p, "/") {
			continue // unnamed, abstract (behind the net namespace or Landlock's scope) or relative
		}
		if seen[p] || allowed[p] || !config.IsAbsNormalised(p) {
			continue
		}
		seen[p] = true
		if !underAny(p, fs.Read) && !underAny(p, fs.Write) {
			continue
		}
		var st unix.Stat_t
		if unix.Lstat(p, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFSOCK {
			out = append(out, p)
		}
	}
	return out
}

// socketPath returns the path column of a /proc/net/unix line: everything after the seven
// fixed columns, so a path with spaces is kept whole.
func socketPath(line string) string {
	rest := line
	for i := 0; i < 7; i++ {
		rest = strings.TrimLeft(rest, " ")
		sp := strings.IndexByte(rest, ' ')
		if sp < 0 {
			return ""
		}
		rest = rest[sp:]
	}
	return strings.TrimLeft(rest, " ")
}
