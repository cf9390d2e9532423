//go:build linux

package netns

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// TestLoopbackUpEnlargesSegments runs LoopbackUp in a child with its own user and network
// namespaces (like the sandbox's PID 1) and reads lo's packet limits back from the kernel.
func TestLoopbackUpEnlargesSegments(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestLoopbackChildHelper$")
	cmd.Env = append(os.Environ(), "NETNS_LOOPBACK_CHILD=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWNET,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
	}
	out, err := cmd.CombinedOutput()
	if err != nil && strings.Contains(err.Error(), "operation not permitted") {
		t.Skipf("cannot create a user and network namespace here: %v", err)
	}
	text := string(out)
	if strings.Contains(text, "no BIG TCP") {
		t.Skipf("this kernel has no BIG TCP for IPv4 (Linux 6.3): %s", text)
	}
	want := fmt.Sprintf("gso=%d gro=%d", BigSegment, BigSegment)
	if err != nil || !strings.Contains(text, want) {
		t.Fatalf("child: %v\n%s\nwant %q", err, text, want)
	}
}

// TestLoopbackChildHelper is the child half of the test above; it does nothing when run normally.
func TestLoopbackChildHelper(t *testing.T) {
	if os.Getenv("NETNS_LOOPBACK_CHILD") != "1" {
		return
	}
	const lo = 1 // the loopback interface is the first in every network namespace
	gso, gro, err := LinkSizes(lo)
	if err != nil {
		t.Fatal(err)
	}
	if gso >= BigSegment || gro >= BigSegment {
		t.Fatalf("a fresh namespace already has gso=%d gro=%d", gso, gro)
	}
	if err := LoopbackUp(); err != nil {
		t.Fatal(err)
	}
	gso, gro, err = LinkSizes(lo)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("gso=%d gro=%d\n", gso, gro)
	if gso != BigSegment {
		// Why LoopbackUp (best effort) did not enlarge them: the parent skips an old kernel.
		if err := EnlargeLoopbackSegments(lo); errors.Is(err, unix.EINVAL) {
			fmt.Println("no BIG TCP:", err)
		} else {
			fmt.Println("enlarging failed:", err)
		}
	}
}
