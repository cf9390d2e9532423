//go:build linux

package sandbox

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"stockade/engine/internal/config"
	"stockade/engine/internal/frame"
)

// These tests build the real engine and run real sandboxes; nothing of the kernel is mocked.

var engineBin string

func TestMain(m *testing.M) {
	// STOCKADE_ENGINE names a prebuilt engine (to run the compiled tests as another user).
	if engineBin = os.Getenv("STOCKADE_ENGINE"); engineBin != "" {
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "stockade-engine-test-")
	if err != nil {
		panic(err)
	}
	engineBin = filepath.Join(dir, "stockade-engine")
	// Both executables, built by engine/build.sh: the engine starts the proxy from its directory.
	if out, err := exec.Command("sh", "../../build.sh", dir).CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// BPF programs (x86-64 and the rest: the arch check is left to the real compiler).
const (
	retAllow       = 0x7fff0000
	retKillProcess = 0x80000000
)

func bpfInsn(code uint16, jt, jf uint8, k uint32) []byte {
	b := binary.LittleEndian.AppendUint16(nil, code)
	b = append(b, jt, jf)
	return binary.LittleEndian.AppendUint32(b, k)
}

// allowAll is a one-instruction program: return ALLOW.
func allowAll() []byte { return bpfInsn(0x06, 0, 0, retAllow) }

// killOn kills the process on syscall number nr and allows everything else.
func killOn(nr uint32) []byte {
	return bytes.Join([][]byte{
		bpfInsn(0x20, 0, 0, 0),  // ld [0] (nr)
		bpfInsn(0x15, 0, 1, nr), // jeq nr
		bpfInsn(0x06, 0, 0, retKillProcess),
		bpfInsn(0x06, 0, 0, retAllow),
	}, nil)
}

// baseConfig is a deny-by-default config with the system directories readable.
func baseConfig(argv ...string) *config.ExecConfig {
	var read []string
	for _, p := range []string{"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc"} {
		if _, err := os.Lstat(p); err == nil {
			read = append(read, p)
		}
	}
	return &config.ExecConfig{
		Version: 1, Argv: argv, Cwd: "/", Env: map[string]string{"PATH": "/usr/bin:/bin"},
		Fs:      config.Fs{Read: read, Write: []string{}, Hide: []string{}, ReadOnly: []string{}, Sockets: []string{}, TmpBytes: 8 << 20},
		Network: config.Network{Mode: "none"}, Process: config.Process{NewSession: true, DieWithParent: true},
		Degrade: []string{}, Hostname: "sandbox",
	}
}

type result struct {
	code   int
	stdout string
	stderr string
	events []map[string]any
}

func (r *result) event(typ string) map[string]any {
	for _, e := range r.events {
		if e["type"] == typ {
			return e
		}
	}
	return nil
}

// runFrame runs the engine on raw frame bytes with extra files after fd 4: `run`, or with
// STOCKADE_TEST_SERVE=1 a run of one `serve` engine shared by the tests (serve_test.go), so every
// sandbox test holds for both (the extra files cannot reach a server: it has descriptors of its
// own that must not leak, its requests, replies and the other runs' pipes).
func runFrame(t *testing.T, data []byte, extra ...*os.File) *result {
	t.Helper()
	if os.Getenv("STOCKADE_TEST_SERVE") == "1" {
		return sharedServer(t).run(t, data, nil)
	}
	framePath := filepath.Join(t.TempDir(), "frame.bin")
	if err := os.WriteFile(framePath, data, 0o600); err != nil {
		t.Fatal(err)
	}
	frameFile, err := os.Open(framePath)
	if err != nil {
		t.Fatal(err)
	}
	defer frameFile.Close()
	evR, evW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer evR.Close()
	cmd := exec.Command(engineBin, "run")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.ExtraFiles = append([]*os.File{frameFile, evW}, extra...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	evW.Close()
	events := parseEvents(t, evR)
	_ = cmd.Wait()
	return &result{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String(), events: events}
}

// parseEvents reads event lines to the end.
func parseEvents(t *testing.T, r io.Reader) []map[string]any {
	t.Helper()
	var events []map[string]any
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		var e map[string]any
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("event line is not JSON: %q", sc.Text())
		}
		events = append(events, e)
	}
	return events
}

// run runs a config with a seccomp program (allow-all when nil).
func run(t *testing.T, c *config.ExecConfig, bpf []byte, extra ...*os.File) *result {
	t.Helper()
	return runFrame(t, encodeFrame(t, c, bpf), extra...)
}

// encodeFrame encodes c with a seccomp program (allow-all when nil).
func encodeFrame(t *testing.T, c *config.ExecConfig, bpf []byte) []byte {
	t.Helper()
	if bpf == nil {
		bpf = allowAll()
	}
	raw, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	data, err := frame.Encode(&frame.Frame{Config: raw, Seccomp: bpf})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func sh(script string) *config.ExecConfig { return baseConfig("/bin/sh", "-c", script) }

func expectCode(t *testing.T, r *result, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d, want %d\nstdout: %s\nstderr: %s\nevents: %v", r.code, code, r.stdout, r.stderr, r.events)
	}
}

func lines(s string) []string { return strings.Split(strings.TrimSpace(s), "\n") }

// started is an engine running in the background.
type started struct {
	cmd    *exec.Cmd
	stdout *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// frameFile writes c (allow-all seccomp) to a frame file and returns its path.
func frameFile(t *testing.T, c *config.ExecConfig) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "frame.bin")
	if err := os.WriteFile(p, encodeFrame(t, c, nil), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func startEngine(t *testing.T, c *config.ExecConfig) *started {
	t.Helper()
	s := &started{cmd: exec.Command(engineBin, "run", "--frame", frameFile(t, c)), stdout: &syncBuffer{}}
	s.cmd.Stdout = s.stdout
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.cmd.Process.Kill(); s.cmd.Wait() })
	return s
}

func waitFor(t *testing.T, s *started, text string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(s.stdout.String(), text) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in %q", text, s.stdout.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
