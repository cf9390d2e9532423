//go:build linux

package view

import (
	"fmt"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/plan"
)

// Devices bound from the host into the minimal /dev.
var devices = []string{"null", "zero", "full", "random", "urandom", "tty"}

// /proc paths made read-only or masked, as runc does: writing them (or reading them) reaches the
// host kernel. A root caller's sandbox runs as uid 0, which owns these files, so DAC alone does not
// stop it; /proc/sysrq-trigger for instance checks no capability.
var (
	procReadOnly   = []string{"sys", "sysrq-trigger", "irq", "bus", "fs"}
	procMaskedDirs = []string{"acpi", "scsi"}
	procMasked     = []string{"kcore", "keys", "timer_list", "latency_stats", "sched_debug", "kallsyms"}
)

// Prelude plans what PID 1 builds while it waits for its plan: the sandbox's /proc and /dev,
// mounted over the host's in PID 1's own mount namespace (no source can be there: a policy may not
// list a path under them). It depends on nothing a run asks for, so it is planned once per engine
// and off every run's path; the view clones both trees into the new root (system).
func Prelude(p *plan.Plan) {
	b := &builder{p: p, made: map[string]bool{}}
	s := p.Step(plan.Step{Name: "mount", What: `propagation of "/"`})
	p.Call(s, unix.SYS_MOUNT, plan.Lit(0), p.Str("/").Addr(), plan.Lit(0), plan.Lit(unix.MS_REC|unix.MS_PRIVATE), plan.Lit(0))
	b.root = b.open(p.Step(plan.Step{Name: "mount", What: `"/"`, Explain: explainErrno}), plan.Lit(unix.AT_FDCWD), "/", noSymlinks)
	dev := b.dev()
	// The masks in /proc need an empty file and an empty directory: a small tmpfs on /dev/shm
	// holds them until /proc is done, then goes (the masks keep what they were cloned from).
	shm := b.openIn(p.Step(plan.Step{Name: "mount", What: `"/dev/shm"`}), dev, "shm")
	s = p.Step(plan.Step{Name: "mount", What: "masks for /proc"})
	b.mount(s, shm, "tmpfs", unix.MOUNT_ATTR_NOSUID|unix.MOUNT_ATTR_NODEV|unix.MOUNT_ATTR_NOEXEC, "mode", "0755", "size", "4k")
	b.close(shm)
	b.empty = b.emptyFile(s, dev.Cell(), "shm/empty", noSymlinks|unix.RESOLVE_BENEATH)
	p.Call(s, unix.SYS_MKDIRAT, dev.Cell(), p.Str("shm/mask").Addr(), plan.Lit(0o755))
	b.emptyDir = b.openIn(s, dev, "shm/mask")
	b.proc()
	b.close(b.empty)
	b.close(b.emptyDir)
	p.Call(s, unix.SYS_UMOUNT2, p.Str("/dev/shm").Addr(), plan.Lit(unix.MNT_DETACH))
	// Nothing can be added to /dev afterwards; the devices, devpts and shm are mounts of their own.
	b.setattr(p.Step(plan.Step{Name: "mount", What: `read-only "/dev"`}), dev, unix.MOUNT_ATTR_RDONLY, false)
	b.close(dev)
	b.close(b.root)
}

