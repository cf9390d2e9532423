//go:build linux

package learn

import (
	"os"
	"testing"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/config"
)

func TestReportProgramNotifiesOnlyErrnoReturns(t *testing.T) {
	prog, err := ReportProgram(base, Report{Refusals: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(prog) != len(base) {
		t.Fatalf("the report program has %d instructions, the base %d: it must be the base, rewritten", len(prog), len(base))
	}
	cases := []struct {
		nr   uint32
		arg1 uint64
		ret  uint32
	}{
		{unix.SYS_UNAME, 0, retUserNotif},    // the base's ERRNO(1): answered by the supervisor
		{unix.SYS_SOCKET, 0, retUserNotif},   // the base's USER_NOTIF stays one
		{unix.SYS_IOCTL, 0x5412, 0x80000000}, // KILL_PROCESS stays the kernel's
		{unix.SYS_IOCTL, 1, retAllow},        // ALLOW never reaches the supervisor
		{unix.SYS_OPENAT, 0, retAllow},       // no file prefix: file calls are not notified
	}
	for _, c := range cases {
		v, err := Eval(prog, data(c.nr, nativeAuditArch, 0, c.arg1))
		if err != nil || v.Ret != c.ret {
			t.Errorf("nr %d arg %#x: %+v %v, want %#x", c.nr, c.arg1, v, err, c.ret)
		}
	}
	if base[2].K != retErrno|1 {
		t.Fatal("ReportProgram changed the base program it was given")
	}
	for _, keep := range []uint32{retTrace, retLog, 0x00030000 /* TRAP */, 0x00000000 /* KILL_THREAD */} {
		p, err := ReportProgram([]unix.SockFilter{{Code: clsRET, K: keep | 7}}, Report{Refusals: true})
		if err != nil || p[0].K != keep|7 {
			t.Errorf("return %#x became %#x (%v): only ERRNO returns are rewritten", keep|7, p[0].K, err)
		}
	}
	if _, err := ReportProgram([]unix.SockFilter{{Code: clsRET | retA}}, Report{Refusals: true}); err == nil {
		t.Error("RET A was accepted")
	}
	if _, err := ReportProgram(nil, Report{Refusals: true}); err == nil {
		t.Error("an empty program was accepted")
	}
}

func TestReportProgramWithFilesNotifiesOnlyAllowedFileCalls(t *testing.T) {
	// The base: uname → ERRNO(1); socket → USER_NOTIF; ioctl 0x5412 → KILL_PROCESS; mkdirat →
	// ERRNO(13); everything else (openat, read, ioctl 1) → ALLOW.
	withMkdir := append([]unix.SockFilter{
		{Code: clsLD | modeABS, K: 0},
		{Code: clsJMP | jmpJEQ, Jt: 0, Jf: 1, K: unix.SYS_MKDIRAT},
		{Code: clsRET, K: retErrno | 13},
	}, base...)
	for _, r := range []Report{{Files: true}, {Files: true, Refusals: true}} {
		prog, err := ReportProgram(withMkdir, r)
		if err != nil {
			t.Fatal(err)
		}
		errno := uint32(retErrno | 1)
		if r.Refusals {
			errno = retUserNotif
		}
		cases := []struct {
			nr, arch uint32
			arg1     uint64
			ret      uint32
		}{
			{unix.SYS_OPENAT, nativeAuditArch, 0, retUserNotif},   // allowed file call: recorded
			{unix.SYS_EXECVE, nativeAuditArch, 0, retUserNotif},   // allowed file call: recorded
			{unix.SYS_READ, nativeAuditArch, 0, retAllow},         // not a file call
			{unix.SYS_OPENAT, unix.AUDIT_ARCH_I386, 0, retAllow},  // another architecture's numbers
			{unix.SYS_IOCTL, nativeAuditArch, 1, retAllow},        // allowed by its arguments
			{unix.SYS_IOCTL, nativeAuditArch, 0x5412, 0x80000000}, // KILL stays the kernel's
			{unix.SYS_SOCKET, nativeAuditArch, 0, retUserNotif},   // the base's USER_NOTIF
			{unix.SYS_UNAME, nativeAuditArch, 0, errno},           // ERRNO: notified with Refusals only
			{unix.SYS_MKDIRAT, nativeAuditArch, 0, errno&^1 | 13}, // a refused file call is never CONTINUEd
		}
		if r.Refusals {
			cases[len(cases)-1].ret = retUserNotif
		}
		for _, c := range cases {
			v, err := Eval(prog, data(c.nr, c.arch, 0, c.arg1))
			if err != nil || v.Ret != c.ret {
				t.Errorf("%+v: nr %d arch %#x arg %#x: %+v %v, want %#x", r, c.nr, c.arch, c.arg1, v, err, c.ret)
			}
		}
	}
	if _, err := ReportProgram([]unix.SockFilter{{Code: clsRET | retA}}, Report{Files: true}); err == nil {
		t.Error("RET A was accepted")
	}
}

func TestFileReportKeepsWhatTheViewDoesNotGrant(t *testing.T) {
	f := newFileReport(&config.Fs{
		Read:     []string{"/usr", "/etc", "/work/proj"},
		Write:    []string{"/work/proj/out", "/work/proj/ro/rw"},
		ReadOnly: []string{"/work/proj/out/.git/hooks"},
		Hide:     []string{"/etc/shadow", "/work/proj/out/.env"},
		TmpBytes: 1,
	})
	cases := []struct {
		path   string
		access Access
		want   bool
	}{
		{"/usr/bin/cat", AccessExec, true},
		{"/usr/bin/cat", AccessRead, true},
		{"/usr/x", AccessCreate, false},
		{"/etc/passwd", AccessWrite, false},
		{"/etc/shadow", AccessRead, false},
		{"/etc/shadowy", AccessRead, true},
		{"/work/proj/out/a", AccessCreate, true},
		{"/work/proj/out/a", AccessDelete, true},
		{"/work/proj/out/.git/hooks/pre-commit", AccessWrite, false},
		{"/work/proj/out/.git/hooks/pre-commit", AccessRead, true},
		{"/work/proj/out/.env", AccessRead, false},
		{"/work/proj/ro/rw/x", AccessCreate, true}, // deeper write inside read
		{"/work/projx", AccessRead, false},
		{"/home/me/.ssh/id_ed25519", AccessRead, false},
		{"/tmp/x", AccessCreate, true},
		{"/dev/null", AccessWrite, true},
		{"/proc/self/status", AccessRead, true},
		{"/", AccessRead, true}, // listed: the view's own root
		{"/work", AccessRead, true},
		{"/work/x", AccessRead, false},
		{"/work/new", AccessCreate, false},
		{"/", AccessWrite, false},
	}
	for _, c := range cases {
		if got := f.granted(c.path, c.access); got != c.want {
			t.Errorf("granted(%q, %s) = %v, want %v", c.path, c.access, got, c.want)
		}
	}
	if newFileReport(&config.Fs{}).granted("/tmp/x", AccessRead) {
		t.Error("/tmp is granted without a /tmp")
	}
	if !newFileReport(&config.Fs{Read: []string{"/"}, Hide: []string{"/home"}}).granted("/srv/x", AccessRead) {
		t.Error("a read of / does not grant /srv")
	}
	f.note([]fileRecord{{AccessRead, "/home/a"}, {AccessRead, "/usr/a"}, {AccessRead, "/home/a"}, {AccessWrite, "/home/a"}})
	if len(f.order) != 2 || f.order[0] != (fileRecord{AccessRead, "/home/a"}) || f.order[1] != (fileRecord{AccessWrite, "/home/a"}) {
		t.Errorf("kept %v, want the two accesses of /home/a once each", f.order)
	}
}

func TestPhysicalDotsWalksLikeTheKernel(t *testing.T) {
	dir := t.TempDir()
	err := os.MkdirAll(dir+"/a/b/c", 0o755)
	if err == nil {
		err = os.Mkdir(dir+"/a/..x", 0o755)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(dir+"/a/b/c", dir+"/link"); err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		dir + "/link/../x":     dir + "/a/b/x", // .. leaves the link's target, not the link's parent
		dir + "/a/./b//../y":   dir + "/a/y",
		dir + "/a/b":           dir + "/a/b",
		dir + "/a/..x/../z":    dir + "/a/z",
		dir + "/a/...":         dir + "/a/...",
		dir + "/link/../../..": dir,
	}
	for in, want := range cases {
		if got, err := physicalDots(in); err != nil || got != want {
			t.Errorf("physicalDots(%q) = %q %v, want %q", in, got, err, want)
		}
	}
	if got, err := physicalDots(dir + "/missing/../x"); err == nil {
		t.Errorf("a walk through a missing directory gave %q", got)
	}
}
