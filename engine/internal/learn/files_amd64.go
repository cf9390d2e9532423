//go:build linux

package learn

import "golang.org/x/sys/unix"

const nativeAuditArch = unix.AUDIT_ARCH_X86_64

func nativeFileCalls() []fileCall {
	calls := commonFileCalls(map[string]uintptr{
		"openat": unix.SYS_OPENAT, "openat2": unix.SYS_OPENAT2, "execve": unix.SYS_EXECVE, "execveat": unix.SYS_EXECVEAT,
		"mkdirat": unix.SYS_MKDIRAT, "mknodat": unix.SYS_MKNODAT, "unlinkat": unix.SYS_UNLINKAT, "renameat2": unix.SYS_RENAMEAT2,
		"linkat": unix.SYS_LINKAT, "symlinkat": unix.SYS_SYMLINKAT, "truncate": unix.SYS_TRUNCATE, "fchmodat": unix.SYS_FCHMODAT,
		"fchmodat2": 452, "fchownat": unix.SYS_FCHOWNAT,
	})
	return append(calls,
		openCall(unix.SYS_OPEN, "open", -1, 0, 1, -1),
		call(unix.SYS_CREAT, "creat", cwd(0, AccessCreate)),
		call(unix.SYS_MKDIR, "mkdir", newName(cwd(0, AccessCreate))),
		call(unix.SYS_MKNOD, "mknod", newName(cwd(0, AccessCreate))),
		call(unix.SYS_UNLINK, "unlink", cwd(0, AccessDelete)),
		call(unix.SYS_RMDIR, "rmdir", cwd(0, AccessDelete)),
		call(unix.SYS_RENAME, "rename", cwd(0, AccessDelete), cwd(1, AccessCreate)),
		call(unix.SYS_RENAMEAT, "renameat", at(0, 1, AccessDelete), at(2, 3, AccessCreate)),
		call(unix.SYS_LINK, "link", cwd(0, AccessRead), newName(cwd(1, AccessCreate))),
		call(unix.SYS_SYMLINK, "symlink", newName(cwd(1, AccessCreate))),
		call(unix.SYS_CHMOD, "chmod", cwd(0, AccessWrite)),
		call(unix.SYS_CHOWN, "chown", cwd(0, AccessWrite)),
		call(unix.SYS_LCHOWN, "lchown", cwd(0, AccessWrite)),
	)
}