// system plans the engine's own mounts: /proc and /dev cloned from PID 1's prelude, and /tmp.
func (b *builder) system(path string) error {
	dst, err := b.mountpoint(path, true, quote(path), nil)
	if err != nil {
		return err
	}
	p := b.p
	if path == "/tmp" {
		b.mount(p.Step(plan.Step{Name: "mount", What: `tmpfs on "/tmp"`}), dst, "tmpfs", unix.MOUNT_ATTR_NOSUID|unix.MOUNT_ATTR_NODEV,
			"mode", "1777", "size", fmt.Sprint(b.fs.TmpBytes))
	} else {
		// Every mount of the tree comes along with its attributes: the masks and read-only
		// files of /proc, the devices, devpts and read-only root of /dev.
		s := p.Step(plan.Step{Name: "mount", What: quote(path)})
		tree := p.Cell()
		p.Call(s, unix.SYS_OPEN_TREE, plan.Lit(unix.AT_FDCWD), p.Str(path).Addr(), plan.Lit(unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_RECURSIVE|unix.AT_SYMLINK_NOFOLLOW)).To(tree)
		b.moveMount(s, tree, dst)
		b.close(tree)
	}
	if path == "/dev" && b.fs.TmpBytes > 0 {
		shm := b.openIn(p.Step(plan.Step{Name: "mount", What: `"/dev/shm"`}), b.root, "/dev/shm")
		b.mount(p.Step(plan.Step{Name: "mount", What: `tmpfs on "/dev/shm"`}), shm, "tmpfs", unix.MOUNT_ATTR_NOSUID|unix.MOUNT_ATTR_NODEV,
			"mode", "1777", "size", fmt.Sprint(b.fs.TmpBytes))
		b.close(shm)
	}
	b.close(dst)
	b.mounted(path, kindSystem)
	return nil
}

// proc plans a procfs of the sandbox's pid namespace over the host's /proc, then protects the
// host-facing files.
func (b *builder) proc() {
	p := b.p
	s := p.Step(plan.Step{Name: "mount", What: `proc on "/proc"`, Hint: "a procfs can only be mounted where the host's /proc is not partly covered (as in some containers)"})
	dst := b.openIn(s, b.root, "/proc")
	fs, mnt := p.Cell(), p.Cell()
	p.Call(s, unix.SYS_FSOPEN, p.Str("proc").Addr(), plan.Lit(unix.FSOPEN_CLOEXEC)).To(fs)
	// hidepid: processes the target may not ptrace are not listed at all, which hides PID 1 (not
	// dumpable) and its command line. "invisible" needs Linux 5.8; 2 is the older spelling.
	b.fsconfig(s, fs, "hidepid", "invisible").SkipOnErr(uintptr(unix.EINVAL), 0).SkipOnOK(1)
	b.fsconfig(s, fs, "hidepid", "2")
	p.Call(s, unix.SYS_FSCONFIG, fs.Cell(), plan.Lit(unix.FSCONFIG_CMD_CREATE), plan.Lit(0), plan.Lit(0), plan.Lit(0))
	p.Call(s, unix.SYS_FSMOUNT, fs.Cell(), plan.Lit(unix.FSMOUNT_CLOEXEC), plan.Lit(unix.MOUNT_ATTR_NOSUID|unix.MOUNT_ATTR_NODEV|unix.MOUNT_ATTR_NOEXEC)).To(mnt)
	b.moveMount(s, mnt, dst)
	b.close(mnt)
	b.close(fs)
	b.close(dst)
	proc := b.openIn(p.Step(plan.Step{Name: "mount", What: `"/proc"`, Explain: explainErrno}), b.root, "/proc")
	// Each name may be missing on this kernel: a missing one skips its group.
	each := func(names []string, protect func(fd plan.Ref, what string)) {
		for _, name := range names {
			what := quote("/proc/" + name)
			mark := p.Mark()
			fd := b.openIn(p.Step(plan.Step{Name: "mount", What: what}), proc, name)
			protect(fd, what)
			b.close(fd)
			p.SkipGroupOnErr(mark, uintptr(unix.ENOENT))
		}
	}
	each(procReadOnly, func(fd plan.Ref, what string) {
		s := p.Step(plan.Step{Name: "mount", What: what})
		tree := p.Cell()
		p.Call(s, unix.SYS_OPEN_TREE, fd.Cell(), p.Str("").Addr(), plan.Lit(unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_EMPTY_PATH|unix.AT_RECURSIVE)).To(tree)
		b.setattr(s, tree, bindRO, true)
		b.moveMount(s, tree, fd)
		b.close(tree)
	})
	each(procMaskedDirs, func(fd plan.Ref, what string) { b.mask(fd, b.emptyDir, what) })
	each(procMasked, func(fd plan.Ref, what string) { b.mask(fd, b.empty, what) })
	b.close(proc)
}

