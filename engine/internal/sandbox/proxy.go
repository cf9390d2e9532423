//go:build linux

package sandbox

import (
	"context"

	"stockade/engine/internal/config"
	"stockade/engine/internal/events"
)

// ProxyServer is the allowlist proxy of one run, as the outer engine uses it.
type ProxyServer interface {
	// Serve accepts on the listening socket PID 1 made in the sandbox's netns until ctx ends.
	Serve(ctx context.Context, listener int)
}

// NewProxy makes the proxy of a run in allowlist mode; its error is the rule parser's. It is
// sandbox/allowlist.New, set by cmd/stockade-engine, so this package does not depend on net/http.
var NewProxy func(n *config.Network, ev *events.Writer, answersFd int) (ProxyServer, error)
