//go:build linux

// Package plan carries out system calls where Go code cannot run: in the child of a fork of the
// engine, which holds a copy of a multi-threaded Go runtime with one thread left. The engine
// decides everything in ordinary Go — which paths to open, mount and check, every struct and
// argument — and writes it down as a Plan: a straight list of system calls over an arena of
// strings and structs. The child maps the plan and runs it with a loop of raw system calls (run.go),
// so a sandbox starts with one Go runtime, the engine's, instead of one per stage.
//
// A plan is position-independent: pointers in the arena are stored as arena offsets and listed as
// relocations, so it can be built in one process, sealed in a memfd, and run by another.
package plan

import (
	"encoding/binary"
	"errors"
	"fmt"
	"syscall"
	"unsafe"

	"stockade/engine/internal/step"
)

// Op is one system call of a plan, or a pseudo-op (Nr >= pseudoBase).
type Op struct {
	Nr      uint64
	Arg     [6]uint64
	Kind    [6]uint8 // how each Arg is read: argLit, argAddr, argCell
	Flags   uint8
	_       uint8
	Out     uint32 // arena offset + 1 of the cell that receives the result; 0 for none
	Errno   uint16 // FlagSkipErr: the errno that is not a failure (0: any)
	SkipErr uint16 // FlagSkipErr: how many of the following ops that errno skips
	SkipOK  uint16 // FlagSkipOK: how many of the following ops success skips
	_       uint16
	Step    uint32 // index into Plan.Steps: what the op is for, in messages
	_       uint32
}

// How an argument is read.
const (
	argLit  = iota // the value itself
	argAddr        // an arena offset: the address of the arena plus it
	argCell        // an arena offset: the 8-byte value stored there (a result of an earlier op)
)

// Op flags.
const (
	FlagSkipErr = 1 << iota // on error Errno (any error when 0), skip the next SkipErr ops and go on
	FlagSkipOK              // on success, skip the next SkipOK ops
	FlagOut4                // store the result in 4 bytes (an int field of a kernel struct)
)

// Pseudo-ops: work between system calls that needs no Go code.
const (
	pseudoBase = 1 << 32
	// OpEqual(a, b) fails with ErrMismatch unless a == b: "is the object mounted the one opened".
	OpEqual = pseudoBase + iota
	// OpExecvp(paths, argv, envp) execs the first of a 0-terminated array of paths that exists,
	// like execvp: ENOENT and ENOTDIR try the next; it fails with the first other errno, else ENOENT.
	OpExecvp
)

// ErrMismatch is OpEqual's failure: not a kernel errno.
const ErrMismatch = 0x1000

// Export names a place in the arena that the process running the plan may rewrite before it
// runs (Mapped.Export): a value only it knows.
type Export int

const (
	// ExportNproc is the target's RLIMIT_NPROC (struct rlimit): the limit plus the tasks of its
	// uid that exist before it, which a supervising PID 1 counts for itself.
	ExportNproc Export = iota
	exports
)

// Segment names a run of ops, carried out by one process: the view by PID 1; the lockdown, the
// seccomp filter and execve by the target. A supervised run's exec stage installs its filter
// itself and runs the others (engine/internal/sandbox/supervise.go).
type Segment int

const (
	SegView Segment = iota
	SegTarget
	SegSeccomp
	SegExec
	segments
)

// Step says what an op is for, to turn a failure into a message (step.Error): the step, the
// object, and the call; Explain, when set, turns the errno into words that name the fix.
type Step struct {
	Name    string
	What    string
	Call    string
	Hint    string
	HintOn  uint64 // the errno the hint is for; 0: any
	Explain func(errno uint64) error
	// Code is the engine's exit code for a failure here (step.Error.Code); 0 for the default;
	// CodeNotFound the one for ENOENT and ENOTDIR, when set (a command not found: 127).
	Code, CodeNotFound int
}

// Plan is a program of system calls and the arena they point into.
type Plan struct {
	Ops       []Op
	Arena     []byte
	Relocs    []uint32 // arena offsets of 8-byte arena offsets that become addresses when mapped
	Steps     []Step   // the engine's own: never sent
	seg       [segments][2]uint32
	export    [exports]uint32 // arena offset + 1; 0 when not exported
	open      Segment         // the segment ops are added to
	closeStep uint32          // Close's step + 1; 0 until the first
	begun     [segments]bool
}

