//go:build linux

// Package allowlist runs the filtering proxy (engine/internal/netproxy) of a run in allowlist
// mode, in the stockade-proxy process the engine starts: refused destinations become violation
// events, and with network.ask the hosts no rule matches are put to the caller. The engine itself
// does not link it, and so starts without net/http and its TLS stack.
package allowlist

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/config"
	"stockade/engine/internal/events"
	"stockade/engine/internal/netproxy"

	"stockade/engine/internal/netrules"
)

// Proxy is the allowlist proxy of one run.
type Proxy struct {
	rules     *netrules.Rules
	ev        *events.Writer
	ask       bool
	answersFd int
}

// New checks network.allow and network.deny (the error is the rule parser's, unchanged) and makes
// the proxy of a run; answersFd is where the caller's answers arrive.
func New(n *config.Network, ev *events.Writer, answersFd int) (*Proxy, error) {
	rules, err := netrules.ParseRules(n.Allow, n.Deny)
	if err != nil {
		return nil, err
	}
	return &Proxy{rules: rules, ev: ev, ask: n.Ask, answersFd: answersFd}, nil
}

// Serve runs the proxy on a listening socket made inside the sandbox's netns (accepted here, in
// the host's netns; connections dial out from the host) until ctx ends.
func (p *Proxy) Serve(ctx context.Context, fd int) {
	ln, err := netproxy.ListenerFromFD(fd)
	if err != nil {
		unix.Close(fd)
		p.ev.Warning("proxy", fmt.Sprintf("the network proxy could not start: %v", err))
		return
	}
	opts := netproxy.Options{OnEvent: func(e netproxy.Event) {
		if e.Allowed {
			return
		}
		p.ev.Violation("network", fmt.Sprintf("%s:%d", e.Host, e.Port), map[string]any{
			"host": e.Host, "port": e.Port, "protocol": e.Protocol, "reason": e.Reason,
		})
	}}
	if p.ask && p.ev.Enabled() {
		if a := newAsker(p.ev, p.answersFd); a != nil {
			opts.Ask = a.ask
		}
	}
	go func() { _ = netproxy.New(p.rules, opts).Serve(ctx, ln) }()
}

// asker puts hosts that match no rule to the caller: an `ask` event on fd 4, the answer as a JSON
// line {"id":N,"allow":bool} on fd 5 (answersFd). No answer channel (newAsker returns nil), or no answer in
// time, refuses.
type asker struct {
	ev      *events.Writer
	mu      sync.Mutex
	next    int
	pending map[int]chan bool
}

func newAsker(ev *events.Writer, answersFd int) *asker {
	if _, err := unix.FcntlInt(uintptr(answersFd), unix.F_GETFD, 0); err != nil {
		return nil
	}
	a := &asker{ev: ev, pending: map[int]chan bool{}}
	unix.CloseOnExec(answersFd)
	go a.readAnswers(os.NewFile(uintptr(answersFd), "answers"))
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
	a.ev.Ask(id, req.Host, req.Port, req.Protocol)
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
