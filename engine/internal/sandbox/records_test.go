//go:build linux

package sandbox

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/plan"
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

// A failure PID 1 reports from its prelude names the prelude's step, not the op of the run's plan
// with the same index; the prelude's first mount refused is the sign of powerless user namespaces.
func TestPreludeFailureNamesThePreludesStep(t *testing.T) {
	run := plan.New()
	run.Call(run.Step(plan.Step{Name: "hostname", What: "run's first op"}), unix.SYS_SETHOSTNAME, plan.Lit(0), plan.Lit(0))
	pre := record{Kind: recFailed, Op: 0, Errno: uint32(unix.EPERM), Code: inPrelude}
	if err := failure(run, &pre, nil); err.Step != "mount" || !strings.Contains(err.What, "propagation") {
		t.Errorf("prelude failure = %v, want the prelude's propagation mount", err)
	}
	own := record{Kind: recFailed, Op: 0, Errno: uint32(unix.EPERM)}
	if err := failure(run, &own, nil); err.Step != "hostname" {
		t.Errorf("run failure = %v, want the run's hostname op", err)
	}
	var o outer
	if !o.noUserns(run, &pre) {
		t.Error("the prelude's first mount refused with EPERM is not taken for powerless user namespaces")
	}
	if o.noUserns(run, &own) {
		t.Error("the run's first op refused with EPERM is taken for powerless user namespaces")
	}
}
