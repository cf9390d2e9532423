//go:build linux

package sandbox

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/config"
	"stockade/engine/internal/serve"
)

// testServer is a `stockade-engine serve` process and the client side of its protocol.
type testServer struct {
	cmd    *exec.Cmd
	req    *os.File // raw, for the tests of bad requests
	out    *serve.Writer
	stderr *syncBuffer
	exited chan struct{}
	mu     sync.Mutex
	next   uint32
	runs   map[uint32]*servedResult
}

type servedResult struct {
	mu                     sync.Mutex
	stdout, stderr, events bytes.Buffer
	code                   int
	done                   chan struct{}
}

func (r *servedResult) text(b *bytes.Buffer) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return b.String()
}

func startServer(t *testing.T) *testServer {
	t.Helper()
	reqR, reqW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	repR, repW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &testServer{cmd: exec.Command(engineBin, "serve"), req: reqW, out: serve.NewWriter(reqW), stderr: &syncBuffer{}, exited: make(chan struct{}), runs: map[uint32]*servedResult{}}
	s.cmd.Stderr = s.stderr
	s.cmd.ExtraFiles = []*os.File{reqR, repW}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	reqR.Close()
	repW.Close()
	go s.readReplies(repR)
	go func() { _ = s.cmd.Wait(); close(s.exited) }()
	return s
}

// readReplies routes each reply to its run until the server closes fd 4.
func (s *testServer) readReplies(f *os.File) {
	defer f.Close()
	replies := serve.NewReader(f) // replies have the requests' framing
	for {
		m, err := replies.Read()
		if err != nil {
			return
		}
		s.mu.Lock()
		r := s.runs[m.Run]
		s.mu.Unlock()
		if r == nil {
			panic(fmt.Sprintf("reply of kind %d for an unknown run", m.Kind))
		}
		r.mu.Lock()
		switch m.Kind {
		case serve.Stdout:
			r.stdout.Write(m.Payload)
		case serve.Stderr:
			r.stderr.Write(m.Payload)
		case serve.Event:
			r.events.Write(m.Payload)
		case serve.End:
			r.code = int(binary.LittleEndian.Uint32(m.Payload))
			close(r.done)
		}
		r.mu.Unlock()
	}
}

func (s *testServer) send(t *testing.T, kind byte, id uint32, payload []byte) {
	t.Helper()
	if err := s.out.Write(kind, id, payload); err != nil {
		t.Fatal(err)
	}
}

// start starts a run of a frame; with stdin not nil it is the run's whole stdin.
func (s *testServer) start(t *testing.T, data, stdin []byte) (uint32, *servedResult) {
	t.Helper()
	s.mu.Lock()
	s.next++
	id := s.next
	r := &servedResult{done: make(chan struct{})}
	s.runs[id] = r
	s.mu.Unlock()
	mode := byte(serve.StdinNull)
	if stdin != nil {
		mode = serve.StdinPipe
	}
	s.send(t, serve.Start, id, append([]byte{mode}, data...))
	if stdin != nil {
		s.send(t, serve.Stdin, id, stdin)
		s.send(t, serve.StdinEnd, id, nil)
	}
	return id, r
}

func (s *testServer) wait(t *testing.T, r *servedResult) *result {
	t.Helper()
	select {
	case <-r.done:
	case <-time.After(60 * time.Second):
		t.Fatalf("no end of the run; server stderr: %s", s.stderr.String())
	}
	return &result{code: r.code, stdout: r.text(&r.stdout), stderr: r.text(&r.stderr), events: parseEvents(t, strings.NewReader(r.text(&r.events)))}
}

func (s *testServer) run(t *testing.T, data, stdin []byte) *result {
	t.Helper()
	_, r := s.start(t, data, stdin)
	return s.wait(t, r)
}

var shared struct {
	once sync.Once
	s    *testServer
}

// sharedServer is one server for the whole suite under STOCKADE_TEST_SERVE=1; it ends with the
// test binary (its requests reach end-of-file).
func sharedServer(t *testing.T) *testServer {
	shared.once.Do(func() { shared.s = startServer(t) })
	return shared.s
}

func TestServeRunsConcurrently(t *testing.T) {
	s := startServer(t)
	defer s.req.Close()
	const n = 8
	results := make([]*servedResult, n)
	for i := range results {
		_, results[i] = s.start(t, encodeFrame(t, sh(fmt.Sprintf("echo out %d; echo err %d >&2; exit %d", i, i, i+40)), nil), nil)
	}
	for i, r := range results {
		got := s.wait(t, r)
		expectCode(t, got, i+40)
		if got.stdout != fmt.Sprintf("out %d\n", i) || got.stderr != fmt.Sprintf("err %d\n", i) {
			t.Fatalf("run %d: stdout %q, stderr %q", i, got.stdout, got.stderr)
		}
		if e := got.event("exited"); e == nil || e["code"] != float64(i+40) {
			t.Fatalf("run %d: exited event %v", i, got.events)
		}
	}
}

func TestServeStdin(t *testing.T) {
	s := startServer(t)
	defer s.req.Close()
	big := bytes.Repeat([]byte("stockade\n"), 200_000) // 1.8 MB: more than the pipes hold
	r := s.run(t, encodeFrame(t, sh("wc -c"), nil), big)
	expectCode(t, r, 0)
	if strings.TrimSpace(r.stdout) != strconv.Itoa(len(big)) {
		t.Fatalf("wc -c read %q, want %d", r.stdout, len(big))
	}
	// Without a stdin pipe the target reads /dev/null: end of file at once.
	r = s.run(t, encodeFrame(t, sh("cat; echo done"), nil), nil)
	expectCode(t, r, 0)
	if r.stdout != "done\n" {
		t.Fatalf("stdout %q", r.stdout)
	}
	// A target that does not read its stdin ends all the same.
	r = s.run(t, encodeFrame(t, sh("exit 3"), nil), big)
	expectCode(t, r, 3)
}

