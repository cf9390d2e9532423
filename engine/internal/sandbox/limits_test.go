//go:build linux

package sandbox

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestCPUTimeLimitKills(t *testing.T) {
	c := sh("while :; do :; done")
	c.Limits.CPUSeconds = 1
	c.Limits.WallMs = 20000
	start := time.Now()
	r := run(t, c, nil)
	if r.code != 128+int(syscall.SIGXCPU) && r.code != 128+int(syscall.SIGKILL) {
		t.Fatalf("exit %d after %v", r.code, time.Since(start))
	}
	if e := r.event("exited"); e == nil || e["timedOut"] != false {
		t.Fatalf("the CPU limit, not the wall clock, should end it: %v", r.events)
	}
}

func TestFileSizeLimit(t *testing.T) {
	c := sh("dd if=/dev/zero of=/tmp/big bs=1024 count=4096 2>/dev/null; echo dd=$?; wc -c < /tmp/big")
	c.Limits.FileSizeBytes = 1 << 20
	r := run(t, c, nil)
	if strings.Contains(r.stdout, "dd=0") || strings.Contains(r.stdout, "4194304") {
		t.Fatalf("a 4 MiB file under a 1 MiB limit: %q", r.stdout)
	}
}

func TestOpenFilesLimit(t *testing.T) {
	// The soft and hard limits the target sees, and a raise attempt that must fail.
	c := sh("ulimit -Sn; ulimit -Hn; ulimit -n 64 2>/dev/null && echo raised; true")
	c.Limits.OpenFiles = 8
	r := run(t, c, nil)
	if got := strings.Join(lines(r.stdout), ","); got != "8,8" {
		t.Fatalf("open files limit: %q", r.stdout)
	}
}

func TestSignalsAreForwardedToTheTarget(t *testing.T) {
	c := sh("trap 'echo got-term; exit 7' TERM; echo ready; while :; do sleep 0.05; done")
	out := startEngine(t, c)
	waitFor(t, out, "ready")
	out.cmd.Process.Signal(syscall.SIGTERM)
	out.cmd.Wait()
	if code := out.cmd.ProcessState.ExitCode(); code != 7 || !strings.Contains(out.stdout.String(), "got-term") {
		t.Fatalf("exit %d, stdout %q", code, out.stdout.String())
	}
}

func TestTheSandboxDiesWithItsCaller(t *testing.T) {
	marker := fmt.Sprintf("%d.%d", 2000+os.Getpid()%1000, time.Now().UnixNano()%1000)
	c := sh("sleep " + marker)
	raw := frameFile(t, c)
	// The caller (a shell) starts the engine, then dies by SIGKILL.
	caller := exec.Command("/bin/sh", "-c", fmt.Sprintf("%s run --frame %s & sleep 0.5; kill -9 $$", engineBin, raw))
	caller.Run()
	deadline := time.Now().Add(3 * time.Second)
	for {
		out, _ := exec.Command("pgrep", "-f", "sleep "+marker).Output()
		if len(out) == 0 {
			return
		}
		if time.Now().After(deadline) {
			exec.Command("pkill", "-f", "sleep "+marker).Run()
			t.Fatalf("the sandbox outlived its caller: %s", out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
