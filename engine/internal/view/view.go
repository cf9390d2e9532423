//go:build linux

// Package view builds the sandbox's file view inside a fresh mount namespace: private propagation,
// a fresh root on tmpfs, binds cloned from handles opened without following symlinks (checked
// again after mounting), masks for hidden paths (existing or not), /proc, a minimal /dev, a
// private /tmp, pivot_root. It runs in the sandbox's PID 1, which holds all capabilities in the
// new user namespace and none on the host.
package view

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/config"
	"stockade/engine/internal/step"
)

// kind orders what happens at one path; a later kind at the same path wins.
type kind int

const (
	kindSystem   kind = iota // /proc, /dev, /tmp made by the engine
	kindRead                 // fs.read: read-only, submounts too
	kindWrite                // fs.write
	kindReadOnly             // fs.readOnly: read-only again inside a writable bind
	kindSocket               // fs.sockets: an allowed socket file
	kindHide                 // fs.hide and host sockets found under allowed paths
)

type entry struct {
	path  string
	kind  kind
	field string // "fs.read[2]", for messages
	src   int    // O_PATH handle on the host object, -1 when missing or not a bind
	stat  unix.Stat_t
}

const (
	staging = "/tmp"       // a private tmpfs over the host's /tmp in our mount namespace
	newRoot = "/tmp/root"  // the sandbox's root, a second tmpfs
	empty   = "/tmp/empty" // the source of file masks
	bindRO  = unix.MOUNT_ATTR_RDONLY | unix.MOUNT_ATTR_NOSUID | unix.MOUNT_ATTR_NODEV
	bindRW  = unix.MOUNT_ATTR_NOSUID | unix.MOUNT_ATTR_NODEV
)

// Result tells the caller what the view created on the host, to remove afterwards.
type Result struct {
	// Placeholders are directories created under writable binds so a hidden path that did not
	// exist cannot be created; outermost first.
	Placeholders []string
}

// Build makes the view and pivots into it. On return the process's root is the sandbox's root.
func Build(fs *config.Fs) (*Result, error) {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return nil, step.Fail("mount", `propagation of "/"`, err)
	}
	entries, err := plan(fs)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, e := range entries {
			if e.src >= 0 {
				unix.Close(e.src)
			}
		}
	}()
	// Sources are open, so the staging tmpfs may now shadow the host's /tmp.
	rootfd, err := stage()
	if err != nil {
		return nil, err
	}
	defer func() { unix.Close(rootfd) }()
	res := &Result{}
	for i := range entries {
		if err := apply(rootfd, &entries[i], fs, res); err != nil {
			return nil, err
		}
		if entries[i].path == "/" {
			// Something is now mounted over the root itself: resolve what follows from the top.
			unix.Close(rootfd)
			if rootfd, err = unix.Open(newRoot, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0); err != nil {
				return nil, step.Fail("mount", quote(newRoot), err)
			}
		}
	}
	return res, pivot()
}

// plan opens every source and orders the work so parents are mounted before children.
func plan(fs *config.Fs) ([]entry, error) {
	var entries []entry
	add := func(paths []string, k kind, field string) {
		for i, p := range paths {
			entries = append(entries, entry{path: p, kind: k, field: fmt.Sprintf("%s[%d]", field, i), src: -1})
		}
	}
	add(fs.Read, kindRead, "fs.read")
	add(fs.Write, kindWrite, "fs.write")
	add(fs.ReadOnly, kindReadOnly, "fs.readOnly")
	add(fs.Sockets, kindSocket, "fs.sockets")
	add(fs.Hide, kindHide, "fs.hide")
	add([]string{"/proc", "/dev"}, kindSystem, "engine")
	if fs.TmpBytes > 0 {
		add([]string{"/tmp"}, kindSystem, "engine")
	}
	for i := range entries {
		e := &entries[i]
		if e.kind != kindSystem && (under(e.path, "/proc") || under(e.path, "/dev")) {
			return nil, step.Failf("mount", fmt.Sprintf("%s %q", e.field, e.path), "/proc and /dev are made by the engine; remove this path").
				WithHint("the sandbox always gets a fresh /proc and a minimal /dev")
		}
		if e.kind == kindSystem {
			continue
		}
		fd, err := openSource(e.path)
		if err != nil {
			if errors.Is(err, unix.ENOENT) && (e.kind == kindHide || e.kind == kindReadOnly) {
				continue // made as a placeholder later
			}
			return nil, step.Fail("mount", fmt.Sprintf("%s %q", e.field, e.path), explain(err))
		}
		e.src = fd
		if err := unix.Fstat(fd, &e.stat); err != nil {
			return nil, step.Fail("mount", fmt.Sprintf("%s %q", e.field, e.path), err)
		}
		if e.kind == kindReadOnly && e.stat.Mode&unix.S_IFMT == unix.S_IFLNK {
			// Inside a writable bind the link itself could be replaced: only a real directory or
			// file can be made read-only.
			return nil, step.Failf("mount", fmt.Sprintf("%s %q", e.field, e.path), "is a symbolic link; list the path it points to")
		}
	}
	sort.SliceStable(entries, func(a, b int) bool {
		if entries[a].path != entries[b].path {
			return entries[a].path < entries[b].path
		}
		return entries[a].kind < entries[b].kind
	})
	return entries, nil
}

