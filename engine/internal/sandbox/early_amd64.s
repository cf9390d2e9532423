//go:build linux

#include "textflag.h"

// earlyEntry is the engine's entry point (engine/build.sh links with -E): see early_amd64.go. For
// `run` it forks PID 1 before the Go runtime starts, then starts the runtime as the default entry
// point would (argc and argv are still at SP: nothing was pushed).
TEXT ·earlyEntry(SB),NOSPLIT|NOFRAME,$0
	MOVQ	0(SP), AX // argc
	CMPQ	AX, $2
	JLT	start
	MOVQ	16(SP), BX // argv[1]
	CMPL	0(BX), $0x006e7572 // "run\0"
	JNE	start
	MOVQ	$102, AX // SYS_getuid
	SYSCALL
	MOVQ	AX, ·earlyUID(SB)
	MOVQ	$104, AX // SYS_getgid
	SYSCALL
	MOVQ	AX, ·earlyGID(SB)
	// Go code (earlySaveCPUs, earlyPin) runs with the thread pointer PID 1 gets; the runtime sets its own.
	MOVQ	$0x1002, DI // ARCH_SET_FS
	LEAQ	·earlyTLS+64(SB), SI
	MOVQ	$158, AX // SYS_arch_prctl
	SYSCALL
	CALL	·earlySaveCPUs(SB)
	MOVQ	$1, DI // AF_UNIX
	MOVQ	$0x80005, SI // SOCK_SEQPACKET|SOCK_CLOEXEC
	XORQ	DX, DX
	LEAQ	·earlyFds(SB), R10
	MOVQ	$53, AX // SYS_socketpair
	SYSCALL
	CMPQ	AX, $0
	JNE	start
	MOVQ	$0x30000011, DI // CLONE_NEWUSER|CLONE_NEWPID|SIGCHLD
	XORQ	SI, SI
	XORQ	DX, DX
	XORQ	R10, R10
	XORQ	R8, R8
	MOVQ	$56, AX // SYS_clone
	SYSCALL
	CMPQ	AX, $0
	JEQ	child
	MOVQ	AX, ·earlyPID(SB) // the pid, or -errno
	MOVLQSX	·earlyFds+4(SB), DI // PID 1's end of the socket
	MOVQ	$3, AX // SYS_close
	SYSCALL
	CALL	·earlyPin(SB)
start:
	JMP	_rt0_amd64_linux(SB)

child:
	// Go code finds its goroutine at FS-8: nil here (earlyTLS is zero), which nosplit code that
	// calls only nosplit code never looks at. FS was set before the clone.
	CALL	·earlyBootInit(SB)
	CALL	·pid1Early(SB) // does not return
	MOVQ	$125, DI
	MOVQ	$231, AX // SYS_exit_group
	SYSCALL
