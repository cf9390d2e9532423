//go:build linux

package sandbox

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// Learn mode, end to end: real processes under the learn filter, records read from the events.

func learned(r *result, kind string) []map[string]any {
	var out []map[string]any
	for _, e := range r.events {
		if e["type"] == "learn" && e["kind"] == kind {
			out = append(out, e)
		}
	}
	return out
}

func hasFile(r *result, access, path string) bool {
	for _, e := range learned(r, "file") {
		if e["access"] == access && e["path"] == path {
			return true
		}
	}
	return false
}

// notifyOn returns USER_NOTIF (the base's "learnable default") for learnNr, ERRNO(1) for denyNr
// and ALLOW for the rest: a tiny restrictive base (errnoOn, refusals_test.go).
func notifyOn(learnNr, denyNr uint32) []byte { return errnoOn(denyNr, 1, learnNr) }

func TestLearnRecordsFilesOfTheWholeTree(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "in.txt")
	if err := os.WriteFile(in, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	// 24 children, each a shell of its own that execs cat and creates its own file.
	c := sh(fmt.Sprintf(`mkdir -p %[1]s && cd %[1]s && for i in $(seq 1 24); do sh -c "cat in.txt > out$i" & done; wait; mkdir sub; rm out1`, dir))
	c.Fs.Write = []string{dir}
	c.Learn = true
	r := run(t, c, nil)
	expectCode(t, r, 0)
	for i := 1; i <= 24; i++ {
		if !hasFile(r, "create", fmt.Sprintf("%s/out%d", dir, i)) {
			t.Fatalf("no create of out%d in %v", i, learned(r, "file"))
		}
	}
	if hasFile(r, "create", dir) {
		t.Fatal("mkdir of an existing directory (EEXIST) was recorded as a create")
	}
	for _, want := range [][2]string{{"read", in}, {"create", dir + "/sub"}, {"delete", dir + "/out1"}, {"exec", "/bin/sh"}} {
		if !hasFile(r, want[0], want[1]) {
			t.Fatalf("no %s of %s in %v", want[0], want[1], learned(r, "file"))
		}
	}
}

func TestLearnRecordsTheDefaultAndReportsDenials(t *testing.T) {
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		t.Skip("python3 is not installed")
	}
	c := baseConfig(py, "-c", `
import os, socket
socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
try:
    os.uname(); print("uname ran")
except OSError as e:
    print("uname", e.errno)
`)
	c.Learn = true
	r := run(t, c, notifyOn(unix.SYS_SOCKET, unix.SYS_UNAME))
	expectCode(t, r, 0)
	if r.stdout != "uname 1\n" {
		t.Fatalf("stdout %q: the base's ERRNO(1) must answer uname", r.stdout)
	}
	var sock map[string]any
	for _, e := range learned(r, "syscall") {
		if e["nr"] == float64(unix.SYS_SOCKET) {
			sock = e
		}
		if e["nr"] == float64(unix.SYS_UNAME) {
			t.Fatalf("a denied call was learned: %v", e)
		}
	}
	if sock == nil || sock["args"].(map[string]any)["family"] != float64(unix.AF_INET) {
		t.Fatalf("socket not learned with its family: %v", learned(r, "syscall"))
	}
	denied := false
	for _, e := range r.events {
		if e["type"] == "violation" && e["kind"] == "syscall" {
			d := e["data"].(map[string]any)
			denied = denied || (d["nr"] == float64(unix.SYS_UNAME) && d["errno"] == float64(1))
		}
	}
	if !denied {
		t.Fatalf("the denial was not reported: %v", r.events)
	}
}
