//go:build linux

package view

import (
	"errors"
	"fmt"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/config"
	"stockade/engine/internal/plan"
	"stockade/engine/internal/step"
)

// builder writes the view's ops and keeps a model of the view as they build it: what is mounted
// where and what the ops have created, so each decision (does this path exist there, may it be
// created) is taken now, in Go. The ops check what matters for safety again when they run.
type builder struct {
	p        *plan.Plan
	fs       *config.Fs
	root     plan.Ref // cell: an O_PATH handle on the new root
	empty    plan.Ref // cell: an O_PATH handle on the empty file that masks files
	emptyDir plan.Ref // cell: an O_PATH handle on the empty tmpfs that masks directories
	mounts   []mount  // what the ops have mounted so far, in order
	made     map[string]bool
	res      Result
}

type mount struct {
	path string
	kind kind
}

func (b *builder) mounted(path string, k kind) { b.mounts = append(b.mounts, mount{path, k}) }

// cover is the deepest mount at or above path, nil in the bare root tmpfs.
func (b *builder) cover(path string) *mount {
	var best *mount
	for i := range b.mounts {
		m := &b.mounts[i]
		if under(path, m.path) && (best == nil || len(m.path) >= len(best.path)) {
			best = m
		}
	}
	return best
}

// exists says whether path is there in the view when the next op runs.
func (b *builder) exists(path string) bool {
	if path == "/" || b.made[path] {
		return true
	}
	m := b.cover(path)
	switch {
	case m == nil:
		return false
	case m.path == path:
		return true
	case m.kind == kindHide || m.kind == kindSystem:
		return false // an empty mask, or a fresh filesystem
	}
	var st unix.Stat_t
	return unix.Lstat(path, &st) == nil // a bind shows the host
}

// inHostDir says whether path lies in a host directory bound into the view, where a host process
// could change it.
func (b *builder) inHostDir(path string) bool {
	m := b.cover(path)
	return m != nil && m.kind != kindSystem && m.kind != kindHide
}

// creatable says whether a missing path can be created in the view, and whether that creates it
// on the host (through a writable bind).
func (b *builder) creatable(path string) (ok, onHost bool) {
	m := b.cover(path)
	switch {
	case m == nil:
		return true, false // the root tmpfs, writable until the pivot
	case m.kind == kindWrite:
		return true, true
	case m.kind == kindSystem && m.path == "/tmp":
		return true, false
	}
	return false, false
}

// mountpoint plans an O_PATH handle on path in the view, creating what is missing on the way
// (directories, and the last one as a directory or an empty file), and returns the cell that
// holds it. Symlinks anywhere on the way are refused when the ops run. created, when not nil,
// receives the directories the ops create on the host, outermost first.
func (b *builder) mountpoint(path string, dir bool, what string, created *[]string) (plan.Ref, error) {
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if path == "/" {
		parts = nil
	}
	have := 0 // components that exist already
	for have < len(parts) && b.exists("/"+strings.Join(parts[:have+1], "/")) {
		have++
	}
	p := b.p
	s := p.Step(plan.Step{Name: "mount", What: what, Explain: explainErrno})
	cur := b.openIn(s, b.root, "/"+strings.Join(parts[:have], "/"))
	for i := have; i < len(parts); i++ {
		walked := "/" + strings.Join(parts[:i+1], "/")
		ok, onHost := b.creatable(walked)
		if !ok {
			return 0, stepErr(what, fmt.Errorf("%q: %w", walked, unix.EROFS))
		}
		mk := p.Step(plan.Step{Name: "mount", What: what, Call: quote(walked), Explain: explainErrno})
		if i < len(parts)-1 || dir {
			p.Call(mk, unix.SYS_MKDIRAT, cur.Cell(), p.Str(parts[i]).Addr(), plan.Lit(0o755))
			if onHost && created != nil {
				*created = append(*created, walked)
			}
		} else {
			f := p.Cell()
			p.Call(mk, unix.SYS_OPENAT, cur.Cell(), p.Str(parts[i]).Addr(), plan.Lit(unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_CLOEXEC|unix.O_NOFOLLOW), plan.Lit(0o644)).To(f)
			b.close(f)
		}
		b.made[walked] = true
		next := b.openIn(mk, cur, parts[i])
		b.close(cur)
		cur = next
	}
	return cur, nil
}

