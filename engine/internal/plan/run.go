//go:build linux

package plan

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// Run carries out the ops of segment s in order. It returns -1 when all of them ran (an
// OpExecvp that succeeds does not return at all), else the index of the op that failed and its
// errno. It is the only code a forked child runs: raw system calls, nothing allocated, no stack
// growth (nosplit throughout), no pointer written to Go's heap.
//
//go:nosplit
//go:norace
func (m *Mapped) Run(s Segment) (failed int, errno uint64) {
	from, to := uintptr(m.seg[s][0]), uintptr(m.seg[s][1])
	for i := from; i < to; i++ {
		op := (*Op)(at(m.ops + i*opSize))
		var a [6]uintptr
		for j := 0; j < 6; j++ {
			switch op.Kind[j] {
			case argLit:
				a[j] = uintptr(op.Arg[j])
			case argAddr:
				a[j] = m.arena + uintptr(op.Arg[j])
			default:
				a[j] = uintptr(*(*uint64)(at(m.arena + uintptr(op.Arg[j]))))
			}
		}
		var r, e uintptr
		switch op.Nr {
		case OpEqual:
			if a[0] != a[1] {
				e = ErrMismatch
			}
		case OpExecvp:
			e = execvp(a[0], a[1], a[2])
		default:
			var en syscall.Errno
			r, _, en = syscall.RawSyscall6(uintptr(op.Nr), a[0], a[1], a[2], a[3], a[4], a[5])
			e = uintptr(en)
		}
		if e != 0 {
			if op.Flags&FlagSkipErr != 0 && (op.Errno == 0 || uintptr(op.Errno) == e) {
				i += uintptr(op.SkipErr)
				continue
			}
			return int(i), uint64(e)
		}
		if op.Out != 0 {
			cell := m.arena + uintptr(op.Out-1)
			if op.Flags&FlagOut4 != 0 {
				*(*int32)(at(cell)) = int32(r)
			} else {
				*(*uint64)(at(cell)) = uint64(r)
			}
		}
		if op.Flags&FlagSkipOK != 0 {
			i += uintptr(op.SkipOK)
		}
	}
	return -1, 0
}

// execvp tries execve on each path of the 0-terminated array at paths, as a shell looks a
// command up in PATH, and returns only when none ran.
//
//go:nosplit
//go:norace
func execvp(paths, argv, envp uintptr) uintptr {
	first := uintptr(0)
	for p := paths; ; p += 8 {
		path := uintptr(*(*uint64)(at(p)))
		if path == 0 {
			break
		}
		_, _, e := syscall.RawSyscall6(unix.SYS_EXECVE, path, argv, envp, 0, 0, 0)
		if e != unix.ENOENT && e != unix.ENOTDIR && first == 0 {
			first = uintptr(e)
		}
	}
	if first == 0 {
		return uintptr(unix.ENOENT)
	}
	return first
}
