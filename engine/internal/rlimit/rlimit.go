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

// Limit is one resource limit to set.
type Limit struct {
	Name       string // "RLIMIT_AS", for messages
	Resource   int
	Soft, Hard uint64
}

// Limits lists the limits l asks for that no cgroup enforces, each capped at this process's hard
// limit (which the sandbox could not raise anyway).
func Limits(l *config.Limits, p Plan) ([]Limit, error) {
	var out []Limit
	add := func(name string, res int, soft, hard int64) error {
		var cur unix.Rlimit
		if err := unix.Getrlimit(res, &cur); err != nil {
			return step.Fail("rlimit", name, err)
		}
		out = append(out, Limit{name, res, min(uint64(soft), cur.Max), min(uint64(hard), cur.Max)})
		return nil
	}
	var err error
	if l.MemoryBytes > 0 && !p.CgroupMemory {
		err = add("RLIMIT_AS", unix.RLIMIT_AS, l.MemoryBytes, l.MemoryBytes)
	}
	if err == nil && l.Pids > 0 && !p.CgroupPids {
		n := l.Pids + int64(p.NprocBase)
		err = add("RLIMIT_NPROC", unix.RLIMIT_NPROC, n, n)
	}
	if err == nil && l.CPUSeconds > 0 {
		// SIGXCPU at the soft limit, SIGKILL one second later.
		err = add("RLIMIT_CPU", unix.RLIMIT_CPU, l.CPUSeconds, l.CPUSeconds+1)
	}
	if err == nil && l.FileSizeBytes > 0 {
		err = add("RLIMIT_FSIZE", unix.RLIMIT_FSIZE, l.FileSizeBytes, l.FileSizeBytes)
	}
	if err == nil && l.OpenFiles > 0 {
		err = add("RLIMIT_NOFILE", unix.RLIMIT_NOFILE, l.OpenFiles, l.OpenFiles)
	}
	return out, err
}

// Apply sets the limits on the calling process; the target inherits them through execve.
func Apply(l *config.Limits, p Plan) error {
	limits, err := Limits(l, p)
	if err != nil {
		return err
	}
	for _, lim := range limits {
		if lim.Resource == unix.RLIMIT_NOFILE {
			// Through package syscall, so Go does not restore its own saved soft limit at exec.
			err = syscall.Setrlimit(lim.Resource, &syscall.Rlimit{Cur: lim.Soft, Max: lim.Hard})
		} else {
			err = unix.Setrlimit(lim.Resource, &unix.Rlimit{Cur: lim.Soft, Max: lim.Hard})
		}
		if err != nil {
			return step.Fail("rlimit", fmt.Sprintf("%s=%d", lim.Name, lim.Soft), err)
		}
	}
	return nil
}
