// Package rlimit applies the per-process resource limits that hold without cgroups.
package rlimit

import (
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/config"
	"stockade/engine/internal/step"
)

// Plan says which limits a cgroup already enforces, so the rlimit fallback is skipped for them.
type Plan struct {
	CgroupMemory bool
	CgroupPids   bool
	// NprocBase is the number of tasks of the sandbox's uid that exist before the target (the
	// engine's own threads in the user namespace); RLIMIT_NPROC counts them too.
	NprocBase int
}

// Apply sets the limits on the calling process; the target inherits them through execve.
func Apply(l *config.Limits, p Plan) error {
	set := func(name string, res int, soft, hard int64) error {
		var cur unix.Rlimit
		if err := unix.Getrlimit(res, &cur); err != nil {
			return step.Fail("rlimit", name, err)
		}
		lim := unix.Rlimit{Cur: min(uint64(soft), cur.Max), Max: min(uint64(hard), cur.Max)}
		var err error
		if res == unix.RLIMIT_NOFILE {
			// Through package syscall, so Go does not restore its own saved soft limit at exec.
			err = syscall.Setrlimit(res, &syscall.Rlimit{Cur: lim.Cur, Max: lim.Max})
		} else {
			err = unix.Setrlimit(res, &lim)
		}
		if err != nil {
			return step.Fail("rlimit", fmt.Sprintf("%s=%d", name, soft), err)
		}
		return nil
	}
	if l.MemoryBytes > 0 && !p.CgroupMemory {
		if err := set("RLIMIT_AS", unix.RLIMIT_AS, l.MemoryBytes, l.MemoryBytes); err != nil {
			return err
		}
	}
	if l.Pids > 0 && !p.CgroupPids {
		n := l.Pids + int64(p.NprocBase)
		if err := set("RLIMIT_NPROC", unix.RLIMIT_NPROC, n, n); err != nil {
			return err
		}
	}
	if l.CPUSeconds > 0 {
		// SIGXCPU at the soft limit, SIGKILL one second later.
		if err := set("RLIMIT_CPU", unix.RLIMIT_CPU, l.CPUSeconds, l.CPUSeconds+1); err != nil {
			return err
		}
	}
	if l.FileSizeBytes > 0 {
		if err := set("RLIMIT_FSIZE", unix.RLIMIT_FSIZE, l.FileSizeBytes, l.FileSizeBytes); err != nil {
			return err
		}
	}
	if l.OpenFiles > 0 {
		if err := set("RLIMIT_NOFILE", unix.RLIMIT_NOFILE, l.OpenFiles, l.OpenFiles); err != nil {
			return err
		}
	}
	return nil
}
