// Package cgroup puts the target in a cgroup of its own when the host lets the caller create one:
// cgroup v2 where a delegated cgroup is writable (memory.max, pids.max), else the cgroup v1 pids
// controller when it is writable (root on a v1/hybrid host). Whatever is not enforced here falls
// back to rlimits, and the plan says so in words for a `warning` event.
//
// Only the target's processes are in the cgroup: the exec stage joins it right before execve
// through a cgroup.procs descriptor opened here (the kernel checks the opener's permissions and
// cgroup namespace), so the engine's own threads neither count against pids.max nor die of it.
package cgroup

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/config"
)

// Plan is the cgroup a sandbox runs in, if any.
type Plan struct {
	Dir       string   // the cgroup created for this sandbox; "" when none
	ProcsFile *os.File // its cgroup.procs, joined by the exec stage right before execve
	Memory    bool     // memory.max enforced
	Pids      bool     // pids.max enforced
	Warnings  []Warning
}

// Warning names a limit enforced by a weaker mechanism than asked.
type Warning struct{ Code, Message string }

// Prepare creates a cgroup for the limits that need one. root is whether the caller is uid 0, for
// whom RLIMIT_NPROC does not hold (the kernel exempts the host's root user).
func Prepare(l *config.Limits, root bool) (*Plan, error) {
	p := &Plan{}
	if l.MemoryBytes == 0 && l.Pids == 0 {
		return p, nil
	}
	name := fmt.Sprintf("stockade-%d-%d", os.Getpid(), time.Now().UnixNano()%1_000_000)
	for _, dir := range delegatedV2() {
		if err := p.tryV2(filepath.Join(dir, name), l); err == nil {
			return p, nil
		}
	}
	if l.Pids > 0 {
		if dir, ok := v1Dir("pids"); ok {
			if err := p.tryV1Pids(filepath.Join(dir, name), l.Pids); err == nil {
				l := *l
				l.Pids = 0
				p.warn(&l)
				return p, nil
			}
		}
		if root {
			return nil, errors.New("limits.pids cannot be enforced for a root caller without a writable cgroup (RLIMIT_NPROC does not apply to the host's root user)")
		}
	}
	p.warn(l)
	return p, nil
}

func (p *Plan) warn(l *config.Limits) {
	const why = "no writable delegated cgroup v2 with that controller"
	if l.MemoryBytes > 0 && !p.Memory {
		p.Warnings = append(p.Warnings, Warning{"memory-rlimit", "limits.memoryBytes is enforced per process as RLIMIT_AS (address space), not as memory.max (" + why + "): a process tree can use up to pids × memoryBytes"})
	}
	if l.Pids > 0 && !p.Pids {
		p.Warnings = append(p.Warnings, Warning{"pids-rlimit", "limits.pids is enforced as RLIMIT_NPROC in the sandbox's user namespace, not as pids.max (" + why + ")"})
	}
}

// ownPath returns this process's cgroup path for a v1 controller, or for v2 when controller is "".
func ownPath(controller string) (string, bool) {
	f, err := os.Open("/proc/self/cgroup")
	if err != nil {
		return "", false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) != 3 {
			continue
		}
		if controller == "" && parts[0] == "0" && parts[1] == "" {
			return parts[2], true
		}
		for _, c := range strings.Split(parts[1], ",") {
			if controller != "" && c == controller {
				return parts[2], true
			}
		}
	}
	return "", false
}

// mountOf finds where a cgroup filesystem is mounted: fstype "cgroup2", or "cgroup" with option opt.
func mountOf(fstype, opt string) (string, bool) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return "", false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		sep := strings.Index(line, " - ")
		if sep < 0 {
			continue
		}
		pre, post := strings.Fields(line[:sep]), strings.Fields(line[sep+3:])
		if len(pre) < 5 || len(post) < 3 || post[0] != fstype {
			continue
		}
		if opt == "" || strings.Contains(","+post[2]+",", ","+opt+",") {
			return pre[4], true
		}
	}
	return "", false
}

