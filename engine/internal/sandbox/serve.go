//go:build linux

package sandbox

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/config"
	"stockade/engine/internal/events"
	"stockade/engine/internal/frame"
	"stockade/engine/internal/serve"
	"stockade/engine/internal/step"
)

// Fds of `serve`, set up by its caller.
const (
	requestsFd = 3
	repliesFd  = 4
)

// server is `stockade-engine serve`: one engine process that runs sandbox after sandbox for a
// long-lived caller, so neither the caller's spawn nor the engine's start-up is paid per run, and
// the next run's PID 1 is forked (by the zygote, zygote.go) and has made its namespaces before the
// run is asked for. Each run is exactly what `run` does with its frame (its own PID 1, namespaces,
// view, proxy, cgroup); only its stdio, events and answers travel as messages (package serve)
// through pipes of its own.
type server struct {
	out    *serve.Writer
	spares spares
	mu     sync.Mutex
	runs   map[uint32]*servedRun
	ended  sync.WaitGroup
}

// servedRun is one run's state the request loop needs.
type servedRun struct {
	id      uint32
	signals chan os.Signal
	stdin   *feeder // nil when the run's stdin is /dev/null
	answers *feeder
}

// Serve is `stockade-engine serve`; it returns when the caller closes fd 3 and the runs it left
// are gone.
func Serve() int {
	_ = unix.CloseRange(repliesFd+1, ^uint(0), unix.CLOSE_RANGE_CLOEXEC)
	holdStdio()
	// The server ends with its caller; every PID 1 ends with the server (its parent-death signal).
	if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(unix.SIGKILL), 0, 0, 0); err != nil || os.Getppid() == 1 {
		fmt.Fprintln(os.Stderr, "stockade-engine serve: the caller is already gone")
		return 125
	}
	in, out, err := serveFiles()
	if err != nil {
		fmt.Fprintf(os.Stderr, "stockade-engine serve: %v\n  hint: start it with requests on fd 3 and replies on fd 4 (docs/engine-protocol.md)\n", err)
		return 2
	}
	s := &server{out: serve.NewWriter(out), runs: map[uint32]*servedRun{}}
	if err := s.spares.forkZygote(); err != nil {
		fmt.Fprintf(os.Stderr, "stockade-engine serve: %v\n", err)
		return 125
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, unix.SIGTERM, unix.SIGINT, unix.SIGHUP)
	go func() {
		for sig := range sigs { // as `run` does for its one target: forwarded to each
			s.signalAll(sig)
		}
	}()
	code := s.loop(serve.NewReader(in))
	s.signalAll(unix.SIGKILL)
	done := make(chan struct{})
	go func() { s.ended.Wait(); close(done) }()
	select { // the runs' clean-ups (cgroups, placeholders) have a moment to finish
	case <-done:
	case <-time.After(2 * time.Second):
	}
	return code
}

// serveFiles opens fd 3 and fd 4 through Go's poller (their other ends are the caller's alone).
func serveFiles() (in, out *os.File, err error) {
	for _, fd := range []int{requestsFd, repliesFd} {
		if err := unix.SetNonblock(fd, true); err != nil {
			return nil, nil, fmt.Errorf("fd %d: %w", fd, err)
		}
		unix.CloseOnExec(fd)
	}
	return os.NewFile(requestsFd, "requests"), os.NewFile(repliesFd, "replies"), nil
}

// loop reads requests until the caller closes fd 3 (exit code 0) or breaks the protocol.
func (s *server) loop(r *serve.Reader) int {
	for {
		m, err := r.Read()
		if errors.Is(err, io.EOF) {
			return 0
		}
		if err == nil {
			err = s.dispatch(m)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "stockade-engine serve: %v\n", err)
			return 125
		}
	}
}

func (s *server) dispatch(m serve.Message) error {
	switch m.Kind {
	case serve.Start:
		return s.start(m.Run, m.Payload)
	case serve.Stdin, serve.StdinEnd, serve.Answer, serve.Signal:
	default:
		return fmt.Errorf("run %d: unknown request kind %d", m.Run, m.Kind)
	}
	s.mu.Lock()
	r := s.runs[m.Run]
	s.mu.Unlock()
	if r == nil {
		// The run has ended: input and signals that crossed its end are dropped.
		return nil
	}
	switch m.Kind {
	case serve.Stdin, serve.StdinEnd:
		if r.stdin == nil {
			return fmt.Errorf("run %d: stdin request for a run started with /dev/null", m.Run)
		}
		if m.Kind == serve.Stdin {
			r.stdin.push(m.Payload)
		} else {
			r.stdin.end()
		}
	case serve.Answer:
		r.answers.push(m.Payload)
	case serve.Signal:
		if len(m.Payload) != 1 || m.Payload[0] == 0 || m.Payload[0] > 64 {
			return fmt.Errorf("run %d: bad signal request %v", m.Run, m.Payload)
		}
		r.signal(syscall.Signal(m.Payload[0]))
	}
	return nil
}

