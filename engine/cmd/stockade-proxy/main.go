//go:build linux

// Command stockade-proxy is the filtering proxy of one allowlist run, started by stockade-engine
// from its own directory: it accepts on the listening socket the sandbox's PID 1 made inside the
// sandbox's network namespace (fd 3), writes refusals and questions as events on fd 4, reads the
// caller's answers on fd 5, and dials out from the host. It ends with the engine (parent-death
// signal). Not a command.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"stockade/engine/internal/allowlist"
	"stockade/engine/internal/config"
	"stockade/engine/internal/events"
)

func main() {
	var n config.Network
	if len(os.Args) != 2 || json.Unmarshal([]byte(os.Args[1]), &n) != nil {
		fmt.Fprintln(os.Stderr, "stockade-proxy: the network proxy of stockade-engine, not a command")
		os.Exit(2)
	}
	ev := events.Open(4)
	proxy, err := allowlist.New(&n, ev, 5)
	if err != nil {
		ev.Warning("proxy", fmt.Sprintf("the network proxy could not start: %v", err))
		os.Exit(1)
	}
	proxy.Serve(context.Background(), 3)
	select {}
}
