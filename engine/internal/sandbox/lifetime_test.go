//go:build linux

package sandbox

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// processesRunning returns the pids whose command line has arg as one of its arguments.
func processesRunning(arg string) []string {
	var pids []string
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		cmdline, err := os.ReadFile(d + "/cmdline")
		if err == nil && bytes.Contains(append([]byte{0}, cmdline...), []byte("\x00"+arg+"\x00")) {
			pids = append(pids, filepath.Base(d))
		}
	}
	return pids
}

// The engine closes stdout, stderr and the events pipe as soon as the target has ended, before it
// reaps the sandbox's PID 1 (src/run.ts finishes there). At that end-of-file nothing of the
// sandbox may be left: not the processes the target left in the background, in its session or in
// a new one; and the engine still exits with the target's status.
func TestNothingOfTheSandboxOutlivesTheEndOfOutput(t *testing.T) {
	marker := fmt.Sprintf("%d.%d", 3000+os.Getpid()%1000, time.Now().UnixNano()%1000)
	c := sh(fmt.Sprintf("sleep %s & setsid sleep %s & sleep 0.1; echo left; exit 4", marker, marker))
	cmd := exec.Command(engineBin, "run", "--frame", frameFile(t, c))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { exec.Command("pkill", "-9", "-f", "sleep "+marker).Run() })
	out, _ := io.ReadAll(stdout) // returns at the engine's end-of-file
	left := processesRunning(marker)
	if err := cmd.Wait(); cmd.ProcessState.ExitCode() != 4 {
		t.Fatalf("exit %d (%v), stdout %q", cmd.ProcessState.ExitCode(), err, out)
	}
	if string(out) != "left\n" {
		t.Fatalf("stdout %q", out)
	}
	if len(left) > 0 {
		t.Fatalf("background processes of the sandbox were alive at the end of its output: pids %v", left)
	}
}