// under reports whether p is base or beneath it.
func under(p, base string) bool {
	return p == base || strings.HasPrefix(p, base+"/")
}

func underAny(p string, bases []string) bool {
	for _, b := range bases {
		if under(p, b) {
			return true
		}
	}
	return false
}

// stage mounts the staging tmpfs and the new root tmpfs and returns a handle on the new root.
func stage() (int, error) {
	if err := unix.Mount("tmpfs", staging, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=0700,size=64k"); err != nil {
		return -1, step.Fail("mount", "staging tmpfs on "+quote(staging), err)
	}
	if err := unix.Mkdir(newRoot, 0o755); err != nil {
		return -1, step.Fail("mount", quote(newRoot), err)
	}
	if err := unix.Mount("tmpfs", newRoot, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=0755"); err != nil {
		return -1, step.Fail("mount", "root tmpfs", err)
	}
	f, err := unix.Open(empty, unix.O_CREAT|unix.O_EXCL|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, step.Fail("mount", quote(empty), err)
	}
	unix.Close(f)
	fd, err := unix.Open(newRoot, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, step.Fail("mount", quote(newRoot), err)
	}
	return fd, nil
}

func quote(s string) string { return fmt.Sprintf("%q", s) }

// apply does the work for one entry.
func apply(rootfd int, e *entry, fs *config.Fs, res *Result) error {
	what := fmt.Sprintf("%s %q", e.field, e.path)
	switch {
	case e.kind == kindSystem:
		return system(rootfd, e.path, fs.TmpBytes)
	case e.kind == kindHide:
		return hide(rootfd, e, what, fs, res)
	case e.src >= 0 && e.stat.Mode&unix.S_IFMT == unix.S_IFLNK:
		return symlink(rootfd, e, what)
	case e.src < 0: // a readOnly path that does not exist yet: create it empty, then bind it
		dst, _, err := mountpoint(rootfd, e.path, true)
		if err != nil {
			return step.Fail("mount", what, err)
		}
		e.src = dst
		if err := unix.Fstat(dst, &e.stat); err != nil {
			return step.Fail("mount", what, err)
		}
	}
	attr := uint64(bindRO)
	if e.kind == kindWrite {
		attr = bindRW
	}
	return bind(rootfd, e, attr, what)
}

// bind clones the tree under e.src, sets attr on every mount in it and mounts it at e.path,
// then checks that what is mounted there is the object that was opened.
func bind(rootfd int, e *entry, attr uint64, what string) error {
	isDir := e.stat.Mode&unix.S_IFMT == unix.S_IFDIR
	dst, _, err := mountpoint(rootfd, e.path, isDir)
	if err != nil {
		return step.Fail("mount", what, err)
	}
	defer unix.Close(dst)
	tree, err := unix.OpenTree(e.src, "", unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_EMPTY_PATH|unix.AT_RECURSIVE)
	if err != nil {
		return step.Fail("mount", what, fmt.Errorf("open_tree: %w", err)).WithHint("the engine needs Linux 5.12 or newer (open_tree, mount_setattr)")
	}
	defer unix.Close(tree)
	if err := unix.MountSetattr(tree, "", unix.AT_EMPTY_PATH|unix.AT_RECURSIVE, &unix.MountAttr{Attr_set: attr}); err != nil {
		return step.Fail("mount", what, fmt.Errorf("mount_setattr: %w", err))
	}
	if err := unix.MoveMount(tree, "", dst, "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH); err != nil {
		return step.Fail("mount", what, fmt.Errorf("move_mount: %w", err))
	}
	return verify(rootfd, e.path, &e.stat, what)
}

// verify re-resolves path in the view and requires the inode that was opened before mounting.
func verify(rootfd int, path string, want *unix.Stat_t, what string) error {
	var fd int
	var err error
	if path == "/" { // mounted over the handle's own directory: only a path walk sees it
		fd, err = unix.Open(newRoot, unix.O_PATH|unix.O_CLOEXEC, 0)
	} else {
		fd, err = openIn(rootfd, strings.TrimPrefix(path, "/"), 0)
	}
	if err != nil {
		return step.Fail("mount", what, fmt.Errorf("check after mounting: %w", explain(err)))
	}
	defer unix.Close(fd)
	var got unix.Stat_t
	if err := unix.Fstat(fd, &got); err != nil {
		return step.Fail("mount", what, err)
	}
	if !sameFile(&got, want) {
		return step.Failf("mount", what, "the mounted object is not the one that was opened (was it swapped?)")
	}
	return nil
}