func TestServeSignals(t *testing.T) {
	s := startServer(t)
	defer s.req.Close()
	script := "trap 'echo got TERM; exit 7' TERM; echo ready; while :; do sleep 0.02; done"
	id, r := s.start(t, encodeFrame(t, sh(script), nil), nil)
	waitForOutput(t, r, "ready")
	s.send(t, serve.Signal, id, []byte{byte(unix.SIGTERM)})
	got := s.wait(t, r)
	expectCode(t, got, 7)
	// SIGKILL ends the whole sandbox, reported as the target killed by it.
	id, r = s.start(t, encodeFrame(t, sh("sh -c 'sleep 100' & echo ready; wait"), nil), nil)
	waitForOutput(t, r, "ready")
	s.send(t, serve.Signal, id, []byte{byte(unix.SIGKILL)})
	got = s.wait(t, r)
	expectCode(t, got, 128+9)
	if e := got.event("exited"); e == nil || e["signal"] != "SIGKILL" {
		t.Fatalf("exited event %v", got.events)
	}
}

func waitForOutput(t *testing.T, r *servedResult, text string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(r.text(&r.stdout), text) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in %q (stderr %q)", text, r.text(&r.stdout), r.text(&r.stderr))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Nothing a run started outlives it unreaped: the server's only child is the zygote (proxies are
// reaped), and the zygote's only child is the spare PID 1, waiting.
func TestServeReapsItsChildren(t *testing.T) {
	s := startServer(t)
	defer s.req.Close()
	allow := sh("exit 0")
	allow.Network = config.Network{Mode: "allowlist", Allow: []string{"example.invalid:443"}}
	for _, c := range []*config.ExecConfig{sh("exit 0"), sh("exit 1"), allow, sh("sleep 0.1 & exit 0")} {
		s.run(t, encodeFrame(t, c, nil), nil)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		kids := childrenOf(s.cmd.Process.Pid)
		var grandkids []child
		if len(kids) == 1 {
			grandkids = childrenOf(kids[0].pid)
		}
		if len(kids) == 1 && kids[0].state != 'Z' && len(grandkids) == 1 && grandkids[0].state != 'Z' {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server's children: %v; the zygote's: %v; want one each, running", kids, grandkids)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type child struct {
	pid   int
	state byte
}

// childrenOf returns pid's children.
func childrenOf(pid int) (kids []child) {
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid …: comm may hold spaces, so fields count from the last ')'.
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			n, _ := strconv.Atoi(e.Name())
			kids = append(kids, child{n, f[0][0]})
		}
	}
	return kids
}

// When the caller goes (its end of fd 3 closes), the runs it left are killed and the server exits.
func TestServeEndsWithItsCaller(t *testing.T) {
	s := startServer(t)
	_, r := s.start(t, encodeFrame(t, sh("echo ready; exec sleep 100"), nil), nil)
	waitForOutput(t, r, "ready")
	var pid int
	for _, e := range parseEvents(t, strings.NewReader(r.text(&r.events))) {
		if e["type"] == "started" {
			pid = int(e["pid"].(float64))
		}
	}
	if pid == 0 {
		t.Fatal("no started event")
	}
	s.req.Close()
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not exit when its requests ended")
	}
	if code := s.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("server exit code %d; stderr %s", code, s.stderr.String())
	}
	if err := unix.Kill(pid, 0); err == nil {
		t.Fatalf("the target (host pid %d) outlived the server", pid)
	}
}

// A request that breaks the protocol ends the server with a message naming it.
func TestServeRefusesBadRequests(t *testing.T) {
	for name, req := range map[string][]byte{
		"unknown kind":     {1, 0, 0, 0, 99, 1, 0, 0, 0, 0},
		"start, no stdin":  {0, 0, 0, 0, serve.Start, 1, 0, 0, 0},
		"oversized":        {0xff, 0xff, 0xff, 0x7f, serve.Start, 1, 0, 0, 0},
		"truncated header": {1, 0},
	} {
		t.Run(name, func(t *testing.T) {
			s := startServer(t)
			if _, err := s.req.Write(req); err != nil {
				t.Fatal(err)
			}
			if name == "truncated header" {
				s.req.Close()
			}
			select {
			case <-s.exited:
			case <-time.After(10 * time.Second):
				t.Fatal("the server did not exit")
			}
			s.req.Close()
			if code := s.cmd.ProcessState.ExitCode(); code != 125 || !strings.Contains(s.stderr.String(), "stockade-engine serve: ") {
				t.Fatalf("exit code %d, stderr %q", code, s.stderr.String())
			}
		})
	}
}

// A bad frame fails its run only: the error goes to that run's stderr and events, with the
// engine's exit code, and the server goes on.
func TestServeBadFrameFailsOneRun(t *testing.T) {
	s := startServer(t)
	defer s.req.Close()
	r := s.run(t, []byte("STKX\x01\x00\x01\x00"), nil)
	expectCode(t, r, 125)
	if !strings.Contains(r.stderr, "bad magic") || r.event("error") == nil {
		t.Fatalf("stderr %q, events %v", r.stderr, r.events)
	}
	expectCode(t, s.run(t, encodeFrame(t, sh("exit 5"), nil), nil), 5)
}
