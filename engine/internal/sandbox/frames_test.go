//go:build linux

package sandbox

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/frame"
)

// The frame every stage reads is sealed: no write, truncation or growth gets through any fd.
func TestFrameMemfdIsSealed(t *testing.T) {
	fd, err := memfdFrame(&frame.Frame{Config: []byte(`{"version":1}`), Seccomp: allowAll()})
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if _, err := unix.Pwrite(fd, []byte("x"), 0); !errors.Is(err, unix.EPERM) {
		t.Errorf("write to the frame: %v, want EPERM", err)
	}
	if err := unix.Ftruncate(fd, 1); !errors.Is(err, unix.EPERM) {
		t.Errorf("truncate the frame: %v, want EPERM", err)
	}
	if _, err := unix.Pwrite(fd, []byte("x"), 1<<20); !errors.Is(err, unix.EPERM) {
		t.Errorf("grow the frame: %v, want EPERM", err)
	}
	if _, err := unix.Mmap(fd, 0, 1, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED); !errors.Is(err, unix.EPERM) {
		t.Errorf("writable shared mapping of the frame: %v, want EPERM", err)
	}
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, 0); !errors.Is(err, unix.EPERM) {
		t.Errorf("changing the seals: %v, want EPERM", err)
	}
}