// symlink recreates a listed symlink (e.g. /lib -> usr/lib) inside the view; it resolves there,
// among what the view holds, so it cannot widen the view.
func symlink(rootfd int, e *entry, what string) error {
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlinkat(e.src, "", buf)
	if err != nil {
		return step.Fail("mount", what, err)
	}
	dir, base := splitParent(e.path)
	parent, _, err := mountpoint(rootfd, dir, true)
	if err != nil {
		return step.Fail("mount", what, err)
	}
	defer unix.Close(parent)
	if err := unix.Symlinkat(string(buf[:n]), parent, base); err != nil && !errors.Is(err, unix.EEXIST) {
		return step.Fail("mount", what, err)
	}
	return nil
}

func splitParent(p string) (string, string) {
	i := strings.LastIndex(p, "/")
	if i == 0 {
		return "/", p[1:]
	}
	return p[:i], p[i+1:]
}

// hide masks a path: an empty read-only tmpfs over a directory, the empty read-only file over
// anything else, and for a path that does not exist a read-only placeholder directory so it cannot
// be created (where its parent is read-only or outside the view it cannot be created anyway).
func hide(rootfd int, e *entry, what string, fs *config.Fs, res *Result) error {
	if e.src < 0 {
		dst, created, err := mountpoint(rootfd, e.path, true)
		if errors.Is(err, unix.EROFS) || errors.Is(err, unix.ENOENT) {
			return nil
		}
		if err != nil {
			return step.Fail("mount", what, err)
		}
		defer unix.Close(dst)
		for _, dir := range created {
			if underAny(dir, fs.Write) { // on the host, through a writable bind: remove it afterwards
				res.Placeholders = append(res.Placeholders, dir)
			}
		}
		return maskDir(dst, what)
	}
	if e.stat.Mode&unix.S_IFMT == unix.S_IFDIR {
		dst, _, err := mountpoint(rootfd, e.path, true)
		if errors.Is(err, unix.ENOENT) {
			return nil // not inside any bind: invisible already
		}
		if err != nil {
			return step.Fail("mount", what, err)
		}
		defer unix.Close(dst)
		return maskDir(dst, what)
	}
	dst, err := openIn(rootfd, strings.TrimPrefix(e.path, "/"), 0)
	if errors.Is(err, unix.ENOENT) {
		return nil
	}
	if err != nil {
		return step.Fail("mount", what, explain(err))
	}
	defer unix.Close(dst)
	return maskFile(dst, what)
}

func maskDir(dst int, what string) error {
	if err := unix.Mount("tmpfs", procPath(dst), "tmpfs", unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "size=4k,mode=0755"); err != nil {
		return step.Fail("mount", what, fmt.Errorf("mask: %w", err))
	}
	return nil
}

func maskFile(dst int, what string) error {
	src, err := unix.Open(empty, unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		return step.Fail("mount", what, err)
	}
	defer unix.Close(src)
	tree, err := unix.OpenTree(src, "", unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_EMPTY_PATH)
	if err != nil {
		return step.Fail("mount", what, fmt.Errorf("mask: open_tree: %w", err))
	}
	defer unix.Close(tree)
	if err := unix.MountSetattr(tree, "", unix.AT_EMPTY_PATH, &unix.MountAttr{Attr_set: bindRO | unix.MOUNT_ATTR_NOEXEC}); err != nil {
		return step.Fail("mount", what, fmt.Errorf("mask: mount_setattr: %w", err))
	}
	if err := unix.MoveMount(tree, "", dst, "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH); err != nil {
		return step.Fail("mount", what, fmt.Errorf("mask: move_mount: %w", err))
	}
	return nil
}

// pivot makes the new root the process's root, detaches the host's tree and makes the root
// tmpfs itself read-only, so nothing can be created beside the binds.
func pivot() error {
	if err := unix.Chdir(newRoot); err != nil {
		return step.Fail("pivot_root", quote(newRoot), err)
	}
	if err := unix.PivotRoot(".", "."); err != nil {
		return step.Fail("pivot_root", quote(newRoot), err)
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return step.Fail("pivot_root", "detach old root", err)
	}
	if err := unix.Chdir("/"); err != nil {
		return step.Fail("pivot_root", `chdir "/"`, err)
	}
	if err := unix.MountSetattr(unix.AT_FDCWD, "/", 0, &unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY}); err != nil {
		return step.Fail("mount", `read-only "/"`, err)
	}
	return nil
}
