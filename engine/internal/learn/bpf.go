//go:build linux

package learn

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/sys/unix"
)

// Classic BPF opcode parts (linux/filter.h); seccomp accepts a subset of them.
const (
	clsLD, clsLDX, clsST, clsSTX, clsALU, clsJMP, clsRET, clsMISC = 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07

	sizeW           = 0x00
	modeIMM         = 0x00
	modeABS         = 0x20
	modeMEM         = 0x60
	modeLEN         = 0x80
	srcX            = 0x08
	retA            = 0x10
	miscTXA         = 0x80
	jmpJA, jmpJEQ   = 0x00, 0x10
	jmpJGT, jmpJGE  = 0x20, 0x30
	jmpJSET         = 0x40
	seccompDataSize = 64
	argsOffset      = 16 // seccomp_data: nr(4) arch(4) instruction_pointer(8) args[6](48)
)

// Verdict is what a seccomp program returned for one system call.
type Verdict struct {
	Ret uint32
	// ReadArgs is set when the program loaded the instruction pointer or an argument on the way
	// to Ret. When it is false, Ret holds for every call with the same number and architecture:
	// the path through the program depends only on what it loaded.
	ReadArgs bool
}

// Eval runs a classic BPF seccomp program on seccomp_data (64 bytes, native byte order) exactly
// as the kernel would: it lets the supervisor know what the base policy decides for a call it
// was notified of.
func Eval(prog []unix.SockFilter, data []byte) (Verdict, error) {
	var a, x uint32
	var mem [16]uint32
	var v Verdict
	if len(data) != seccompDataSize {
		return v, fmt.Errorf("seccomp_data is %d bytes, not %d", len(data), seccompDataSize)
	}
	for pc := 0; pc < len(prog); pc++ {
		in := prog[pc]
		code, k := in.Code, in.K
		switch code & 0x07 {
		case clsLD, clsLDX:
			var val uint32
			switch code & 0xe0 {
			case modeABS:
				if code&0x18 != sizeW || k%4 != 0 || k >= seccompDataSize {
					return v, fmt.Errorf("instruction %d: load of offset %d is not a seccomp_data word", pc, k)
				}
				if k >= 8 {
					v.ReadArgs = true
				}
				val = binary.NativeEndian.Uint32(data[k:])
			case modeIMM:
				val = k
			case modeLEN:
				val = seccompDataSize
			case modeMEM:
				if k >= 16 {
					return v, fmt.Errorf("instruction %d: scratch slot %d out of range", pc, k)
				}
				val = mem[k]
			default:
				return v, fmt.Errorf("instruction %d: load mode %#x is not allowed in seccomp", pc, code)
			}
			if code&0x07 == clsLD {
				a = val
			} else {
				x = val
			}
		case clsST, clsSTX:
			if k >= 16 {
				return v, fmt.Errorf("instruction %d: scratch slot %d out of range", pc, k)
			}
			if code&0x07 == clsST {
				mem[k] = a
			} else {
				mem[k] = x
			}
		case clsALU:
			operand := k
			if code&srcX != 0 {
				operand = x
			}
			var err error
			if a, err = alu(code&0xf0, a, operand); err != nil {
				return v, fmt.Errorf("instruction %d: %w", pc, err)
			}
		case clsJMP:
			operand := k
			if code&srcX != 0 {
				operand = x
			}
			var taken bool
			switch code & 0xf0 {
			case jmpJA:
				pc += int(k)
				continue
			case jmpJEQ:
				taken = a == operand
			case jmpJGT:
				taken = a > operand
			case jmpJGE:
				taken = a >= operand
			case jmpJSET:
				taken = a&operand != 0
			default:
				return v, fmt.Errorf("instruction %d: jump %#x is not allowed in seccomp", pc, code)
			}
			if taken {
				pc += int(in.Jt)
			} else {
				pc += int(in.Jf)
			}
		case clsRET:
			v.Ret = k
			if code&0x18 == retA {
				v.Ret = a
			}
			return v, nil
		case clsMISC:
			if code&0xf8 == miscTXA {
				a = x
			} else {
				x = a
			}
		}
	}
	return v, fmt.Errorf("the program ran off its end")
}

func alu(op uint16, a, b uint32) (uint32, error) {
	switch op {
	case 0x00:
		return a + b, nil
	case 0x10:
		return a - b, nil
	case 0x20:
		return a * b, nil
	case 0x30, 0x90:
		if b == 0 {
			return 0, fmt.Errorf("division by zero") // the kernel returns 0 from the program; refuse instead
		}
		if op == 0x30 {
			return a / b, nil
		}
		return a % b, nil
	case 0x40:
		return a | b, nil
	case 0x50:
		return a & b, nil
	case 0x60:
		return a << (b & 31), nil
	case 0x70:
		return a >> (b & 31), nil
	case 0x80:
		return -a, nil
	case 0xa0:
		return a ^ b, nil
	}
	return 0, fmt.Errorf("ALU operation %#x is not allowed in seccomp", op)
}
