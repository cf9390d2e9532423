//go:build linux

package sandbox

import (
	"errors"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/caps"
	"stockade/engine/internal/config"
	"stockade/engine/internal/landlock"
	"stockade/engine/internal/plan"
	"stockade/engine/internal/rlimit"
	"stockade/engine/internal/seccomp"
	"stockade/engine/internal/step"
)

// lockdown says how the target's segment is planned.
type lockdown struct {
	inView    bool // in the engine's view (false: degraded, the host's)
	landlock  int  // ABI to enforce; 0 when the caller accepted its absence
	proxyPort int  // allowlist mode: the proxy's loopback port
	setpcap   bool // the target starts with CAP_SETPCAP (it can drop its bounding set)
	limits    rlimit.Plan
	cgroup    int // the descriptor of the cgroup.procs file it joins through; -1 for none
	// supervised: the exec stage of a supervised run installs the filter itself, with a
	// listener for PID 1 (supervise.go): the seccomp segment is left empty
	supervised bool
}

// planTarget adds the target's segment: DESIGN.md steps 4-6 on the process that then execs the
// command, each op failing closed with its step named. Everything that binds the process
// (no_new_privs, Landlock, rlimits, the cgroup, seccomp) comes last, right before execve.
func planTarget(p *plan.Plan, c *config.ExecConfig, filter []unix.SockFilter, l *lockdown) error {
	p.Begin(plan.SegTarget)
	paths, err := commandPaths(c.Argv[0], c.Env["PATH"])
	if err != nil {
		return err
	}
	p.Call(p.Step(plan.Step{Name: "cwd", What: strconv.Quote(c.Cwd), Hint: "the working directory must be inside fs.read or fs.write"}),
		unix.SYS_CHDIR, p.Str(c.Cwd).Addr())
	caps.Plan(p, l.setpcap)
	p.Call(p.Step(plan.Step{Name: "no_new_privs"}), unix.SYS_PRCTL, plan.Lit(unix.PR_SET_NO_NEW_PRIVS), plan.Lit(1), plan.Lit(0), plan.Lit(0), plan.Lit(0))
	if l.landlock > 0 {
		if err := landlock.Plan(p, c, l.landlock, landlock.Options{InView: l.inView, ProxyPort: l.proxyPort}); err != nil {
			return err
		}
	}
	if err := rlimit.PlanOps(p, &c.Limits, l.limits); err != nil {
		return err
	}
	if l.cgroup >= 0 {
		s := p.Step(plan.Step{Name: "cgroup", What: "join"})
		p.Call(s, unix.SYS_WRITE, plan.Lit(l.cgroup), p.Str("0").Addr(), plan.Lit(1))
		p.Call(s, unix.SYS_CLOSE, plan.Lit(l.cgroup)).Soft()
	}
	p.Begin(plan.SegSeccomp)
	if !l.supervised {
		seccomp.Plan(p, filter, 0, seccomp.Step("install filter"))
	}
	p.Begin(plan.SegExec)
	env := c.TargetEnv(l.proxyPort)
	refs := make([]plan.Ref, len(paths))
	for i, path := range paths {
		refs[i] = p.Str(path)
	}
	what := strconv.Quote(c.Argv[0])
	searched := !strings.Contains(c.Argv[0], "/")
	s := p.Step(plan.Step{Name: "command", What: what, Code: step.ExitNotExecutable, CodeNotFound: step.ExitNotFound, Explain: explainCommand(searched),
		Hint: "is its directory in fs.read?", HintOn: uint64(unix.ENOENT)})
	p.Pseudo(s, plan.OpExecvp, p.Ptrs(refs, true).Addr(), p.Strs(c.Argv).Addr(), p.Strs(env).Addr())
	return nil
}

// commandPaths is where a shell would look for name: itself when it has a slash, else each
// directory of PATH (from the configured env, resolved inside the view when the ops run).
func commandPaths(name, pathEnv string) ([]string, error) {
	if strings.Contains(name, "/") {
		return []string{name}, nil
	}
	if pathEnv == "" {
		return nil, &step.Error{Step: "command", What: strconv.Quote(name), Err: errors.New("not found (the environment has no PATH)"),
			Code: step.ExitNotFound, Hint: "give an absolute path or set env.PATH"}
	}
	var paths []string
	for _, dir := range filepath.SplitList(pathEnv) {
		if dir == "" {
			dir = "."
		}
		paths = append(paths, filepath.Join(dir, name))
	}
	return paths, nil
}

// explainCommand words an execvp failure: a name looked up in PATH that is nowhere is "not found
// in PATH inside the sandbox".
func explainCommand(searched bool) func(errno uint64) error {
	return func(errno uint64) error {
		if unix.Errno(errno) == unix.ENOENT && searched {
			return errors.New("not found in PATH inside the sandbox")
		}
		return plan.Errno(errno)
	}
}
