//go:build linux

package view

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/step"
)

// Devices bound from the host into the minimal /dev.
var devices = []string{"null", "zero", "full", "random", "urandom", "tty"}

// /proc paths made read-only or masked, as runc does: writing them (or reading them) reaches the
// host kernel. A root caller's sandbox runs as uid 0, which owns these files, so DAC alone does not
// stop it; /proc/sysrq-trigger for instance checks no capability.
var (
	procReadOnly = []string{"sys", "sysrq-trigger", "irq", "bus", "fs"}
	procMasked   = []string{"kcore", "keys", "timer_list", "latency_stats", "sched_debug", "acpi", "scsi", "kallsyms"}
)

// system makes the engine's own mounts: /proc, /dev and /tmp.
func system(rootfd int, path string, tmpBytes int64) error {
	dst, _, err := mountpoint(rootfd, path, true)
	if err != nil {
		return step.Fail("mount", quote(path), err)
	}
	defer unix.Close(dst)
	// After mounting on dst, the new filesystem is reached by resolving the path again: the
	// handle itself still names the directory underneath.
	mounted := func() (int, error) { return openIn(rootfd, strings.TrimPrefix(path, "/"), unix.O_DIRECTORY) }
	switch path {
	case "/proc":
		return proc(dst, mounted)
	case "/dev":
		return dev(dst, tmpBytes, mounted)
	default:
		opts := fmt.Sprintf("mode=1777,size=%d", tmpBytes)
		if err := unix.Mount("tmpfs", procPath(dst), "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, opts); err != nil {
			return step.Fail("mount", `tmpfs on "/tmp"`, err)
		}
		return nil
	}
}

