// Package seatbelt is the platform-independent half of the macOS engine (docs/macos.md): what an
// ExecConfig may ask of macOS, the `sandbox-exec` command line, the target's environment and
// command lookup. It builds and is tested on every OS; cmd/stockade-engine/run_darwin.go makes
// the system calls.
package seatbelt

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"stockade/engine/internal/config"
	"stockade/engine/internal/step"
)

// SandboxExec is the program that applies a profile and execs the target.
const SandboxExec = "/usr/bin/sandbox-exec"

// The profile's parameters (src/seatbelt.ts SEATBELT_PARAMS), passed with -D NAME=VALUE.
const (
	ParamProxyPort = "PROXY_PORT"
	ParamTmpDir    = "TMPDIR"
)

// Launch is what the exec stage needs to start the target: it applies Limits, changes to Dir
// and execs Argv[0] with exactly Env.
type Launch struct {
	Argv   []string      `json:"argv"`
	Env    []string      `json:"env"`
	Dir    string        `json:"dir"`
	Limits config.Limits `json:"limits"`
}

// Check refuses, before anything starts, what macOS cannot enforce as the config asks: the
// target must not run with less than the caller asked for.
func Check(c *config.ExecConfig, profile []byte) error {
	if len(profile) == 0 {
		return step.Failf("frame", "", `the "seatbelt" section is missing or empty; it is required on macOS`).
			WithHint("build the frame with the profile from compileSeatbelt (run() does on macOS)")
	}
	if c.Limits.MemoryBytes > 0 {
		return step.Failf("rlimit", "limits.memoryBytes", "macOS enforces neither RLIMIT_AS nor cgroups").
			WithHint("drop the memory limit on macOS")
	}
	if c.Limits.Pids > 0 {
		return step.Failf("rlimit", "limits.pids", "RLIMIT_NPROC on macOS counts every process of the user, not the sandbox's").
			WithHint("drop the process limit on macOS")
	}
	if c.Network.Mode == "allowlist" && c.Network.Ask {
		return step.Failf("network", "network.ask", "asking about unlisted hosts is not available on macOS").
			WithHint("list the hosts in network.allow")
	}
	return nil
}

// Command is the sandbox-exec command line: the profile file, its parameters in name order, then
// the target (path is argv[0] resolved; argv[1:] follow unchanged).
func Command(profilePath string, params map[string]string, path string, argv []string) []string {
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	sort.Strings(names)
	out := []string{SandboxExec, "-f", profilePath}
	for _, name := range names {
		out = append(out, "-D", name+"="+params[name])
	}
	out = append(out, path)
	return append(out, argv[1:]...)
}

// Env is the target's environment: the config's exactly, the proxy variables in allowlist mode,
// and with a private temporary directory, TMPDIR set to it. A HOME of "/tmp" (the default, which
// on Linux is the private tmpfs) becomes that directory too, since macOS's /tmp is shared.
func Env(c *config.ExecConfig, proxyPort int, tmpDir string) []string {
	if tmpDir == "" {
		return c.TargetEnv(proxyPort)
	}
	copied := *c
	copied.Env = map[string]string{}
	for k, v := range c.Env {
		copied.Env[k] = v
	}
	copied.Env["TMPDIR"] = tmpDir
	if copied.Env["HOME"] == "/tmp" {
		copied.Env["HOME"] = tmpDir
	}
	return copied.TargetEnv(proxyPort)
}

// LookPath resolves argv[0] like a shell in the target's working directory cwd, in the config's
// PATH: a name with a slash is used as it is. Relative results are made absolute against cwd.
// The error carries the shell's exit code: 127 not found, 126 not executable.
func LookPath(name, pathEnv, cwd string) (string, error) {
	what := fmt.Sprintf("%q", name)
	if strings.Contains(name, "/") {
		p := inDir(cwd, name)
		if err := executable(p); err != nil {
			return "", &step.Error{Step: "command", What: what, Err: err, Code: notFoundOr126(err)}
		}
		return p, nil
	}
	if pathEnv == "" {
		return "", &step.Error{Step: "command", What: what, Err: errors.New("not found (the environment has no PATH)"),
			Code: step.ExitNotFound, Hint: "give an absolute path or set env.PATH"}
	}
	var denied error
	for _, dir := range filepath.SplitList(pathEnv) {
		if dir == "" {
			dir = "."
		}
		p := inDir(cwd, filepath.Join(dir, name))
		err := executable(p)
		if err == nil {
			return p, nil
		}
		if denied == nil && notFoundOr126(err) == step.ExitNotExecutable {
			denied = err
		}
	}
	if denied != nil {
		return "", &step.Error{Step: "command", What: what, Err: denied, Code: step.ExitNotExecutable}
	}
	return "", &step.Error{Step: "command", What: what, Err: errors.New("not found in PATH"), Code: step.ExitNotFound}
}

func inDir(cwd, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(cwd, p)
}

var errNotExecutable = errors.New("permission denied: not an executable file")

func executable(p string) error {
	st, err := os.Stat(p)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() || st.Mode().Perm()&0o111 == 0 {
		return errNotExecutable
	}
	return nil
}

func notFoundOr126(err error) int {
	if errors.Is(err, fs.ErrNotExist) || strings.Contains(err.Error(), "not a directory") {
		return step.ExitNotFound
	}
	return step.ExitNotExecutable
}
