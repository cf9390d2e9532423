package rlimit

import (
	"fmt"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/config"
	"stockade/engine/internal/plan"
)

// PlanOps adds the ops that set the limits on the process that runs them (prlimit64 on itself).
func PlanOps(pl *plan.Plan, l *config.Limits, p Plan) error {
	limits, err := Limits(l, p)
	if err != nil {
		return err
	}
	for _, lim := range limits {
		s := pl.Step(plan.Step{Name: "rlimit", What: fmt.Sprintf("%s=%d", lim.Name, lim.Soft)})
		r := plan.Struct(pl, &unix.Rlimit{Cur: lim.Soft, Max: lim.Hard})
		if lim.Resource == unix.RLIMIT_NPROC {
			pl.Export(plan.ExportNproc, r) // a supervising PID 1 adds its own threads (sandbox/supervise.go)
		}
		pl.Call(s, unix.SYS_PRLIMIT64, plan.Lit(0), plan.Lit(lim.Resource), r.Addr(), plan.Lit(0))
	}
	return nil
}
