//go:build linux

package learn

import (
	"unicode/utf8"

	"golang.org/x/sys/unix"
)

const (
	sysSocket = unix.SYS_SOCKET
	sysClone  = unix.SYS_CLONE
)

// fileRecord is one path a call named and what it did to it.
type fileRecord struct {
	access Access
	path   string
}

// fileArgs reads the path arguments of a native file call. Paths that cannot be read or are not
// plain text (control bytes, invalid UTF-8: no policy can name them) are left out.
func fileArgs(pid int, nr, arch uint32, data *[seccompDataSize]byte) []fileRecord {
	if arch != nativeAuditArch {
		return nil
	}
	c, ok := fileCallTable()[nr]
	if !ok {
		return nil
	}
	a := args(data)
	var out []fileRecord
	for _, p := range c.paths {
		raw, err := readString(pid, a[p.path])
		if err != nil || !plain(raw) || (raw == "" && p.dirfd < 0) {
			continue
		}
		dirfd := int32(unix.AT_FDCWD)
		if p.dirfd >= 0 {
			dirfd = int32(a[p.dirfd])
		}
		path, err := resolve(pid, dirfd, raw)
		if err != nil {
			continue
		}
		access := p.access
		if p.exclusive && exists(path) {
			continue // EEXIST: nothing changes, nothing to allow
		}
		if p.open {
			flags := uint64(0)
			if c.flagsArg >= 0 {
				flags = a[c.flagsArg]
			} else if f, err := readU64(pid, a[c.howArg]); err == nil {
				flags = f
			} else {
				continue
			}
			if access = openAccess(flags, path); access == "" {
				continue
			}
		}
		out = append(out, fileRecord{access, path})
	}
	return out
}

// openAccess classifies open(2) flags: O_CREAT on a name that does not exist yet is a create
// (the rule needed is on the directory), any other write or truncation a write; "" for
// O_CREAT|O_EXCL on an existing name, which fails with EEXIST.
func openAccess(flags uint64, path string) Access {
	f := int(flags)
	switch {
	case f&unix.O_PATH != 0:
		return AccessRead
	case f&unix.O_TMPFILE == unix.O_TMPFILE:
		return AccessWrite // an unnamed file in the directory path: the directory is written
	case f&unix.O_CREAT != 0:
		if !exists(path) {
			return AccessCreate
		}
		if f&unix.O_EXCL != 0 {
			return ""
		}
		return AccessWrite
	case f&unix.O_ACCMODE != unix.O_RDONLY || f&unix.O_TRUNC != 0:
		return AccessWrite
	}
	return AccessRead
}

// exists looks the name up in the sandbox's view (PID 1 shares it), without following a last symlink.
func exists(path string) bool {
	var st unix.Stat_t
	return unix.Lstat(path, &st) == nil
}

func plain(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return false
		}
	}
	return true
}