// signal passes sig to the run's supervisor without waiting (a full queue already ends it).
func (r *servedRun) signal(sig os.Signal) {
	select {
	case r.signals <- sig:
	default:
	}
}

func (s *server) signalAll(sig os.Signal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.runs {
		r.signal(sig)
	}
}

// start sets a run up (its pipes, so input that follows at once has somewhere to go) and runs it
// on a goroutine of its own.
func (s *server) start(id uint32, payload []byte) error {
	if len(payload) < 1 || payload[0] > serve.StdinPipe {
		return fmt.Errorf("run %d: start request without a stdin mode", id)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.runs[id] != nil {
		return fmt.Errorf("run %d: started twice", id)
	}
	r := &servedRun{id: id, signals: make(chan os.Signal, 4)}
	p, err := openRunPipes(payload[0] == serve.StdinPipe)
	if err != nil {
		// This run cannot start; the server and the other runs go on.
		_ = s.out.Write(serve.Stderr, id, []byte(fmt.Sprintf("stockade-engine: pipes for the run: %v\n", err)))
		return s.out.Write(serve.End, id, binary.LittleEndian.AppendUint32(nil, step.ExitEngine))
	}
	if p.stdinW != nil {
		r.stdin = newFeeder(p.stdinW)
	}
	r.answers = newFeeder(p.answersW)
	s.runs[id] = r
	s.ended.Add(1)
	go s.run(r, p, payload[1:])
	return nil
}

// run is one sandbox, as `run` would run it, with its output relayed; End is its last reply.
func (s *server) run(r *servedRun, p *runPipes, raw []byte) {
	defer s.ended.Done()
	var relays sync.WaitGroup
	for _, rl := range []struct {
		f    *os.File
		kind byte
	}{{p.stdoutR, serve.Stdout}, {p.stderrR, serve.Stderr}, {p.eventsR, serve.Event}} {
		relays.Add(1)
		go s.relay(r.id, rl.f, rl.kind, &relays)
	}
	ev := events.NewWriter(p.eventsW)
	o := &outer{
		io: runIO{
			stdio:   [3]int{int(p.stdinR.Fd()), int(p.stdoutW.Fd()), int(p.stderrW.Fd())},
			events:  int(p.eventsW.Fd()),
			answers: int(p.answersR.Fd()),
			errOut:  replyTo{s.out, serve.Stderr, r.id},
			signals: r.signals,
		},
		ev:   ev,
		pool: &s.spares,
	}
	code := o.runFrame(func() (*frame.Frame, error) { return frame.Read(bytes.NewReader(raw)) })
	// As `run` does before its exit: the proxy (which holds the events pipe too), the
	// placeholders and the cgroup go before the caller hears of the end.
	o.finish()
	p.closeTargetEnds()
	r.answers.end()
	if r.stdin != nil {
		r.stdin.end()
	}
	relays.Wait()
	s.mu.Lock()
	delete(s.runs, r.id)
	s.mu.Unlock()
	_ = s.out.Write(serve.End, r.id, binary.LittleEndian.AppendUint32(nil, uint32(code)))
}

// relay sends what a pipe carries as replies of kind, until every writer has closed it.
func (s *server) relay(id uint32, f *os.File, kind byte, wg *sync.WaitGroup) {
	defer wg.Done()
	defer f.Close()
	buf := make([]byte, serve.MaxChunk)
	for {
		n, err := f.Read(buf)
		if n > 0 {
			// A caller that is gone fails every write; reading on lets the target finish.
			_ = s.out.Write(kind, id, buf[:n])
		}
		if err != nil {
			return
		}
	}
}

// replyTo is an io.Writer of one run's replies of one kind (the engine's own message about a
// run goes to that run's stderr, as `run` writes it to its own).
type replyTo struct {
	w    *serve.Writer
	kind byte
	run  uint32
}

func (r replyTo) Write(b []byte) (int, error) {
	if err := r.w.Write(r.kind, r.run, b); err != nil {
		return 0, err
	}
	return len(b), nil
}

// runPipes are a run's pipes. The target's ends (…R for stdin and answers, …W for the rest) are
// blocking, as a program expects; the engine's ends go through Go's poller.
type runPipes struct {
	stdinR, stdoutW, stderrW, eventsW, answersR *os.File // the run's (target's, PID 1's, proxy's)
	stdinW, stdoutR, stderrR, eventsR, answersW *os.File // the engine's; stdinW nil with /dev/null
}

func openRunPipes(stdinPipe bool) (*runPipes, error) {
	p := &runPipes{}
	var err error
	if stdinPipe {
		p.stdinR, p.stdinW, err = enginePipe(false)
	} else {
		p.stdinR, err = os.OpenFile("/dev/null", os.O_RDONLY, 0)
	}
	if err == nil {
		p.stdoutR, p.stdoutW, err = enginePipe(true)
	}
	if err == nil {
		p.stderrR, p.stderrW, err = enginePipe(true)
	}
	if err == nil {
		p.eventsR, p.eventsW, err = enginePipe(true)
	}
	if err == nil {
		p.answersR, p.answersW, err = enginePipe(false)
	}
	if err != nil {
		for _, f := range append(p.targetEnds(), p.stdinW, p.stdoutR, p.stderrR, p.eventsR, p.answersW) {
			if f != nil {
				f.Close()
			}
		}
	}
	return p, err
}

// targetEnds are the ends the run is given.
func (p *runPipes) targetEnds() []*os.File {
	return []*os.File{p.stdinR, p.stdoutW, p.stderrW, p.eventsW, p.answersR}
}

// enginePipe makes a pipe whose engine end (the read end when engineReads) is non-blocking.
func enginePipe(engineReads bool) (r, w *os.File, err error) {
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_CLOEXEC); err != nil {
		return nil, nil, err
	}
	mine := fds[1]
	if engineReads {
		mine = fds[0]
	}
	if err := unix.SetNonblock(mine, true); err != nil {
		unix.Close(fds[0])
		unix.Close(fds[1])
		return nil, nil, err
	}
	return os.NewFile(uintptr(fds[0]), "pipe"), os.NewFile(uintptr(fds[1]), "pipe"), nil
}

