//go:build linux

package plan

import (
	"encoding/binary"
	"fmt"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The memfd a plan travels in: a header, the ops, the relocations, the arena.
const (
	magic      = 0x4c505453 // "STPL"
	version    = 1
	headerSize = 56
	opSize     = unsafe.Sizeof(Op{})
	maxArena   = 16 << 20
	maxOps     = 1 << 20
)

// header is the memfd's first headerSize bytes (checked at compile time just below).
const _ = uint(headerSize-unsafe.Sizeof(header{})) + uint(unsafe.Sizeof(header{})-headerSize)

type header struct {
	Magic, Version, Ops, Relocs, Arena uint32
	Seg                                [segments][2]uint32
	Export                             [exports]uint32
}

// Errno is a failed op's errno as an error.
func Errno(e uint64) error { return syscall.Errno(e) }

func (p *Plan) layout() (h header, relocsAt, arenaAt, total int) {
	p.seg[p.open][1] = uint32(len(p.Ops))
	h = header{Magic: magic, Version: version, Ops: uint32(len(p.Ops)), Relocs: uint32(len(p.Relocs)), Arena: uint32(len(p.Arena)), Seg: p.seg, Export: p.export}
	relocsAt = headerSize + len(p.Ops)*int(opSize)
	arenaAt = (relocsAt + 4*len(p.Relocs) + 7) &^ 7
	return h, relocsAt, arenaAt, arenaAt + len(p.Arena)
}

// Encode lays the plan out as Map reads it.
func (p *Plan) Encode() ([]byte, error) {
	if len(p.Ops) > maxOps {
		return nil, fmt.Errorf("plan: %d ops, over %d", len(p.Ops), maxOps)
	}
	h, relocsAt, arenaAt, total := p.layout()
	out := make([]byte, total)
	copy(out, unsafe.Slice((*byte)(unsafe.Pointer(&h)), unsafe.Sizeof(h)))
	if len(p.Ops) > 0 {
		copy(out[headerSize:], unsafe.Slice((*byte)(unsafe.Pointer(&p.Ops[0])), len(p.Ops)*int(opSize)))
	}
	for i, r := range p.Relocs {
		binary.NativeEndian.PutUint32(out[relocsAt+4*i:], r)
	}
	copy(out[arenaAt:], p.Arena)
	return out, nil
}

// Seal writes the plan into a new memfd (close-on-exec) for Map.
func (p *Plan) Seal() (int, error) {
	data, err := p.Encode()
	if err != nil {
		return -1, err
	}
	fd, err := unix.MemfdCreate("stockade-plan", unix.MFD_CLOEXEC)
	if err != nil {
		return -1, fmt.Errorf("memfd_create: %w", err)
	}
	for off := 0; off < len(data); {
		n, err := unix.Pwrite(fd, data[off:], int64(off))
		if err != nil {
			unix.Close(fd)
			return -1, fmt.Errorf("memfd write: %w", err)
		}
		off += n
	}
	return fd, nil
}

// Mapped is a plan read into this process's memory by Map, its pointers made addresses.
type Mapped struct {
	ops    uintptr
	nOps   uint32
	arena  uintptr
	seg    [segments][2]uint32
	export [exports]uint32
}

// Export returns the address of export e, nil when the plan has none.
func (m *Mapped) Export(e Export) unsafe.Pointer {
	if m.export[e] == 0 {
		return nil
	}
	return at(m.arena + uintptr(m.export[e]-1))
}

// Map reads the plan in fd into fresh anonymous memory and relocates it. It runs in a forked
// child: raw system calls only, no allocation. It returns 0 or an errno (EINVAL for a plan that
// is not well formed).
//
//go:nosplit
//go:norace
func Map(fd uintptr, m *Mapped) uintptr {
	var h header
	if errno := preadFull(fd, uintptr(unsafe.Pointer(&h)), unsafe.Sizeof(h), 0); errno != 0 {
		return errno
	}
	if h.Magic != magic || h.Version != version || h.Ops > maxOps || h.Arena > maxArena || h.Relocs > maxArena/8 {
		return uintptr(unix.EINVAL)
	}
	relocsAt := headerSize + uintptr(h.Ops)*opSize
	arenaAt := (relocsAt + 4*uintptr(h.Relocs) + 7) &^ 7
	total := arenaAt + uintptr(h.Arena)
	base, _, errno := syscall.RawSyscall6(unix.SYS_MMAP, 0, total, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS, ^uintptr(0), 0)
	if errno != 0 {
		return uintptr(errno)
	}
	if errno := preadFull(fd, base, total, 0); errno != 0 {
		return errno
	}
	m.ops, m.nOps, m.arena, m.seg, m.export = base+headerSize, h.Ops, base+arenaAt, h.Seg, h.Export
	for i := uintptr(0); i < uintptr(h.Relocs); i++ {
		off := uintptr(*(*uint32)(at(base + relocsAt + 4*i)))
		if off+8 > uintptr(h.Arena) {
			return uintptr(unix.EINVAL)
		}
		*(*uint64)(at(m.arena + off)) += uint64(m.arena)
	}
	for s := 0; s < int(segments); s++ {
		if m.seg[s][0] > m.seg[s][1] || m.seg[s][1] > h.Ops {
			return uintptr(unix.EINVAL)
		}
	}
	for e := 0; e < int(exports); e++ {
		if m.export[e] > h.Arena {
			return uintptr(unix.EINVAL)
		}
	}
	return 0
}

//go:nosplit
//go:norace
func preadFull(fd, buf, n, off uintptr) uintptr {
	for done := uintptr(0); done < n; {
		r, _, errno := syscall.RawSyscall6(unix.SYS_PREAD64, fd, buf+done, n-done, off+done, 0, 0)
		if errno == unix.EINTR {
			continue
		}
		if errno != 0 {
			return uintptr(errno)
		}
		if r == 0 {
			return uintptr(unix.EINVAL) // shorter than its header says
		}
		done += r
	}
	return 0
}

// at turns an address of memory the kernel mapped for this process (not Go's heap, which the
// child of a fork must not touch) into a pointer.
//
//go:nosplit
func at(addr uintptr) unsafe.Pointer { return unsafe.Add(unsafe.Pointer(nil), addr) }
