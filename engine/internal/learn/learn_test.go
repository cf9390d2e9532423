//go:build linux

package learn

import (
	"encoding/binary"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

func data(nr, arch uint32, args ...uint64) []byte {
	b := make([]byte, seccompDataSize)
	binary.NativeEndian.PutUint32(b, nr)
	binary.NativeEndian.PutUint32(b[4:], arch)
	for i, a := range args {
		binary.NativeEndian.PutUint64(b[argsOffset+8*i:], a)
	}
	return b
}

// base: uname → ERRNO(1); socket → USER_NOTIF; ioctl with arg 1 == 0x5412 → KILL_PROCESS; else ALLOW.
var base = []unix.SockFilter{
	{Code: clsLD | modeABS, K: 0},
	{Code: clsJMP | jmpJEQ, Jt: 0, Jf: 1, K: unix.SYS_UNAME},
	{Code: clsRET, K: retErrno | 1},
	{Code: clsJMP | jmpJEQ, Jt: 0, Jf: 1, K: unix.SYS_SOCKET},
	{Code: clsRET, K: retUserNotif},
	{Code: clsJMP | jmpJEQ, Jt: 0, Jf: 3, K: unix.SYS_IOCTL},
	{Code: clsLD | modeABS, K: argsOffset + 8},
	{Code: clsJMP | jmpJEQ, Jt: 0, Jf: 1, K: 0x5412},
	{Code: clsRET, K: 0x80000000},
	{Code: clsRET, K: retAllow},
}

func TestEvalFollowsTheProgramAndSaysWhenArgumentsMattered(t *testing.T) {
	cases := []struct {
		nr       uint32
		arg1     uint64
		ret      uint32
		readArgs bool
	}{
		{unix.SYS_UNAME, 0, retErrno | 1, false},
		{unix.SYS_SOCKET, 0, retUserNotif, false},
		{unix.SYS_IOCTL, 0x5412, 0x80000000, true},
		{unix.SYS_IOCTL, 1, retAllow, true},
		{unix.SYS_READ, 0, retAllow, false},
	}
	for _, c := range cases {
		v, err := Eval(base, data(c.nr, nativeAuditArch, 0, c.arg1))
		if err != nil || v.Ret != c.ret || v.ReadArgs != c.readArgs {
			t.Errorf("nr %d arg %#x: %+v %v, want ret %#x readArgs %v", c.nr, c.arg1, v, err, c.ret, c.readArgs)
		}
	}
}

func TestProgramNotifiesFileCallsAndEveryDenial(t *testing.T) {
	prog, err := Program(base)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		nr   uint32
		arch uint32
		arg1 uint64
		ret  uint32
	}{
		{unix.SYS_OPENAT, nativeAuditArch, 0, retUserNotif},     // a file call: recorded
		{unix.SYS_EXECVE, nativeAuditArch, 0, retUserNotif},     // a file call: recorded
		{unix.SYS_READ, nativeAuditArch, 0, retAllow},           // allowed: never notified
		{unix.SYS_UNAME, nativeAuditArch, 0, retUserNotif},      // a base denial: answered by the supervisor
		{unix.SYS_IOCTL, nativeAuditArch, 0x5412, retUserNotif}, // a base kill: too
		{unix.SYS_IOCTL, nativeAuditArch, 1, retAllow},
		{unix.SYS_OPENAT, unix.AUDIT_ARCH_I386, 0, retAllow}, // the prefix is native only: the base decides
	}
	for _, c := range cases {
		v, err := Eval(prog, data(c.nr, c.arch, 0, c.arg1))
		if err != nil || v.Ret != c.ret {
			t.Errorf("nr %d arch %#x: %+v %v, want %#x", c.nr, c.arch, v, err, c.ret)
		}
	}
}

func TestProgramRefusesWhatItCannotRewrite(t *testing.T) {
	if _, err := Program(nil); err == nil {
		t.Error("an empty program was accepted")
	}
	if _, err := Program([]unix.SockFilter{{Code: clsRET | retA}}); err == nil {
		t.Error("RET A was accepted")
	}
	if _, err := Program(make([]unix.SockFilter, maxProgram)); err == nil {
		t.Error("an over-long result was accepted")
	}
}

func TestKernelStructLayouts(t *testing.T) {
	if unsafe.Sizeof(notif{}) != 0x50 || unsafe.Sizeof(notifResp{}) != 0x18 {
		t.Fatalf("seccomp_notif is %d bytes, seccomp_notif_resp %d", unsafe.Sizeof(notif{}), unsafe.Sizeof(notifResp{}))
	}
}

func TestOpenAccess(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		flags int
		path  string
		want  Access
	}{
		{unix.O_RDONLY, dir, AccessRead},
		{unix.O_PATH, dir, AccessRead},
		{unix.O_WRONLY, dir + "/x", AccessWrite},
		{unix.O_RDONLY | unix.O_TRUNC, dir + "/x", AccessWrite},
		{unix.O_WRONLY | unix.O_CREAT, dir + "/new", AccessCreate},
		{unix.O_WRONLY | unix.O_CREAT, dir, AccessWrite},
		{unix.O_TMPFILE | unix.O_RDWR, dir, AccessWrite},
		{unix.O_WRONLY | unix.O_CREAT | unix.O_EXCL, dir, ""},
	}
	for _, c := range cases {
		if got := openAccess(uint64(c.flags), c.path); got != c.want {
			t.Errorf("flags %#x on %s: %s, want %s", c.flags, c.path, got, c.want)
		}
	}
}
