//go:build linux

package learn

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

const pathMax = 4096

// readString reads a NUL-terminated string of at most pathMax bytes at addr in pid's memory,
// one page at a time so that a string ending just before an unmapped page still reads.
// process_vm_readv: one call, no descriptor (the supervisor is root in the sandbox's user
// namespace, hence allowed to read its processes). The caller checks the notification is still
// valid afterwards: until then the bytes may belong to another call or another process.
func readString(pid int, addr uint64) (string, error) {
	if addr == 0 {
		return "", unix.EFAULT
	}
	var out []byte
	page := uint64(os.Getpagesize())
	for len(out) < pathMax {
		n := int(page - addr%page)
		if rest := pathMax - len(out); n > rest {
			n = rest
		}
		chunk, err := readMem(pid, addr, n)
		if err != nil {
			return "", err
		}
		if i := bytes.IndexByte(chunk, 0); i >= 0 {
			return string(append(out, chunk[:i]...)), nil
		}
		out = append(out, chunk...)
		addr += uint64(n)
	}
	return "", unix.ENAMETOOLONG
}

func readMem(pid int, addr uint64, n int) ([]byte, error) {
	buf := make([]byte, n)
	local := []unix.Iovec{{Base: &buf[0], Len: uint64(n)}}
	remote := []unix.RemoteIovec{{Base: uintptr(addr), Len: n}}
	got, err := unix.ProcessVMReadv(pid, local, remote, 0)
	if err != nil {
		return nil, err
	}
	if got != n {
		return nil, unix.EFAULT
	}
	return buf, nil
}

// readU64 reads one native-endian 64-bit word (open_how.flags).
func readU64(pid int, addr uint64) (uint64, error) {
	b, err := readMem(pid, addr, 8)
	if err != nil {
		return 0, err
	}
	return binary.NativeEndian.Uint64(b), nil
}

// resolve makes a path argument absolute: relative to the directory fd, or to the cwd for
// AT_FDCWD, both read from the sandbox's /proc (PID 1 sees the target's pid namespace and
// shares its view, so the link targets are paths in the view, which are the host's paths).
// An empty path (AT_EMPTY_PATH) names the fd itself. Links that are not paths (pipe:[…],
// a deleted directory) give an error: there is nothing to write a rule for.
func resolve(pid int, dirfd int32, path string) (string, error) {
	if !filepath.IsAbs(path) {
		link := "/proc/" + strconv.Itoa(pid) + "/cwd"
		if dirfd != unix.AT_FDCWD {
			link = "/proc/" + strconv.Itoa(pid) + "/fd/" + strconv.Itoa(int(dirfd))
		}
		base, err := os.Readlink(link)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(base) || bytes.HasSuffix([]byte(base), []byte(" (deleted)")) {
			return "", errors.New("the directory is not a path")
		}
		path = base + "/" + path
	}
	return physicalDots(path)
}

// physicalDots cleans path the way the kernel walks it: a ".." leaves the directory a symlink
// led to, not the link's own parent, so the part up to the last ".." is resolved in the view
// (PID 1 shares it). When that part does not exist there, the call failed on it and names no
// path it could have reached: an error.
func physicalDots(path string) (string, error) {
	last := strings.LastIndex(path, "/..")
	for last >= 0 && last+3 < len(path) && path[last+3] != '/' {
		last = strings.LastIndex(path[:last], "/..") // "/..." or "/..x" is a name, not ".."
	}
	if last < 0 {
		return filepath.Clean(path), nil
	}
	dir, err := filepath.EvalSymlinks(path[:last+3])
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, path[last+3:]), nil
}

// args returns the six arguments of seccomp_data.
func args(data *[seccompDataSize]byte) [6]uint64 {
	var a [6]uint64
	for i := range a {
		a[i] = binary.NativeEndian.Uint64(data[argsOffset+8*i:])
	}
	return a
}

func nrArch(data *[seccompDataSize]byte) (nr, arch uint32) {
	return binary.NativeEndian.Uint32(data[0:]), binary.NativeEndian.Uint32(data[4:])
}