// dev plans a minimal /dev over the host's: a few host devices, a private devpts and the usual
// links, and returns a handle on it (writable still: the prelude finishes it).
func (b *builder) dev() plan.Ref {
	p := b.p
	s := p.Step(plan.Step{Name: "mount", What: `tmpfs on "/dev"`, Explain: explainErrno})
	// The host's devices are opened beneath its /dev, which the tmpfs is about to cover.
	hostDev := b.openIn(s, b.root, "/dev")
	b.mount(s, hostDev, "tmpfs", unix.MOUNT_ATTR_NOSUID|unix.MOUNT_ATTR_NOEXEC, "mode", "0755", "size", "64k")
	dev := b.openIn(p.Step(plan.Step{Name: "mount", What: `"/dev"`, Explain: explainErrno}), b.root, "/dev")
	for _, name := range devices {
		b.device(hostDev, dev, name)
	}
	b.close(hostDev)
	links := [][2]string{{"/proc/self/fd", "fd"}, {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"}, {"pts/ptmx", "ptmx"}}
	for _, l := range links {
		p.Call(p.Step(plan.Step{Name: "mount", What: quote("/dev/" + l[1])}), unix.SYS_SYMLINKAT, p.Str(l[0]).Addr(), dev.Cell(), p.Str(l[1]).Addr())
	}
	for _, d := range []string{"pts", "shm"} {
		p.Call(p.Step(plan.Step{Name: "mount", What: quote("/dev/" + d)}), unix.SYS_MKDIRAT, dev.Cell(), p.Str(d).Addr(), plan.Lit(0o755))
	}
	// A private devpts instance: the sandbox's ptys, not the host's. Best effort: without it only
	// the inherited terminal works.
	pts := b.openIn(p.Step(plan.Step{Name: "mount", What: `"/dev/pts"`}), dev, "pts")
	mark := p.Mark()
	b.mount(p.Step(plan.Step{Name: "mount", What: `devpts on "/dev/pts"`}), pts, "devpts", unix.MOUNT_ATTR_NOSUID|unix.MOUNT_ATTR_NOEXEC,
		"newinstance", "", "ptmxmode", "0666", "mode", "0620")
	p.SoftSince(mark)
	p.SkipGroupOnErr(mark, 0)
	b.close(pts)
	return dev
}

// device plans binding one host device node, opened beneath the host's /dev (hostDev), over an
// empty file in the sandbox's /dev; a device the host does not have is left out (and one gone
// since this was planned: the prelude is planned once per engine).
func (b *builder) device(hostDev, dev plan.Ref, name string) {
	var st unix.Stat_t
	if unix.Lstat("/dev/"+name, &st) != nil {
		return
	}
	p := b.p
	s := p.Step(plan.Step{Name: "mount", What: quote("/dev/" + name), Explain: explainErrno})
	mark := p.Mark()
	src := b.openIn(s, hostDev, name)
	f := p.Cell()
	p.Call(s, unix.SYS_OPENAT, dev.Cell(), p.Str(name).Addr(), plan.Lit(unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_CLOEXEC), plan.Lit(0o666)).To(f)
	b.close(f)
	dst := b.openIn(s, dev, name)
	tree := p.Cell()
	p.Call(s, unix.SYS_OPEN_TREE, src.Cell(), p.Str("").Addr(), plan.Lit(unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_EMPTY_PATH)).To(tree)
	b.setattr(s, tree, unix.MOUNT_ATTR_NOSUID|unix.MOUNT_ATTR_NOEXEC, false)
	b.moveMount(s, tree, dst)
	b.close(tree)
	b.close(dst)
	b.close(src)
	p.SkipGroupOnErr(mark, uintptr(unix.ENOENT))
}
