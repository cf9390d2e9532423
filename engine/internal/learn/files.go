//go:build linux

package learn

import (
	"sort"
	"sync"
)

// Access is what a call does to the path it names.
type Access string

const (
	AccessRead   Access = "read"
	AccessWrite  Access = "write"  // an existing file's content or metadata
	AccessCreate Access = "create" // a new name in a directory
	AccessDelete Access = "delete" // a name removed from a directory
	AccessExec   Access = "exec"
)

// pathArg is one path argument of a call: the index of the path pointer, of its directory fd
// (-1: relative to the cwd) and what the call does to it. Open calls decide their access from
// their flags (open: true).
type pathArg struct {
	path, dirfd int
	access      Access
	open        bool
	// exclusive: the call fails with EEXIST when the name exists (mkdir, mknod, symlink, link),
	// so an existing name needs no rule (npm's `mkdir -p` of the project must not grant its parent).
	exclusive bool
}

// fileCall is a system call whose path arguments learn mode records. Not the stat family:
// those are the most frequent calls of all, and a path that is only looked at needs no rule.
type fileCall struct {
	nr    uint32
	name  string
	paths []pathArg
	// flagsArg is the argument holding open(2) flags (-1: none); openat2 passes a struct
	// open_how whose first field is the flags (howArg).
	flagsArg, howArg int
}

// Common shapes, shared by the per-architecture tables.
func at(dirfd, path int, a Access) pathArg { return pathArg{path: path, dirfd: dirfd, access: a} }
func cwd(path int, a Access) pathArg       { return pathArg{path: path, dirfd: -1, access: a} }

// newName is a name the call creates and fails on when it exists.
func newName(p pathArg) pathArg { p.exclusive = true; return p }

func call(nr uintptr, name string, paths ...pathArg) fileCall {
	return fileCall{nr: uint32(nr), name: name, paths: paths, flagsArg: -1, howArg: -1}
}

func openCall(nr uintptr, name string, dirfd, path, flags, how int) fileCall {
	return fileCall{nr: uint32(nr), name: name, paths: []pathArg{{path: path, dirfd: dirfd, open: true}}, flagsArg: flags, howArg: how}
}

// fileCallTable maps the native numbers to their calls. Made on first use, not at every engine
// start: only supervised runs need it.
var fileCallTable = sync.OnceValue(func() map[uint32]fileCall {
	m := map[uint32]fileCall{}
	for _, c := range nativeFileCalls() {
		m[c.nr] = c
	}
	return m
})

// fileCallNumbers lists the native file calls' numbers, sorted (the learn prefix).
func fileCallNumbers() []uint32 {
	table := fileCallTable()
	out := make([]uint32, 0, len(table))
	for nr := range table {
		out = append(out, nr)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// commonFileCalls are the calls every architecture has (the *at family).
func commonFileCalls(nr map[string]uintptr) []fileCall {
	return []fileCall{
		openCall(nr["openat"], "openat", 0, 1, 2, -1),
		openCall(nr["openat2"], "openat2", 0, 1, -1, 2),
		call(nr["execve"], "execve", cwd(0, AccessExec)),
		call(nr["execveat"], "execveat", at(0, 1, AccessExec)),
		call(nr["mkdirat"], "mkdirat", newName(at(0, 1, AccessCreate))),
		call(nr["mknodat"], "mknodat", newName(at(0, 1, AccessCreate))),
		call(nr["unlinkat"], "unlinkat", at(0, 1, AccessDelete)),
		call(nr["renameat2"], "renameat2", at(0, 1, AccessDelete), at(2, 3, AccessCreate)),
		call(nr["linkat"], "linkat", at(0, 1, AccessRead), newName(at(2, 3, AccessCreate))),
		call(nr["symlinkat"], "symlinkat", newName(at(1, 2, AccessCreate))),
		call(nr["truncate"], "truncate", cwd(0, AccessWrite)),
		call(nr["fchmodat"], "fchmodat", at(0, 1, AccessWrite)),
		call(nr["fchmodat2"], "fchmodat2", at(0, 1, AccessWrite)),
		call(nr["fchownat"], "fchownat", at(0, 1, AccessWrite)),
	}
}
