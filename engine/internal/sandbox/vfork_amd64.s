//go:build linux

#include "textflag.h"

// func vfork(flags, pidfdAddr uintptr) (pid, errno uintptr)
//
// clone(flags, no new stack, pidfdAddr) for a child that shares the caller's memory and stack
// until it execs or exits (flags has CLONE_VM|CLONE_VFORK). The child runs on the stack below
// the caller's frame, where this function's return address was: it is kept in R12, which the
// system call preserves, so the parent returns correctly whatever the child wrote there.
TEXT ·vfork(SB),NOSPLIT|NOFRAME,$0-32
	MOVQ	flags+0(FP), DI
	MOVQ	$0, SI
	MOVQ	pidfdAddr+8(FP), DX
	MOVQ	$0, R10
	MOVQ	$0, R8
	MOVQ	$56, AX // SYS_clone
	POPQ	R12
	SYSCALL
	PUSHQ	R12
	CMPQ	AX, $0xfffffffffffff001
	JLS	ok
	MOVQ	$0, pid+16(FP)
	NEGQ	AX
	MOVQ	AX, errno+24(FP)
	RET
ok:
	MOVQ	AX, pid+16(FP)
	MOVQ	$0, errno+24(FP)
	RET
