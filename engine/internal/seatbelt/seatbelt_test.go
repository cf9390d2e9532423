package seatbelt

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"stockade/engine/internal/config"
	"stockade/engine/internal/step"
)

func configWith(edit func(*config.ExecConfig)) *config.ExecConfig {
	c := &config.ExecConfig{
		Argv:    []string{"make", "-j2"},
		Cwd:     "/Users/me/p",
		Env:     map[string]string{"PATH": "/usr/bin:/bin", "HOME": "/tmp"},
		Network: config.Network{Mode: "none"},
	}
	if edit != nil {
		edit(c)
	}
	return c
}

func TestCheckRefusesWhatMacOSCannotEnforce(t *testing.T) {
	profile := []byte("(version 1)")
	cases := []struct {
		name    string
		edit    func(*config.ExecConfig)
		profile []byte
		want    string
	}{
		{"no profile", nil, nil, `frame: the "seatbelt" section is missing or empty; it is required on macOS`},
		{"memory", func(c *config.ExecConfig) { c.Limits.MemoryBytes = 1 << 30 }, profile, "rlimit limits.memoryBytes: macOS enforces neither RLIMIT_AS nor cgroups"},
		{"pids", func(c *config.ExecConfig) { c.Limits.Pids = 10 }, profile, "rlimit limits.pids: RLIMIT_NPROC on macOS counts every process of the user, not the sandbox's"},
		{"ask", func(c *config.ExecConfig) { c.Network = config.Network{Mode: "allowlist", Ask: true} }, profile, "network network.ask: asking about unlisted hosts is not available on macOS"},
	}
	for _, tc := range cases {
		err := Check(configWith(tc.edit), tc.profile)
		var se *step.Error
		if !errors.As(err, &se) || err.Error() != tc.want || se.Hint == "" {
			t.Errorf("%s: got %v, want %q with a hint", tc.name, err, tc.want)
		}
	}
	ok := configWith(func(c *config.ExecConfig) {
		c.Limits = config.Limits{CPUSeconds: 5, FileSizeBytes: 1 << 20, OpenFiles: 64, WallMs: 1000}
		c.Network = config.Network{Mode: "allowlist", Allow: []string{"example.com"}}
	})
	if err := Check(ok, profile); err != nil {
		t.Errorf("enforceable limits refused: %v", err)
	}
}

func TestCommandPassesTheProfileParametersAndTheTargetUnchanged(t *testing.T) {
	got := Command("/run/d/profile.sb", map[string]string{ParamTmpDir: "/run/d/tmp", ParamProxyPort: "40123"}, "/usr/bin/make", []string{"make", "-f", "-D X=1", ""})
	want := []string{SandboxExec, "-f", "/run/d/profile.sb", "-D", "PROXY_PORT=40123", "-D", "TMPDIR=/run/d/tmp", "/usr/bin/make", "-f", "-D X=1", ""}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if got := Command("/p.sb", nil, "/bin/true", []string{"true"}); !reflect.DeepEqual(got, []string{SandboxExec, "-f", "/p.sb", "/bin/true"}) {
		t.Errorf("without parameters: %q", got)
	}
}

func TestEnvIsExactPlusProxyAndPrivateTmp(t *testing.T) {
	c := configWith(func(c *config.ExecConfig) {
		c.Network = config.Network{Mode: "allowlist", Allow: []string{"a.example"}}
	})
	tmp := "/private/var/folders/x/stockade-1/tmp"
	env := Env(c, 40123, tmp)
	// The Linux environment (config.TargetEnv, proxy variables included), HOME moved to the
	// private directory and TMPDIR added.
	var want []string
	for _, kv := range c.TargetEnv(40123) {
		if kv == "HOME=/tmp" {
			kv = "HOME=" + tmp
		}
		want = append(want, kv)
	}
	want = append(want, "TMPDIR="+tmp)
	sort.Strings(want)
	if !reflect.DeepEqual(env, want) {
		t.Errorf("got %q\nwant %q", env, want)
	}
	if !slices.Contains(env, "HTTPS_PROXY=http://127.0.0.1:40123") || !slices.Contains(env, "PATH=/usr/bin:/bin") {
		t.Errorf("proxy or PATH missing: %q", env)
	}
	if c.Env["HOME"] != "/tmp" || c.Env["TMPDIR"] != "" {
		t.Errorf("Env changed the config: %v", c.Env)
	}
	plain := Env(configWith(func(c *config.ExecConfig) { c.Env["HOME"] = "/Users/me" }), 0, "")
	if !reflect.DeepEqual(plain, []string{"HOME=/Users/me", "PATH=/usr/bin:/bin"}) {
		t.Errorf("no network, no tmp: %q", plain)
	}
}

func TestLookPathLikeAShell(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tool := write("tool", 0o755)
	write("data", 0o644)
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	path := "/nonexistent:" + dir
	if got, err := LookPath("tool", path, "/"); err != nil || got != tool {
		t.Errorf("tool: %q %v", got, err)
	}
	if got, err := LookPath(tool, "", "/"); err != nil || got != tool {
		t.Errorf("absolute: %q %v", got, err)
	}
	codes := map[string]int{"data": step.ExitNotExecutable, "sub": step.ExitNotExecutable, "missing": step.ExitNotFound, dir + "/missing": step.ExitNotFound, tool + "/x": step.ExitNotFound}
	for name, code := range codes {
		_, err := LookPath(name, path, "/")
		var se *step.Error
		if !errors.As(err, &se) || se.Code != code || se.Step != "command" || !strings.Contains(err.Error(), `"`+name+`"`) {
			t.Errorf("%s: got %v, want exit code %d", name, err, code)
		}
	}
	if got, err := LookPath("./tool", "", dir); err != nil || got != tool {
		t.Errorf("relative to the working directory: %q %v", got, err)
	}
	if got, err := LookPath("tool", "bin:.", dir); err != nil || got != tool {
		t.Errorf("relative PATH entry: %q %v", got, err)
	}
	if _, err := LookPath("tool", "", "/"); err == nil || !strings.Contains(err.Error(), "no PATH") {
		t.Errorf("empty PATH: %v", err)
	}
}
