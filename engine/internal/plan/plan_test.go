//go:build linux

package plan

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// childArgs is what runInChild's child needs, set before the fork.
type childArgs struct {
	memfd, out uintptr
	seg        Segment
}

// runPlanChild maps the plan, runs one segment and writes {failed op, errno} to out.
//
//go:nosplit
func runPlanChild(arg unsafe.Pointer) {
	c := (*childArgs)(arg)
	var m Mapped
	var rec [2]int64
	if errno := Map(c.memfd, &m); errno != 0 {
		rec[0], rec[1] = -2, int64(errno)
	} else {
		i, e := m.Run(c.seg)
		rec[0], rec[1] = int64(i), int64(e)
	}
	syscall.RawSyscall(unix.SYS_WRITE, c.out, uintptr(unsafe.Pointer(&rec)), unsafe.Sizeof(rec))
	syscall.RawSyscall(unix.SYS_EXIT_GROUP, 0, 0, 0)
}

// runInChild runs segment seg of p in a forked child and returns what Run returned, and the
// child's wait status.
func runInChild(t *testing.T, p *Plan, seg Segment) (failed int, errno uint64, ws unix.WaitStatus) {
	t.Helper()
	memfd, err := p.Seal()
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(memfd)
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fds[0])
	args := &childArgs{memfd: uintptr(memfd), out: uintptr(fds[1]), seg: seg}
	pid, pidfd, err := Fork(0, runPlanChild, unsafe.Pointer(args))
	unix.Close(fds[1])
	if err != nil {
		t.Fatal(err)
	}
	if pidfd != -1 {
		t.Errorf("pidfd %d without CLONE_PIDFD", pidfd)
	}
	var rec [2]int64
	n, _ := unix.Read(fds[0], unsafe.Slice((*byte)(unsafe.Pointer(&rec)), unsafe.Sizeof(rec)))
	if _, err := unix.Wait4(pid, &ws, 0, nil); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		return -3, 0, ws // ended without a record: exec'd, or killed
	}
	return int(rec[0]), uint64(rec[1]), ws
}

func TestRunCarriesResultsFromOneCallToTheNext(t *testing.T) {
	dir := t.TempDir()
	p := &Plan{}
	s := p.Step(Step{Name: "test", What: "file"})
	fd := p.Cell()
	p.Call(s, unix.SYS_OPENAT, Lit(unix.AT_FDCWD), p.Str(filepath.Join(dir, "f")).Addr(), Lit(unix.O_CREAT|unix.O_WRONLY|unix.O_CLOEXEC), Lit(0o600)).To(fd)
	msg := p.Str("written by a plan")
	p.Call(s, unix.SYS_WRITE, fd.Cell(), msg.Addr(), Lit(len("written by a plan")))
	p.Call(s, unix.SYS_CLOSE, fd.Cell())
	if i, e, _ := runInChild(t, p, SegView); i != -1 {
		t.Fatalf("op %d failed: %v", i, Errno(e))
	}
	got, err := os.ReadFile(filepath.Join(dir, "f"))
	if err != nil || string(got) != "written by a plan" {
		t.Fatalf("file holds %q (%v)", got, err)
	}
}

func TestRunStopsAtTheFirstFailureAndNamesIt(t *testing.T) {
	dir := t.TempDir()
	p := &Plan{}
	mk := p.Step(Step{Name: "mount", What: `"/x"`, Call: "mkdir"})
	p.Call(mk, unix.SYS_MKDIRAT, Lit(unix.AT_FDCWD), p.Str(filepath.Join(dir, "a")).Addr(), Lit(0o755))
	p.Call(mk, unix.SYS_MKDIRAT, Lit(unix.AT_FDCWD), p.Str(filepath.Join(dir, "a")).Addr(), Lit(0o755))
	p.Call(mk, unix.SYS_MKDIRAT, Lit(unix.AT_FDCWD), p.Str(filepath.Join(dir, "never")).Addr(), Lit(0o755))
	i, e, _ := runInChild(t, p, SegView)
	if i != 1 || e != uint64(unix.EEXIST) {
		t.Fatalf("failed op %d errno %d, want op 1 EEXIST", i, e)
	}
	if _, err := os.Stat(filepath.Join(dir, "never")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("an op after the failure ran")
	}
	if err := p.Failure(i, e); err.Error() != `mount "/x": mkdir: file exists` {
		t.Fatalf("failure reads %q", err)
	}
}

func TestSkipsAndSoftOps(t *testing.T) {
	dir := t.TempDir()
	p := &Plan{}
	s := p.Step(Step{Name: "test"})
	mkdir := func(name string) *Op {
		return p.Call(s, unix.SYS_MKDIRAT, Lit(unix.AT_FDCWD), p.Str(filepath.Join(dir, name)).Addr(), Lit(0o755))
	}
	mkdir("missing/x").SkipOnErr(uintptr(unix.ENOENT), 1) // fails ENOENT: skips "skipped1"
	mkdir("skipped1")
	mkdir("a").SkipOnOK(1) // succeeds: skips "skipped2"
	mkdir("skipped2")
	mkdir("a").Soft() // EEXIST, ignored
	mkdir("b")
	mkdir("missing/y").SkipOnErr(uintptr(unix.EEXIST), 1) // another errno: a failure
	i, e, _ := runInChild(t, p, SegView)
	if i != 6 || e != uint64(unix.ENOENT) {
		t.Fatalf("failed op %d errno %d, want op 6 ENOENT", i, e)
	}
	for name, want := range map[string]bool{"skipped1": false, "skipped2": false, "a": true, "b": true} {
		if _, err := os.Stat(filepath.Join(dir, name)); (err == nil) != want {
			t.Errorf("%s exists: %v, want %v", name, err == nil, want)
		}
	}
}

