//go:build linux

package learn

import "golang.org/x/sys/unix"

const nativeAuditArch = unix.AUDIT_ARCH_AARCH64

func nativeFileCalls() []fileCall {
	calls := commonFileCalls(map[string]uintptr{
		"openat": unix.SYS_OPENAT, "openat2": unix.SYS_OPENAT2, "execve": unix.SYS_EXECVE, "execveat": unix.SYS_EXECVEAT,
		"mkdirat": unix.SYS_MKDIRAT, "mknodat": unix.SYS_MKNODAT, "unlinkat": unix.SYS_UNLINKAT, "renameat2": unix.SYS_RENAMEAT2,
		"linkat": unix.SYS_LINKAT, "symlinkat": unix.SYS_SYMLINKAT, "truncate": unix.SYS_TRUNCATE, "fchmodat": unix.SYS_FCHMODAT,
		"fchmodat2": 452, "fchownat": unix.SYS_FCHOWNAT,
	})
	return append(calls, call(unix.SYS_RENAMEAT, "renameat", at(0, 1, AccessDelete), at(2, 3, AccessCreate)))
}