// Arg is an argument of an op, made with Lit, Addr or Cell.
type Arg struct {
	kind uint8
	v    uint64
}

// Lit is a literal argument. Negative values (AT_FDCWD) pass as the kernel expects.
func Lit[T ~int | ~int32 | ~int64 | ~uint | ~uint32 | ~uint64 | ~uintptr](v T) Arg {
	return Arg{argLit, uint64(v)}
}

// Ref is a place in the arena.
type Ref uint32

// Addr passes the address of r.
func (r Ref) Addr() Arg { return Arg{argAddr, uint64(r)} }

// Cell passes the 8-byte value stored at r (the result of an earlier op).
func (r Ref) Cell() Arg { return Arg{argCell, uint64(r)} }

// Add is the place n bytes past r (a field of a struct).
func (r Ref) Add(n uintptr) Ref { return r + Ref(n) }

// Begin starts segment s; later ops belong to it until the next Begin. Each segment is one
// contiguous run of ops.
func (p *Plan) Begin(s Segment) {
	if p.begun[s] {
		panic(fmt.Sprintf("plan: segment %d begun twice", s))
	}
	p.seg[p.open][1] = uint32(len(p.Ops))
	p.open, p.begun[s] = s, true
	p.seg[s] = [2]uint32{uint32(len(p.Ops)), uint32(len(p.Ops))}
}

// New is an empty plan with room for a sandbox's usual few hundred ops.
func New() *Plan {
	return &Plan{Ops: make([]Op, 0, 640), Steps: make([]Step, 0, 320), Arena: make([]byte, 0, 16<<10)}
}

// Close adds a best-effort close of the descriptor in cell fd (one step serves every close).
func (p *Plan) Close(fd Ref) {
	if p.closeStep == 0 {
		p.closeStep = p.Step(Step{Name: "close"}) + 1
	}
	p.Call(p.closeStep-1, syscall.SYS_CLOSE, fd.Cell()).Soft()
}

// Step records what the following ops are for and returns its index for Call.
func (p *Plan) Step(s Step) uint32 {
	p.Steps = append(p.Steps, s)
	return uint32(len(p.Steps) - 1)
}

// Call adds a system call (or a pseudo-op) and returns it for its options.
func (p *Plan) Call(step uint32, nr uintptr, args ...Arg) *Op {
	if len(args) > 6 {
		panic("plan: more than 6 arguments")
	}
	op := Op{Nr: uint64(nr), Step: step}
	for i, a := range args {
		op.Kind[i], op.Arg[i] = a.kind, a.v
	}
	p.Ops = append(p.Ops, op)
	p.seg[p.open][1] = uint32(len(p.Ops))
	return &p.Ops[len(p.Ops)-1]
}

// Pseudo adds a pseudo-op.
func (p *Plan) Pseudo(step uint32, nr uint64, args ...Arg) *Op {
	return p.Call(step, uintptr(nr), args...)
}

// To stores the op's result at r (8 bytes).
func (o *Op) To(r Ref) *Op { o.Out = uint32(r) + 1; return o }

// To4 stores the op's result at r in 4 bytes (an int field of a kernel struct).
func (o *Op) To4(r Ref) *Op { o.Out = uint32(r) + 1; o.Flags |= FlagOut4; return o }

// Soft makes the op best-effort: an error is not a failure, the plan goes on.
func (o *Op) Soft() *Op { return o.SkipOnErr(0, 0) }

// SkipOnErr makes errno (any errno when 0) not a failure: the next n ops are skipped.
func (o *Op) SkipOnErr(errno uintptr, n int) *Op {
	o.Flags |= FlagSkipErr
	o.Errno, o.SkipErr = uint16(errno), uint16(n)
	return o
}

// SkipOnOK skips the next n ops when the op succeeds.
func (o *Op) SkipOnOK(n int) *Op { o.Flags |= FlagSkipOK; o.SkipOK = uint16(n); return o }

// Mark is the position of the next op, the start of a group.
func (p *Plan) Mark() int { return len(p.Ops) }

