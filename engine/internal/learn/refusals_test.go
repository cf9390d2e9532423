//go:build linux

package learn

import (
	"testing"

	"golang.org/x/sys/unix"
)

func TestReportProgramNotifiesOnlyErrnoReturns(t *testing.T) {
	prog, err := ReportProgram(base)
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
		p, err := ReportProgram([]unix.SockFilter{{Code: clsRET, K: keep | 7}})
		if err != nil || p[0].K != keep|7 {
			t.Errorf("return %#x became %#x (%v): only ERRNO returns are rewritten", keep|7, p[0].K, err)
		}
	}
	if _, err := ReportProgram([]unix.SockFilter{{Code: clsRET | retA}}); err == nil {
		t.Error("RET A was accepted")
	}
	if _, err := ReportProgram(nil); err == nil {
		t.Error("an empty program was accepted")
	}
}