// delegatedV2 returns where a child cgroup could go: this process's own v2 cgroup and its
// parent (a sibling of ours), when writable. A cgroup with processes cannot enable controllers
// for children, so the usual delegated layout is a writable parent whose subtree_control already
// has them, with the caller in one of its leaves.
func delegatedV2() []string {
	rel, ok := ownPath("")
	mnt, ok2 := mountOf("cgroup2", "")
	if !ok || !ok2 {
		return nil
	}
	own := filepath.Join(mnt, rel)
	var out []string
	for _, dir := range []string{own, filepath.Dir(own)} {
		if strings.HasPrefix(dir, mnt) && unix.Access(dir, unix.W_OK) == nil {
			out = append(out, dir)
		}
	}
	return out
}

// hasControllers reports whether every named controller is enabled for a v2 cgroup's children.
func hasControllers(dir string, names ...string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "cgroup.subtree_control"))
	if err != nil {
		return false
	}
	have := " " + strings.Join(strings.Fields(string(b)), " ") + " "
	for _, n := range names {
		if !strings.Contains(have, " "+n+" ") {
			return false
		}
	}
	return true
}

func v1Dir(controller string) (string, bool) {
	rel, ok := ownPath(controller)
	mnt, ok2 := mountOf("cgroup", controller)
	if !ok || !ok2 {
		return "", false
	}
	dir := filepath.Join(mnt, rel)
	return dir, unix.Access(dir, unix.W_OK) == nil
}

func write(dir, file, value string) error {
	return os.WriteFile(filepath.Join(dir, file), []byte(value), 0)
}

// tryV2 creates a cgroup with memory.max and pids.max.
func (p *Plan) tryV2(dir string, l *config.Limits) error {
	var need []string
	if l.MemoryBytes > 0 {
		need = append(need, "memory")
	}
	if l.Pids > 0 {
		need = append(need, "pids")
	}
	if !hasControllers(filepath.Dir(dir), need...) {
		return errors.New("controllers not delegated")
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return err
	}
	ok := func() error {
		if l.MemoryBytes > 0 {
			if err := write(dir, "memory.max", fmt.Sprint(l.MemoryBytes)); err != nil {
				return err
			}
			_ = write(dir, "memory.swap.max", "0")
		}
		if l.Pids > 0 {
			if err := write(dir, "pids.max", fmt.Sprint(l.Pids)); err != nil {
				return err
			}
		}
		f, err := os.OpenFile(filepath.Join(dir, "cgroup.procs"), os.O_WRONLY, 0)
		p.ProcsFile = f
		return err
	}()
	if ok != nil {
		_ = os.Remove(dir)
		return ok
	}
	p.Dir, p.Memory, p.Pids = dir, l.MemoryBytes > 0, l.Pids > 0
	return nil
}

// tryV1Pids creates a v1 pids cgroup; the exec stage joins it through the open cgroup.procs.
func (p *Plan) tryV1Pids(dir string, pids int64) error {
	if err := os.Mkdir(dir, 0o755); err != nil {
		return err
	}
	if err := write(dir, "pids.max", fmt.Sprint(pids)); err != nil {
		_ = os.Remove(dir)
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, "cgroup.procs"), os.O_WRONLY, 0)
	if err != nil {
		_ = os.Remove(dir)
		return err
	}
	p.Dir, p.ProcsFile, p.Pids = dir, f, true
	return nil
}

// Remove deletes the cgroup once the sandbox is gone; processes killed a moment ago may take a
// few milliseconds to leave it.
func (p *Plan) Remove() {
	if p.ProcsFile != nil {
		p.ProcsFile.Close()
	}
	if p.Dir == "" {
		return
	}
	_ = write(p.Dir, "cgroup.kill", "1")
	for i := 0; i < 100; i++ {
		if err := os.Remove(p.Dir); err == nil || errors.Is(err, os.ErrNotExist) {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
}