// noSymlinks refuses every symlink while resolving: a path swapped for a symlink between check
// and use is an error, never followed.
const noSymlinks = unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS

// openSource plans opening a source path in the sandbox's mount namespace without following any
// symlink (a trailing symlink is a handle to the link itself, so the view can recreate it; a
// symlink in a parent is ELOOP), and requires the inode seen on the host: a path swapped in
// between is an error.
func (b *builder) openSource(e *entry) plan.Ref {
	s := b.p.Step(plan.Step{Name: "mount", What: e.what(), Explain: explainErrno})
	fd := b.open(s, plan.Lit(unix.AT_FDCWD), e.path, noSymlinks)
	b.same(s, b.fstat(s, fd), host(&e.stat))
	return fd
}

// open plans openat2(dirfd, path, O_PATH|O_NOFOLLOW) with resolve flags into a new cell.
func (b *builder) open(s uint32, dirfd plan.Arg, path string, resolve uint64) plan.Ref {
	p := b.p
	how := plan.Struct(p, &unix.OpenHow{Flags: unix.O_PATH | unix.O_NOFOLLOW | unix.O_CLOEXEC, Resolve: resolve})
	fd := p.Cell()
	p.Call(s, unix.SYS_OPENAT2, dirfd, p.Str(path).Addr(), how.Addr(), plan.Lit(unix.SizeofOpenHow)).To(fd)
	return fd
}

// openIn plans an O_PATH open of path (absolute in the view, or relative) beneath the directory in
// cell dir, without symlinks.
func (b *builder) openIn(s uint32, dir plan.Ref, path string) plan.Ref {
	rel := strings.TrimPrefix(path, "/")
	if rel == "" {
		rel = "."
	}
	return b.open(s, dir.Cell(), rel, noSymlinks|unix.RESOLVE_BENEATH)
}

func (b *builder) close(fd plan.Ref) {
	b.p.Close(fd)
}

// fstat plans fstat(fd) into a new stat buffer in the arena.
func (b *builder) fstat(s uint32, fd plan.Ref) plan.Ref {
	st := plan.Struct(b.p, &unix.Stat_t{})
	b.p.Call(s, unix.SYS_FSTAT, fd.Cell(), st.Addr())
	return st
}

var (
	devOffset = unsafe.Offsetof(unix.Stat_t{}.Dev)
	inoOffset = unsafe.Offsetof(unix.Stat_t{}.Ino)
)

// identity is the inode an object must be: the host's, known now (hostStat), or one the ops stat
// first (stCell).
type identity interface{ args() (dev, ino plan.Arg) }

type hostStat struct{ dev, ino uint64 }

func host(st *unix.Stat_t) hostStat { return hostStat{st.Dev, st.Ino} }

func (h hostStat) args() (plan.Arg, plan.Arg) { return plan.Lit(h.dev), plan.Lit(h.ino) }

type stCell struct{ st plan.Ref }

func (s stCell) args() (plan.Arg, plan.Arg) {
	return s.st.Add(devOffset).Cell(), s.st.Add(inoOffset).Cell()
}

// same plans the check that the stat buffer st names the object want.
func (b *builder) same(s uint32, st plan.Ref, want identity) {
	dev, ino := want.args()
	b.p.Pseudo(s, plan.OpEqual, st.Add(devOffset).Cell(), dev)
	b.p.Pseudo(s, plan.OpEqual, st.Add(inoOffset).Cell(), ino)
}