func TestEqualChecksAStoredResult(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var want unix.Stat_t
	if err := unix.Stat(filepath.Join(dir, "f"), &want); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ino  uint64
		fail int
	}{{want.Ino, -1}, {want.Ino + 1, 2}} {
		p := &Plan{}
		s := p.Step(Step{Name: "mount", What: "f"})
		st := Struct(p, &unix.Stat_t{})
		p.Call(s, unix.SYS_NEWFSTATAT, Lit(unix.AT_FDCWD), p.Str(filepath.Join(dir, "f")).Addr(), st.Addr(), Lit(0))
		p.Pseudo(s, OpEqual, st.Add(unsafe.Offsetof(want.Dev)).Cell(), Lit(want.Dev))
		p.Pseudo(s, OpEqual, st.Add(unsafe.Offsetof(want.Ino)).Cell(), Lit(tc.ino))
		i, e, _ := runInChild(t, p, SegView)
		if i != tc.fail || (i >= 0 && e != ErrMismatch) {
			t.Fatalf("inode %d: failed op %d errno %d, want %d", tc.ino, i, e, tc.fail)
		}
		if i >= 0 {
			if err := p.Failure(i, e); err.Error() != "mount f: the object is not the one that was checked (was it swapped?)" {
				t.Fatalf("mismatch reads %q", err)
			}
		}
	}
}

func TestExecvpTriesEachPathLikeAShell(t *testing.T) {
	p := &Plan{}
	p.Begin(SegTarget)
	s := p.Step(Step{Name: "execve"})
	paths := p.Ptrs([]Ref{p.Str("/nonexistent/sh"), p.Str("/dev/null/sh"), p.Str("/bin/sh")}, true)
	p.Pseudo(s, OpExecvp, paths.Addr(), p.Strs([]string{"sh", "-c", "exit 7"}).Addr(), p.Strs(nil).Addr())
	i, _, ws := runInChild(t, p, SegTarget)
	if i != -3 || ws.ExitStatus() != 7 {
		t.Fatalf("record %d, status %v; want the shell's exit 7", i, ws)
	}
	p = &Plan{}
	s = p.Step(Step{Name: "execve"})
	p.Pseudo(s, OpExecvp, p.Ptrs([]Ref{p.Str("/nonexistent/x")}, true).Addr(), p.Strs([]string{"x"}).Addr(), p.Strs(nil).Addr())
	p.Pseudo(s, OpExecvp, p.Ptrs([]Ref{p.Str("/nonexistent/x"), p.Str("/dev/null"), p.Str("/nonexistent/y")}, true).Addr(), p.Strs([]string{"x"}).Addr(), p.Strs(nil).Addr())
	if i, e, _ := runInChild(t, p, SegView); i != 0 || e != uint64(unix.ENOENT) {
		t.Fatalf("missing command: op %d errno %d, want 0 ENOENT", i, e)
	}
	p.Ops = p.Ops[1:]
	p.seg[SegView] = [2]uint32{0, 1}
	if i, e, _ := runInChild(t, p, SegView); i != 0 || e != uint64(unix.EACCES) {
		t.Fatalf("not executable first: op %d errno %d, want 0 EACCES", i, e)
	}
}

func TestSegmentsAreSeparateRuns(t *testing.T) {
	dir := t.TempDir()
	p := &Plan{}
	s := p.Step(Step{Name: "test"})
	p.Call(s, unix.SYS_MKDIRAT, Lit(unix.AT_FDCWD), p.Str(filepath.Join(dir, "view")).Addr(), Lit(0o755))
	p.Begin(SegTarget)
	p.Call(s, unix.SYS_MKDIRAT, Lit(unix.AT_FDCWD), p.Str(filepath.Join(dir, "target")).Addr(), Lit(0o755))
	if i, _, _ := runInChild(t, p, SegTarget); i != -1 {
		t.Fatal("target segment failed")
	}
	if _, err := os.Stat(filepath.Join(dir, "view")); err == nil {
		t.Fatal("the view segment ran with the target's")
	}
	if _, err := os.Stat(filepath.Join(dir, "target")); err != nil {
		t.Fatal(err)
	}
}

func TestMapRefusesWhatIsNotAPlan(t *testing.T) {
	fd, err := unix.MemfdCreate("not-a-plan", unix.MFD_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if _, err := unix.Write(fd, make([]byte, headerSize)); err != nil {
		t.Fatal(err)
	}
	var m Mapped
	if e := Map(uintptr(fd), &m); e != uintptr(unix.EINVAL) {
		t.Fatalf("Map of zeros: errno %d, want EINVAL", e)
	}
}