// SkipGroupOnErr makes errno (any errno when 0) of the op at mark skip every op added since: a
// group that only makes sense after its first op succeeds.
func (p *Plan) SkipGroupOnErr(mark int, errno uintptr) {
	p.Ops[mark].SkipOnErr(errno, len(p.Ops)-mark-1)
}

// SoftSince makes every op added since mark best-effort.
func (p *Plan) SoftSince(mark int) {
	for i := mark; i < len(p.Ops); i++ {
		p.Ops[i].Soft()
	}
}

// Cell reserves an 8-byte cell for a result. It holds -1 until an op stores there, so an op
// that uses the result of one that was skipped gets a bad descriptor, never descriptor 0.
func (p *Plan) Cell() Ref {
	r := p.alloc(8, 8)
	binary.NativeEndian.PutUint64(p.Arena[r:], ^uint64(0))
	return r
}

// Str stores s NUL-terminated.
func (p *Plan) Str(s string) Ref {
	r := p.alloc(len(s)+1, 1)
	copy(p.Arena[r:], s)
	return r
}

// Bytes stores b (a kernel struct laid out by the caller), 8-byte aligned.
func (p *Plan) Bytes(b []byte) Ref {
	r := p.alloc(len(b), 8)
	copy(p.Arena[r:], b)
	return r
}

// Struct stores a copy of the kernel struct *v (integers only: pointers go through Ptrs).
func Struct[T any](p *Plan, v *T) Ref {
	return p.Bytes(unsafe.Slice((*byte)(unsafe.Pointer(v)), unsafe.Sizeof(*v)))
}

// Ptrs stores an array of addresses of arena places (argv, envp), with a terminating 0 when
// nullTerminated.
func (p *Plan) Ptrs(refs []Ref, nullTerminated bool) Ref {
	n := len(refs)
	if nullTerminated {
		n++
	}
	r := p.alloc(8*n, 8)
	for i, ref := range refs {
		p.SetPtr(r.Add(uintptr(8*i)), ref)
	}
	return r
}

// SetPtr stores at r the address of target, once mapped.
func (p *Plan) SetPtr(r, target Ref) {
	binary.NativeEndian.PutUint64(p.Arena[r:], uint64(target))
	p.Relocs = append(p.Relocs, uint32(r))
}

// Strs stores each string and the array of their addresses, 0-terminated (argv, envp).
func (p *Plan) Strs(ss []string) Ref {
	refs := make([]Ref, len(ss))
	for i, s := range ss {
		refs[i] = p.Str(s)
	}
	return p.Ptrs(refs, true)
}

func (p *Plan) alloc(n, align int) Ref {
	off := (len(p.Arena) + align - 1) &^ (align - 1)
	if off+n > maxArena {
		panic(fmt.Sprintf("plan: arena over %d bytes", maxArena))
	}
	p.Arena = append(p.Arena, make([]byte, off+n-len(p.Arena))...)
	return Ref(off)
}

// Export marks r as export e.
func (p *Plan) Export(e Export, r Ref) { p.export[e] = uint32(r) + 1 }

// Range returns the ops of segment s.
func (p *Plan) Range(s Segment) (from, to int) {
	return int(p.seg[s][0]), int(p.seg[s][1])
}

// Failure turns the failure of op i with errno into the step error it stands for.
func (p *Plan) Failure(i int, errno uint64) *step.Error {
	if i < 0 || i >= len(p.Ops) {
		return step.Failf("plan", "", "op %d failed with errno %d", i, errno)
	}
	s := p.Steps[p.Ops[i].Step]
	var cause error
	switch {
	case s.Explain != nil:
		cause = s.Explain(errno)
	case errno == ErrMismatch:
		cause = errors.New("the object is not the one that was checked (was it swapped?)")
	default:
		cause = Errno(errno)
	}
	if s.Call != "" {
		cause = fmt.Errorf("%s: %w", s.Call, cause)
	}
	e := &step.Error{Step: s.Name, What: s.What, Err: cause, Code: s.Code}
	if s.Hint != "" && (s.HintOn == 0 || s.HintOn == errno) {
		e.Hint = s.Hint
	}
	if s.CodeNotFound != 0 && (errno == uint64(syscall.ENOENT) || errno == uint64(syscall.ENOTDIR)) {
		e.Code = s.CodeNotFound
	}
	return e
}
