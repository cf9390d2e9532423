//go:build linux

package sandbox

import (
	"bytes"
	"errors"
	"fmt"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/config"
	"stockade/engine/internal/frame"
	"stockade/engine/internal/seccomp"
	"stockade/engine/internal/step"
)

// memfdFrame stores a frame in a sealed memfd: each inner stage reads it at offset 0, so one
// buffer serves the whole chain without blocking on a pipe.
func memfdFrame(f *frame.Frame) (int, error) {
	data, err := frame.Encode(f)
	if err != nil {
		return -1, step.Fail("frame", "encode", err)
	}
	fd, err := unix.MemfdCreate("stockade-frame", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return -1, step.Fail("frame", "memfd_create", err)
	}
	for off := 0; off < len(data); {
		n, err := unix.Pwrite(fd, data[off:], int64(off))
		if err != nil {
			unix.Close(fd)
			return -1, step.Fail("frame", "memfd write", err)
		}
		off += n
	}
	// F_SEAL_FUTURE_WRITE, not F_SEAL_WRITE: the memfd was never mapped, so both forbid every
	// write, but F_SEAL_WRITE also waits for extra page references to drop and fails with EBUSY
	// when one lingers (a page just written may sit in another CPU's LRU batch; seen once in a few
	// thousand runs on a loaded host). Kernels before 5.1 lack it: F_SEAL_WRITE there.
	seals := unix.F_SEAL_SEAL | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW
	_, err = unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, seals|unix.F_SEAL_FUTURE_WRITE)
	if errors.Is(err, unix.EINVAL) {
		_, err = unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, seals|unix.F_SEAL_WRITE)
	}
	if err != nil {
		unix.Close(fd)
		return -1, step.Fail("frame", "memfd seal", err)
	}
	return fd, nil
}

// readFrameFd reads the frame an outer stage stored in a memfd, then closes the fd.
func readFrameFd(fd int) (*config.ExecConfig, []unix.SockFilter, error) {
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, nil, step.Fail("frame", fmt.Sprintf("fd %d", fd), err)
	}
	buf := make([]byte, st.Size)
	for off := 0; off < len(buf); {
		n, err := unix.Pread(fd, buf[off:], int64(off))
		if err != nil || n == 0 {
			return nil, nil, step.Failf("frame", fmt.Sprintf("fd %d", fd), "short read: %v", err)
		}
		off += n
	}
	f, err := frame.Read(bytes.NewReader(buf))
	if err != nil {
		return nil, nil, step.Fail("frame", "", err)
	}
	return parseFrame(f)
}

// parseFrame validates the config and the seccomp section of a frame.
func parseFrame(f *frame.Frame) (*config.ExecConfig, []unix.SockFilter, error) {
	c, err := config.Parse(f.Config)
	if err != nil {
		return nil, nil, step.Fail("config", "", err).WithHint("the ExecConfig must match src/engine/config.ts")
	}
	if f.Seccomp == nil {
		return nil, nil, step.Failf("frame", "", `the "seccomp" section is missing; it is required on Linux`)
	}
	filter, err := seccomp.Decode(f.Seccomp)
	if err != nil {
		return nil, nil, step.Fail("frame", `section "seccomp"`, err)
	}
	return c, filter, nil
}
