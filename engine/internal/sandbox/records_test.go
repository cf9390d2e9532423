//go:build linux

package sandbox

import (
	"bytes"
	"testing"

	"golang.org/x/sys/unix"
)

// The control message PID 1, the zygote and the plan's listener op lay out by hand is the kernel's
// SCM_RIGHTS message for one descriptor.
func TestRightsOobIsOneDescriptorsControlMessage(t *testing.T) {
	var o rightsOob
	o.init()
	o.setFd(1234)
	if want := unix.UnixRights(1234); !bytes.Equal(o[:], want) {
		t.Fatalf("rightsOob % x, want % x", o[:], want)
	}
}
