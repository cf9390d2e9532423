package sandbox

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/netproxy"
)

// serveProxy runs the allowlist proxy on a listening socket made inside the sandbox's netns
// (accepted here, in the host's netns; connections dial out from the host).
func (o *outer) serveProxy(ctx context.Context, fd int) {
	ln, err := netproxy.ListenerFromFD(fd)
	if err != nil {
		unix.Close(fd)
		o.ev.Warning("proxy", fmt.Sprintf("the network proxy could not start: %v", err))
		return
	}
	opts := netproxy.Options{OnEvent: func(e netproxy.Event) {
		if e.Allowed {
			return
		}
		o.ev.Violation("network", fmt.Sprintf("%s:%d", e.Host, e.Port), map[string]any{
			"host": e.Host, "port": e.Port, "protocol": e.Protocol, "reason": e.Reason,
		})
	}}
	if o.cfg.Network.Ask && o.ev.Enabled() {
		if a := newAsker(o); a != nil {
			opts.Ask = a.ask
		}
	}
	go func() { _ = netproxy.New(o.rules, opts).Serve(ctx, ln) }()
}

// asker puts hosts that match no rule to the caller: an `ask` event on fd 4, the answer as a JSON
// line {"id":N,"allow":bool} on fd 5. No answer channel (newAsker returns nil), or no answer in
// time, refuses.
type asker struct {
	o       *outer
	mu      sync.Mutex
	next    int
	pending map[int]chan bool
}

func newAsker(o *outer) *asker {
	if _, err := unix.FcntlInt(answersFd, unix.F_GETFD, 0); err != nil {
		return nil
	}
	a := &asker{o: o, pending: map[int]chan bool{}}
	unix.CloseOnExec(answersFd)
	go a.readAnswers(os.NewFile(answersFd, "answers"))
	return a
}

func (a *asker) readAnswers(f *os.File) {
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var ans struct {
			ID    *int  `json:"id"`
			Allow *bool `json:"allow"`
		}
		if json.Unmarshal(sc.Bytes(), &ans) != nil || ans.ID == nil || ans.Allow == nil {
			continue
		}
		a.mu.Lock()
		ch := a.pending[*ans.ID]
		delete(a.pending, *ans.ID)
		a.mu.Unlock()
		if ch != nil {
			ch <- *ans.Allow
		}
	}
}

func (a *asker) ask(ctx context.Context, req netproxy.Request) bool {
	a.mu.Lock()
	a.next++
	id := a.next
	ch := make(chan bool, 1)
	a.pending[id] = ch
	a.mu.Unlock()
	a.o.ev.Ask(id, req.Host, req.Port, req.Protocol)
	select {
	case allow := <-ch:
		return allow
	case <-ctx.Done():
		a.mu.Lock()
		delete(a.pending, id)
		a.mu.Unlock()
		return false
	}
}
