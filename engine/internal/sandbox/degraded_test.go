//go:build linux

package sandbox

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"stockade/engine/internal/config"
)

// denyUserns is a seccomp program that makes clone and unshare with CLONE_NEWUSER fail with
// EPERM and clone3 with ENOSYS (x86-64), like Docker's default profile: it gives a real host
// without user namespaces, for the engine nested inside.
func denyUserns() []byte {
	const (
		sysClone, sysUnshare, sysClone3 = 56, 272, 435
		cloneNewUser                    = 0x10000000
		retErrno                        = 0x00050000
	)
	return bytes.Join([][]byte{
		bpfInsn(0x20, 0, 0, 0),            // 0: ld nr
		bpfInsn(0x15, 0, 1, sysClone3),    // 1: clone3? → 2 : 3
		bpfInsn(0x06, 0, 0, retErrno|38),  // 2: ENOSYS
		bpfInsn(0x15, 1, 0, sysClone),     // 3: clone? → 5 : 4
		bpfInsn(0x15, 0, 3, sysUnshare),   // 4: unshare? → 5 : 8
		bpfInsn(0x20, 0, 0, 16),           // 5: ld args[0] (low half)
		bpfInsn(0x45, 0, 1, cloneNewUser), // 6: jset NEWUSER → 7 : 8
		bpfInsn(0x06, 0, 0, retErrno|1),   // 7: EPERM
		bpfInsn(0x06, 0, 0, retAllow),     // 8: allow
	}, nil)
}

// nested runs the engine inside a sandbox that refuses user namespaces, with inner as its config.
func nested(t *testing.T, inner func(dir string) []byte) *result {
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	bin, err := os.ReadFile(engineBin)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "stockade-engine"), bin, 0o755)
	os.WriteFile(filepath.Join(dir, "inner.bin"), inner(dir), 0o644)
	c := sh(fmt.Sprintf("%s/stockade-engine run --frame %s/inner.bin 4>&1; echo code=$?", dir, dir))
	c.Fs.Read = append(c.Fs.Read, dir)
	return run(t, c, denyUserns())
}

// innerConfig is the nested engine's run: argv on the host's system directories.
func innerConfig(degrade []string, argv ...string) *config.ExecConfig {
	c := baseConfig(argv...)
	c.Fs.Read = []string{"/usr", "/bin", "/lib", "/lib64"}
	c.Degrade = degrade
	return c
}

func innerFrame(t *testing.T, degrade []string, argv ...string) []byte {
	return encodeFrame(t, innerConfig(degrade, argv...), nil)
}

func TestWithoutUserNamespacesTheEngineRefuses(t *testing.T) {
	r := nested(t, func(string) []byte { return innerFrame(t, []string{}, "/bin/true") })
	expectCode(t, r, 0)
	if !strings.Contains(r.stdout, "code=125") || !strings.Contains(r.stdout, `"step":"userns"`) || !strings.Contains(r.stdout, "degrade") {
		t.Fatalf("no refusal naming user namespaces and the way out: %q %q", r.stdout, r.stderr)
	}
}

func TestDegradedModeWarnsAndKeepsLandlock(t *testing.T) {
	r := nested(t, func(dir string) []byte {
		return innerFrame(t, []string{"namespaces"}, "/bin/sh", "-c", fmt.Sprintf("cat %s/inner.bin >/dev/null 2>&1 || echo denied; echo ran", dir))
	})
	expectCode(t, r, 0)
	if !strings.Contains(r.stdout, `"code":"no-namespaces"`) || !strings.Contains(r.stdout, "pid isolation") {
		t.Fatalf("no warning listing what is absent: %q %q", r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "denied") || !strings.Contains(r.stdout, "ran") || !strings.Contains(r.stdout, "code=0") {
		t.Fatalf("Landlock did not hold on the host view, or the target did not run: %q %q", r.stdout, r.stderr)
	}
}

// Learn mode's supervisor is PID 1: without namespaces there is none, and the run refuses rather
// than run the command unobserved.
func TestDegradedModeRefusesLearnMode(t *testing.T) {
	r := nested(t, func(string) []byte {
		c := innerConfig([]string{"namespaces"}, "/bin/sh", "-c", "echo ran")
		c.Learn = true
		return encodeFrame(t, c, nil)
	})
	expectCode(t, r, 0)
	if !strings.Contains(r.stdout, "code=125") || !strings.Contains(r.stdout, `"step":"learn"`) || strings.Contains(r.stdout, "ran\n") {
		t.Fatalf("learn mode without namespaces ran, or did not say why: %q %q", r.stdout, r.stderr)
	}
}
