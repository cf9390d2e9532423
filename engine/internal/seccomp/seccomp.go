//go:build linux

// Package seccomp installs the seccomp program from the frame. The engine never parses policy:
// it checks the shape (whole 8-byte sock_filter records) and hands the bytes to the kernel, which
// verifies the program itself.
package seccomp

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/sys/unix"
)

// Decode turns frame bytes into sock_filter records (little-endian: u16 code, u8 jt, u8 jf, u32 k).
func Decode(prog []byte) ([]unix.SockFilter, error) {
	if len(prog) == 0 || len(prog)%8 != 0 || len(prog)/8 > 4096 {
		return nil, fmt.Errorf("program is %d bytes; it must be 1..4096 records of 8 bytes", len(prog))
	}
	out := make([]unix.SockFilter, len(prog)/8)
	for i := range out {
		r := prog[i*8:]
		out[i] = unix.SockFilter{Code: binary.LittleEndian.Uint16(r), Jt: r[2], Jf: r[3], K: binary.LittleEndian.Uint32(r[4:])}
	}
	return out, nil
}

// Available reports whether the kernel has seccomp filters (for probe).
func Available() bool {
	// PR_GET_SECCOMP works everywhere seccomp is built in; filter mode support is checked by
	// asking for an invalid action, which fails with EFAULT (not EINVAL) when filters exist.
	if _, err := unix.PrctlRetInt(unix.PR_GET_SECCOMP, 0, 0, 0, 0); err != nil {
		return false
	}
	_, _, errno := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, 0)
	return errno == unix.EFAULT
}