// closeTargetEnds closes the engine's copies of the ends the run was given, once it is over: the
// relays then reach end-of-file, and writes to stdin or answers fail instead of blocking.
func (p *runPipes) closeTargetEnds() {
	for _, f := range p.targetEnds() {
		f.Close()
	}
}

// feeder writes what the caller sends for a run's stdin or answers, in order, without holding up
// the request loop while the reader is slow; it closes its pipe at the end.
type feeder struct {
	mu    sync.Mutex
	more  *sync.Cond
	queue [][]byte
	done  bool
	w     *os.File
}

func newFeeder(w *os.File) *feeder {
	f := &feeder{w: w}
	f.more = sync.NewCond(&f.mu)
	go f.write()
	return f
}

func (f *feeder) push(b []byte) {
	f.mu.Lock()
	if !f.done {
		f.queue = append(f.queue, b)
		f.more.Signal()
	}
	f.mu.Unlock()
}

func (f *feeder) end() {
	f.mu.Lock()
	f.done = true
	f.more.Signal()
	f.mu.Unlock()
}

func (f *feeder) write() {
	defer f.w.Close()
	broken := false
	for {
		f.mu.Lock()
		for len(f.queue) == 0 && !f.done {
			f.more.Wait()
		}
		if len(f.queue) == 0 {
			f.mu.Unlock()
			return
		}
		b := f.queue[0]
		f.queue = f.queue[1:]
		f.mu.Unlock()
		if !broken {
			// A reader that is gone (the target closed its stdin) drops the rest.
			_, err := f.w.Write(b)
			broken = err != nil
		}
	}
}

// spares keeps one PID 1 forked ahead by the zygote, with the namespaces a run asks for by
// default (a new network namespace and session), so a run finds its namespaces made.
type spares struct {
	zygote *zygote
	mu     sync.Mutex
	ready  *initProc
	want   chan struct{}
}

// forkZygote forks the zygote from a goroutine that lives as long as the server (plan.Fork locks
// it to its thread, whose end fires the zygote's parent-death signal), which then asks it for each
// spare.
func (sp *spares) forkZygote() error {
	sp.want = make(chan struct{}, 1)
	started := make(chan error)
	go func() {
		z, err := startZygote()
		sp.zygote = z
		started <- err
		if err != nil {
			return
		}
		for range sp.want {
			sp.mu.Lock()
			have := sp.ready != nil
			sp.mu.Unlock()
			if have {
				continue
			}
			p, err := z.start(true, true)
			if err != nil {
				continue // the run that needs one forks its own and reports why it cannot
			}
			sp.mu.Lock()
			sp.ready = p
			sp.mu.Unlock()
		}
	}()
	if err := <-started; err != nil {
		return err
	}
	sp.refill()
	return nil
}

func (sp *spares) take(c *config.ExecConfig) *initProc {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	p := sp.ready
	if p == nil || !p.fits(c) {
		return nil
	}
	sp.ready = nil
	return p
}

func (sp *spares) start(newNet, newSession bool) (*initProc, error) {
	return sp.zygote.start(newNet, newSession)
}

func (sp *spares) refill() {
	select {
	case sp.want <- struct{}{}:
	default:
	}
}
