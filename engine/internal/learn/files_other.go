//go:build linux && !amd64 && !arm64

package learn

// Learn mode knows the file calls of x86_64 and aarch64 only; elsewhere Install refuses.
const nativeAuditArch = 0

func nativeFileCalls() []fileCall { return nil }
