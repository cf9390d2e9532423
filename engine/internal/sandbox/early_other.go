//go:build linux && !amd64

package sandbox

// entryInit is nil: only amd64 forks PID 1 at the executable's entry (early_amd64.go).
func entryInit() *initProc { return nil }
