//go:build linux

// Package view plans the sandbox's file view: private propagation, a fresh root on tmpfs, binds
// cloned from handles opened without following symlinks (each the inode seen on the host, checked
// again after mounting), masks for hidden paths (existing or not), /proc, a minimal /dev, a private
// /tmp, pivot_root. The engine plans it on the host (Plan) and the sandbox's PID 1 carries it out
// in its fresh user and mount namespaces, where it holds every capability and has none on the
// host (engine/internal/plan). /proc and /dev are the same for every run: PID 1 builds them
// before its plan arrives (Prelude), and the view clones them.
package view

import (
	"errors"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/config"
	"stockade/engine/internal/plan"
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

// entry is one path of the view, with what the host has there.
type entry struct {
	path   string
	kind   kind
	field  string      // "fs.read[2]", for messages
	exists bool        // on the host (system entries: false)
	stat   unix.Stat_t // the host object, opened without following symlinks
	link   string      // the target, when the host object is a symlink
}

// what names the entry in messages: `fs.read[2] "/opt/x"`.
func (e *entry) what() string { return e.field + " " + strconv.Quote(e.path) }

func (e *entry) isDir() bool  { return e.stat.Mode&unix.S_IFMT == unix.S_IFDIR }
func (e *entry) isLink() bool { return e.stat.Mode&unix.S_IFMT == unix.S_IFLNK }

const (
	staging  = "/tmp"       // a private tmpfs over the host's /tmp in the sandbox's mount namespace
	newRoot  = "/tmp/root"  // the sandbox's root, a second tmpfs
	empty    = "/tmp/empty" // the source of file masks
	emptyDir = "/tmp/mask"  // an empty read-only tmpfs, the source of directory masks
	bindRO   = unix.MOUNT_ATTR_RDONLY | unix.MOUNT_ATTR_NOSUID | unix.MOUNT_ATTR_NODEV
	bindRW   = unix.MOUNT_ATTR_NOSUID | unix.MOUNT_ATTR_NODEV
	maskRO   = bindRO | unix.MOUNT_ATTR_NOEXEC
)

// Result tells the caller what the view creates on the host, to remove afterwards.
type Result struct {
	// Placeholders are directories created under writable binds so a hidden path that did not
	// exist cannot be created; outermost first.
	Placeholders []string
}

// Plan adds the ops that build the view of fs and pivot into it to p's current segment, and
// returns what they will create on the host. What it cannot plan (a source that is missing, a
// symlink where a directory must be) is an error now, before anything runs.
func Plan(p *plan.Plan, fs *config.Fs) (*Result, error) {
	entries, err := inspect(fs)
	if err != nil {
		return nil, err
	}
	// PID 1 has run the prelude (Prelude) first: "/" is private, /proc and /dev are the sandbox's.
	b := &builder{p: p, fs: fs, made: map[string]bool{}}
	// Every source is opened (and checked) before the staging tmpfs covers the host's /tmp.
	src := make([]plan.Ref, len(entries))
	for i := range entries {
		if e := &entries[i]; e.exists {
			src[i] = b.openSource(e)
		}
	}
	b.stage()
	for i := range entries {
		if err := b.apply(&entries[i], src[i]); err != nil {
			return nil, err
		}
	}
	b.pivot()
	return &b.res, nil
}

// inspect lists the entries of fs, checks them on the host and orders them so parents are mounted
// before children.
func inspect(fs *config.Fs) ([]entry, error) {
	var entries []entry
	hidden := map[string]bool{}
	add := func(paths []string, k kind, field string) {
		for i, p := range paths {
			if k == kindHide {
				if hidden[p] {
					continue // listed twice (by the caller and the engine's scans): masked once
				}
				hidden[p] = true
			}
			entries = append(entries, entry{path: p, kind: k, field: field + "[" + strconv.Itoa(i) + "]"})
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
		if e.kind == kindSystem {
			continue
		}
		what := e.what()
		if under(e.path, "/proc") || under(e.path, "/dev") {
			return nil, step.Failf("mount", what, "/proc and /dev are made by the engine; remove this path").
				WithHint("the sandbox always gets a fresh /proc and a minimal /dev")
		}
		// lstat only: a symlink in a parent, which openSource refuses when the ops run, is
		// reported then (ELOOP) with the same words.
		if err := unix.Fstatat(unix.AT_FDCWD, e.path, &e.stat, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			if errors.Is(err, unix.ENOENT) && (e.kind == kindHide || e.kind == kindReadOnly) {
				continue // made as a placeholder
			}
			return nil, step.Fail("mount", what, explain(err))
		}
		if e.isLink() {
			var err error
			if e.link, err = readlink(e.path); err != nil {
				return nil, step.Fail("mount", what, err)
			}
		}
		e.exists = true
		if e.kind == kindReadOnly && e.isLink() {
			// Inside a writable bind the link itself could be replaced: only a real directory or
			// file can be made read-only.
			return nil, step.Failf("mount", what, "is a symbolic link; list the path it points to")
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

func readlink(path string) (string, error) {
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlink(path, buf)
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}

// apply plans one entry, its source open in src when it exists on the host.
func (b *builder) apply(e *entry, src plan.Ref) error {
	what := e.what()
	switch {
	case e.kind == kindSystem:
		return b.system(e.path)
	case e.kind == kindHide:
		return b.hide(e, src, what)
	case e.exists && e.isLink():
		return b.symlink(e, src, what)
	case !e.exists: // a readOnly path that does not exist yet: create it empty, then bind it
		dst, err := b.mountpoint(e.path, true, what, nil)
		if err != nil {
			return err
		}
		s := b.p.Step(plan.Step{Name: "mount", What: what})
		st := b.fstat(s, dst)
		b.bind(e, dst, bindRO, what, stCell{st})
		b.close(dst)
		return nil
	}
	attr := uint64(bindRO)
	if e.kind == kindWrite {
		attr = bindRW
	}
	b.bind(e, src, attr, what, host(&e.stat))
	b.close(src)
	return nil
}

// bind plans: clone the tree under src, set attr on every mount in it, mount it at e.path, and
// check that what is mounted there is want.
func (b *builder) bind(e *entry, src plan.Ref, attr uint64, what string, want identity) {
	isDir := !e.exists || e.isDir()
	dst, err := b.mountpoint(e.path, isDir, what, nil)
	if err != nil {
		panic(err) // bind targets exist or are creatable: inspect and the model guarantee it
	}
	p := b.p
	hint := "the engine needs Linux 5.12 or newer (open_tree, mount_setattr)"
	tree := p.Cell()
	p.Call(p.Step(plan.Step{Name: "mount", What: what, Call: "open_tree", Hint: hint}), unix.SYS_OPEN_TREE,
		src.Cell(), p.Str("").Addr(), plan.Lit(unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_EMPTY_PATH|unix.AT_RECURSIVE)).To(tree)
	b.setattr(p.Step(plan.Step{Name: "mount", What: what, Call: "mount_setattr"}), tree, attr, true)
	b.moveMount(p.Step(plan.Step{Name: "mount", What: what, Call: "move_mount"}), tree, dst)
	b.close(tree)
	b.close(dst)
	// A mountpoint in a host directory could be swapped by a host process while the view is
	// built; one in the engine's own tmpfs root cannot.
	hostBelow := b.inHostDir(e.path)
	b.mounted(e.path, e.kind)
	if !hostBelow && e.path != "/" {
		return
	}
	// Resolved again from the top, the path must lead to the object that was opened.
	check := p.Step(plan.Step{Name: "mount", What: what, Call: "check after mounting", Explain: explainCheck})
	var got plan.Ref
	if e.path == "/" { // mounted over the root's own directory: only a path walk sees it
		got = b.open(check, plan.Lit(unix.AT_FDCWD), newRoot, unix.RESOLVE_NO_SYMLINKS)
	} else {
		got = b.openIn(check, b.root, e.path)
	}
	b.same(check, b.fstat(check, got), want)
	b.close(got)
	if e.path == "/" {
		// Something is mounted over the root itself: resolve what follows from the top.
		b.close(b.root)
		b.root = b.open(b.p.Step(plan.Step{Name: "mount", What: quote(newRoot)}), plan.Lit(unix.AT_FDCWD), newRoot, unix.RESOLVE_NO_SYMLINKS)
	}
}

// symlink recreates a listed symlink (e.g. /lib -> usr/lib) inside the view; it resolves there,
// among what the view holds, so it cannot widen the view.
func (b *builder) symlink(e *entry, src plan.Ref, what string) error {
	b.close(src) // opened only to check it is the link read on the host
	dir, base := splitParent(e.path)
	parent, err := b.mountpoint(dir, true, what, nil)
	if err != nil {
		return err
	}
	p := b.p
	p.Call(p.Step(plan.Step{Name: "mount", What: what, Call: "symlink"}), unix.SYS_SYMLINKAT,
		p.Str(e.link).Addr(), parent.Cell(), p.Str(base).Addr()).SkipOnErr(uintptr(unix.EEXIST), 0)
	b.close(parent)
	b.made[e.path] = true
	return nil
}

// hide masks a path: an empty read-only tmpfs over a directory, the empty read-only file over
// anything else, and for a path that does not exist a read-only placeholder directory so it cannot
// be created. A path the view does not show, or where the sandbox could not create it, needs no
// mask.
func (b *builder) hide(e *entry, src plan.Ref, what string) error {
	if e.exists {
		b.close(src)
	}
	cover := b.cover(e.path)
	switch {
	case cover == nil || cover.kind == kindSystem || cover.kind == kindHide:
		return nil // not in a bind: nothing of the host shows there
	case !e.exists && cover.kind != kindWrite && cover.path != e.path:
		return nil // where the sandbox cannot write it cannot create the path either
	}
	if e.exists && !e.isDir() {
		dst := b.openIn(b.p.Step(plan.Step{Name: "mount", What: what, Explain: explainErrno}), b.root, e.path)
		b.mask(dst, b.empty, what)
		b.close(dst)
		b.mounted(e.path, kindHide)
		return nil
	}
	var created []string
	dst, err := b.mountpoint(e.path, true, what, &created)
	if err != nil {
		return err
	}
	b.res.Placeholders = append(b.res.Placeholders, created...)
	b.mask(dst, b.emptyDir, what)
	b.close(dst)
	b.mounted(e.path, kindHide)
	return nil
}

// pivot makes the new root the process's root, detaches the host's tree and makes the root
// tmpfs itself read-only, so nothing can be created beside the binds.
func (b *builder) pivot() {
	p := b.p
	b.close(b.root)
	s := p.Step(plan.Step{Name: "pivot_root", What: quote(newRoot)})
	p.Call(s, unix.SYS_CHDIR, p.Str(newRoot).Addr())
	dot := p.Str(".")
	p.Call(s, unix.SYS_PIVOT_ROOT, dot.Addr(), dot.Addr())
	p.Call(p.Step(plan.Step{Name: "pivot_root", What: "detach old root"}), unix.SYS_UMOUNT2, dot.Addr(), plan.Lit(unix.MNT_DETACH))
	p.Call(p.Step(plan.Step{Name: "pivot_root", What: `chdir "/"`}), unix.SYS_CHDIR, p.Str("/").Addr())
	b.setattrPath(p.Step(plan.Step{Name: "mount", What: `read-only "/"`}), "/", unix.MOUNT_ATTR_RDONLY)
}

// under reports whether p is base or beneath it.
func under(p, base string) bool {
	return base == "/" || p == base || strings.HasPrefix(p, base+"/")
}

func underAny(p string, bases []string) bool {
	for _, b := range bases {
		if under(p, b) {
			return true
		}
	}
	return false
}

func splitParent(p string) (string, string) {
	i := strings.LastIndex(p, "/")
	if i == 0 {
		return "/", p[1:]
	}
	return p[:i], p[i+1:]
}

func quote(s string) string { return strconv.Quote(s) }