// proc mounts a procfs of the sandbox's pid namespace, then protects the host-facing files.
func proc(dst int, mounted func() (int, error)) error {
	// hidepid: processes the target may not ptrace are not listed at all, which hides PID 1 (not
	// dumpable) and its command line. "invisible" needs Linux 5.8; 2 is the older spelling.
	err := unix.Mount("proc", procPath(dst), "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "hidepid=invisible")
	if errors.Is(err, unix.EINVAL) {
		err = unix.Mount("proc", procPath(dst), "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "hidepid=2")
	}
	if err != nil {
		return step.Fail("mount", `proc on "/proc"`, err).WithHint("a procfs can only be mounted where the host's /proc is not partly covered (as in some containers)")
	}
	dst, err = mounted()
	if err != nil {
		return step.Fail("mount", `"/proc"`, err)
	}
	defer unix.Close(dst)
	for _, name := range procReadOnly {
		fd, err := openIn(dst, name, 0)
		if errors.Is(err, unix.ENOENT) {
			continue
		}
		if err != nil {
			return step.Fail("mount", quote("/proc/"+name), err)
		}
		err = readOnlyInPlace(fd)
		unix.Close(fd)
		if err != nil {
			return step.Fail("mount", quote("/proc/"+name), err)
		}
	}
	for _, name := range procMasked {
		fd, err := openIn(dst, name, 0)
		if errors.Is(err, unix.ENOENT) {
			continue
		}
		if err != nil {
			return step.Fail("mount", quote("/proc/"+name), err)
		}
		var st unix.Stat_t
		if err = unix.Fstat(fd, &st); err == nil {
			what := quote("/proc/" + name)
			if st.Mode&unix.S_IFMT == unix.S_IFDIR {
				err = maskDir(fd, what)
			} else {
				err = maskFile(fd, what)
			}
		}
		unix.Close(fd)
		if err != nil {
			return err
		}
	}
	return nil
}

// readOnlyInPlace binds a path onto itself read-only.
func readOnlyInPlace(fd int) error {
	tree, err := unix.OpenTree(fd, "", unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_EMPTY_PATH|unix.AT_RECURSIVE)
	if err != nil {
		return err
	}
	defer unix.Close(tree)
	if err := unix.MountSetattr(tree, "", unix.AT_EMPTY_PATH|unix.AT_RECURSIVE, &unix.MountAttr{Attr_set: bindRO}); err != nil {
		return err
	}
	return unix.MoveMount(tree, "", fd, "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH)
}

// dev builds a minimal /dev: a few host devices, a private devpts, /dev/shm and the usual links.
func dev(dst int, tmpBytes int64, mounted func() (int, error)) error {
	if err := unix.Mount("tmpfs", procPath(dst), "tmpfs", unix.MS_NOSUID|unix.MS_NOEXEC, "mode=0755,size=64k"); err != nil {
		return step.Fail("mount", `tmpfs on "/dev"`, err)
	}
	devfd, err := mounted()
	if err != nil {
		return step.Fail("mount", `"/dev"`, err)
	}
	defer unix.Close(devfd)
	for _, name := range devices {
		if err := bindDevice(devfd, name); err != nil {
			return err
		}
	}
	links := [][2]string{{"/proc/self/fd", "fd"}, {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"}, {"pts/ptmx", "ptmx"}}
	for _, l := range links {
		if err := unix.Symlinkat(l[0], devfd, l[1]); err != nil {
			return step.Fail("mount", quote("/dev/"+l[1]), err)
		}
	}
	for _, d := range []string{"pts", "shm"} {
		if err := unix.Mkdirat(devfd, d, 0o755); err != nil {
			return step.Fail("mount", quote("/dev/"+d), err)
		}
	}
	pts, err := openIn(devfd, "pts", 0)
	if err != nil {
		return step.Fail("mount", `"/dev/pts"`, err)
	}
	// A private devpts instance: the sandbox's ptys, not the host's. Best effort: without it only
	// the inherited terminal works.
	_ = unix.Mount("devpts", procPath(pts), "devpts", unix.MS_NOSUID|unix.MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620")
	unix.Close(pts)
	if tmpBytes > 0 {
		shm, err := openIn(devfd, "shm", 0)
		if err != nil {
			return step.Fail("mount", `"/dev/shm"`, err)
		}
		err = unix.Mount("tmpfs", procPath(shm), "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, fmt.Sprintf("mode=1777,size=%d", tmpBytes))
		unix.Close(shm)
		if err != nil {
			return step.Fail("mount", `tmpfs on "/dev/shm"`, err)
		}
	}
	// Nothing can be added to /dev afterwards; the devices, devpts and shm are mounts of their own.
	if err := unix.MountSetattr(devfd, "", unix.AT_EMPTY_PATH, &unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY}); err != nil {
		return step.Fail("mount", `read-only "/dev"`, err)
	}
	return nil
}

// bindDevice binds one host device node over an empty file in the sandbox's /dev.
func bindDevice(devfd int, name string) error {
	host := "/dev/" + name
	src, err := openSource(host)
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENXIO) {
		return nil
	}
	if err != nil {
		return step.Fail("mount", quote(host), explain(err))
	}
	defer unix.Close(src)
	f, err := unix.Openat(devfd, name, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_CLOEXEC, 0o666)
	if err != nil {
		return step.Fail("mount", quote(host), err)
	}
	unix.Close(f)
	dst, err := openIn(devfd, name, 0)
	if err != nil {
		return step.Fail("mount", quote(host), err)
	}
	defer unix.Close(dst)
	tree, err := unix.OpenTree(src, "", unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_EMPTY_PATH)
	if err != nil {
		return step.Fail("mount", quote(host), err)
	}
	defer unix.Close(tree)
	attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_NOSUID | unix.MOUNT_ATTR_NOEXEC}
	if err := unix.MountSetattr(tree, "", unix.AT_EMPTY_PATH, &attr); err != nil {
		return step.Fail("mount", quote(host), err)
	}
	if err := unix.MoveMount(tree, "", dst, "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH); err != nil {
		return step.Fail("mount", quote(host), err)
	}
	return nil
}