// setattr plans mount_setattr on the mount (tree) in cell fd.
func (b *builder) setattr(s uint32, fd plan.Ref, attr uint64, recursive bool) {
	flags := unix.AT_EMPTY_PATH
	if recursive {
		flags |= unix.AT_RECURSIVE
	}
	a := plan.Struct(b.p, &unix.MountAttr{Attr_set: attr})
	b.p.Call(s, unix.SYS_MOUNT_SETATTR, fd.Cell(), b.p.Str("").Addr(), plan.Lit(flags), a.Addr(), plan.Lit(unsafe.Sizeof(unix.MountAttr{})))
}

// setattrPath plans mount_setattr on the mount at path.
func (b *builder) setattrPath(s uint32, path string, attr uint64) {
	a := plan.Struct(b.p, &unix.MountAttr{Attr_set: attr})
	b.p.Call(s, unix.SYS_MOUNT_SETATTR, plan.Lit(unix.AT_FDCWD), b.p.Str(path).Addr(), plan.Lit(0), a.Addr(), plan.Lit(unsafe.Sizeof(unix.MountAttr{})))
}

// moveMount plans moving the detached mount in cell from onto the object in cell to.
func (b *builder) moveMount(s uint32, from, to plan.Ref) {
	e := b.p.Str("")
	b.p.Call(s, unix.SYS_MOVE_MOUNT, from.Cell(), e.Addr(), to.Cell(), e.Addr(), plan.Lit(unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH))
}

// mount plans a new filesystem of type fstype with string options (name, value pairs) mounted
// with attr onto the object in cell dst, through the fd-based mount API (fsopen, fsconfig,
// fsmount, move_mount), which needs no path.
func (b *builder) mount(s uint32, dst plan.Ref, fstype string, attr uint64, opts ...string) {
	p := b.p
	fs, mnt := p.Cell(), p.Cell()
	p.Call(s, unix.SYS_FSOPEN, p.Str(fstype).Addr(), plan.Lit(unix.FSOPEN_CLOEXEC)).To(fs)
	for i := 0; i+1 < len(opts); i += 2 {
		b.fsconfig(s, fs, opts[i], opts[i+1])
	}
	p.Call(s, unix.SYS_FSCONFIG, fs.Cell(), plan.Lit(unix.FSCONFIG_CMD_CREATE), plan.Lit(0), plan.Lit(0), plan.Lit(0))
	p.Call(s, unix.SYS_FSMOUNT, fs.Cell(), plan.Lit(unix.FSMOUNT_CLOEXEC), plan.Lit(attr)).To(mnt)
	b.moveMount(s, mnt, dst)
	b.close(mnt)
	b.close(fs)
}

// fsconfig plans setting one option of the filesystem being made in cell fs; an empty value is
// a flag ("newinstance").
func (b *builder) fsconfig(s uint32, fs plan.Ref, key, value string) *plan.Op {
	p := b.p
	if value == "" {
		return p.Call(s, unix.SYS_FSCONFIG, fs.Cell(), plan.Lit(unix.FSCONFIG_SET_FLAG), p.Str(key).Addr(), plan.Lit(0), plan.Lit(0))
	}
	return p.Call(s, unix.SYS_FSCONFIG, fs.Cell(), plan.Lit(unix.FSCONFIG_SET_STRING), p.Str(key).Addr(), p.Str(value).Addr(), plan.Lit(0))
}

// mask plans binding a clone of src (the empty file, or the empty read-only tmpfs for a
// directory) read-only over the object in cell dst.
func (b *builder) mask(dst, src plan.Ref, what string) {
	p := b.p
	s := p.Step(plan.Step{Name: "mount", What: what, Call: "mask"})
	tree := p.Cell()
	p.Call(s, unix.SYS_OPEN_TREE, src.Cell(), p.Str("").Addr(), plan.Lit(unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_EMPTY_PATH)).To(tree)
	b.setattr(s, tree, maskRO, false)
	b.moveMount(s, tree, dst)
	b.close(tree)
}

