//go:build linux

package sandbox

import (
	"sync"

	"stockade/engine/internal/plan"
	"stockade/engine/internal/step"
	"stockade/engine/internal/view"
)

// The prelude is what every PID 1 builds while it waits for its plan: the sandbox's /proc and
// /dev (view.Prelude), which no run's options change. The engine plans and seals it once and
// sends it to each PID 1 as soon as it is forked, so the view of a run, planned later, only
// clones them. A PID 1 takes no plan before it has run its prelude.
var prelude struct {
	once sync.Once
	plan *plan.Plan
	fd   int // the sealed plan, sent to every PID 1
	err  error
}

// preludePlan is the prelude, planned and sealed on first use.
func preludePlan() (*plan.Plan, int, error) {
	prelude.once.Do(func() {
		prelude.plan = plan.New()
		view.Prelude(prelude.plan)
		fd, err := prelude.plan.Seal()
		if err == nil {
			fd, err = aboveRunFds(fd) // `run` seals it before it has probed fds 3-5
		}
		prelude.fd, prelude.err = fd, err
	})
	return prelude.plan, prelude.fd, prelude.err
}

// sendPrelude hands PID 1 its prelude.
func (p *initProc) sendPrelude() error {
	_, fd, err := preludePlan()
	if err == nil {
		err = p.status.send(record{Kind: recPrelude}, fd)
	}
	if err != nil {
		return step.Fail("init", "hand over the prelude", err)
	}
	return nil
}
