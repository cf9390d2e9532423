package netproxy

import (
	"context"
	"fmt"
	"net"
	"strconv"
)

// maxQuestions bounds how many distinct host:port pairs one run may put to Options.Ask, so a
// hostile command cannot flood the person or program answering (nor grow the cache unbounded).
const maxQuestions = 256

// askEntry is one question to Options.Ask, shared by every request for the same host:port.
type askEntry struct {
	done    chan struct{} // closed once allowed and reason are final
	allowed bool
	reason  string
}

// ask returns Options.Ask's answer for req, asking at most once per host:port for the Proxy's
// lifetime. A caller whose ctx ends stops waiting (and is refused) without cancelling the
// question for others.
func (p *Proxy) ask(ctx context.Context, req Request) (bool, string) {
	key := net.JoinHostPort(req.Host, strconv.Itoa(req.Port))
	p.askMu.Lock()
	e := p.asks[key]
	if e == nil && len(p.asks) >= maxQuestions {
		p.askMu.Unlock()
		return false, fmt.Sprintf("more than %d distinct destinations were put to the network request decision", maxQuestions)
	}
	if e == nil {
		e = &askEntry{done: make(chan struct{})}
		p.asks[key] = e
		go p.runAsk(e, req)
	}
	p.askMu.Unlock()
	select {
	case <-e.done:
		return e.allowed, e.reason
	case <-ctx.Done():
		return false, "connection ended while waiting for the network request decision"
	}
}

func (p *Proxy) runAsk(e *askEntry, req Request) {
	defer close(e.done)
	ctx, cancel := context.WithTimeout(context.Background(), p.opts.AskTimeout)
	defer cancel()
	answer := make(chan bool, 1) // buffered: a late answer must not block the callback forever
	go func() { answer <- p.opts.Ask(ctx, req) }()
	select {
	case ok := <-answer:
		e.allowed = ok
		if ok {
			e.reason = "allowed by the network request decision"
		} else {
			e.reason = "refused by the network request decision"
		}
	case <-ctx.Done():
		e.reason = fmt.Sprintf("no network request decision within %s", p.opts.AskTimeout)
	}
}