// stage plans the staging tmpfs and the new root tmpfs, with handles on the new root and on the
// empty file.
func (b *builder) stage() {
	p := b.p
	tmpfs := p.Str("tmpfs")
	s := p.Step(plan.Step{Name: "mount", What: "staging tmpfs on " + quote(staging)})
	p.Call(s, unix.SYS_MOUNT, tmpfs.Addr(), p.Str(staging).Addr(), tmpfs.Addr(), plan.Lit(unix.MS_NOSUID|unix.MS_NODEV), p.Str("mode=0700,size=64k").Addr())
	s = p.Step(plan.Step{Name: "mount", What: quote(newRoot)})
	p.Call(s, unix.SYS_MKDIRAT, plan.Lit(unix.AT_FDCWD), p.Str(newRoot).Addr(), plan.Lit(0o755))
	s = p.Step(plan.Step{Name: "mount", What: "root tmpfs"})
	p.Call(s, unix.SYS_MOUNT, tmpfs.Addr(), p.Str(newRoot).Addr(), tmpfs.Addr(), plan.Lit(unix.MS_NOSUID|unix.MS_NODEV), p.Str("mode=0755").Addr())
	b.empty = b.emptyFile(p.Step(plan.Step{Name: "mount", What: quote(empty)}), plan.Lit(unix.AT_FDCWD), empty, noSymlinks)
	// One empty read-only tmpfs, cloned for every directory mask: a mount of it costs less than
	// a filesystem of its own each time.
	s = p.Step(plan.Step{Name: "mount", What: quote(emptyDir)})
	p.Call(s, unix.SYS_MKDIRAT, plan.Lit(unix.AT_FDCWD), p.Str(emptyDir).Addr(), plan.Lit(0o755))
	p.Call(s, unix.SYS_MOUNT, tmpfs.Addr(), p.Str(emptyDir).Addr(), tmpfs.Addr(), plan.Lit(unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC), p.Str("size=4k,mode=0755").Addr())
	b.emptyDir = b.open(s, plan.Lit(unix.AT_FDCWD), emptyDir, noSymlinks)
	b.root = b.open(p.Step(plan.Step{Name: "mount", What: quote(newRoot)}), plan.Lit(unix.AT_FDCWD), newRoot, noSymlinks)
}

// emptyFile plans creating path (beneath the directory dir, resolved with resolve) as an empty
// file nobody may open, the source of file masks, and returns an O_PATH handle on it.
func (b *builder) emptyFile(s uint32, dir plan.Arg, path string, resolve uint64) plan.Ref {
	f := b.p.Cell()
	b.p.Call(s, unix.SYS_OPENAT, dir, b.p.Str(path).Addr(), plan.Lit(unix.O_CREAT|unix.O_EXCL|unix.O_RDONLY|unix.O_CLOEXEC), plan.Lit(0)).To(f)
	b.close(f)
	return b.open(s, dir, path, resolve)
}

// explainErrno turns a resolution errno into words that name the fix.
func explainErrno(errno uint64) error {
	switch unix.Errno(errno) {
	case unix.ELOOP:
		return errors.New("a parent is a symbolic link; list the real path")
	case unix.ENOENT:
		return errors.New("no such file or directory")
	case unix.EXDEV:
		return errors.New("escapes the new root")
	}
	return plan.Errno(errno)
}

// explain is explainErrno for an error of the engine's own calls.
func explain(err error) error {
	var errno unix.Errno
	if errors.As(err, &errno) {
		return explainErrno(uint64(errno))
	}
	return err
}

func explainCheck(errno uint64) error {
	if errno == plan.ErrMismatch {
		return errors.New("the mounted object is not the one that was opened (was it swapped?)")
	}
	return explainErrno(errno)
}

func stepErr(what string, err error) error { return step.Fail("mount", what, err) }
