// Package frame reads and writes the fd-3 frame defined in src/engine/frame.ts: "STKD", u16
// version, u16 section count, then sections of u16 kind · u16 reserved (0) · u32 length · bytes,
// little-endian. The reader is strict: anything it does not expect is an error, never skipped.
package frame

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Version is the frame version this engine reads and writes (FRAME_VERSION).
const Version = 1

// Section kinds; each may appear at most once.
const (
	KindConfig   = 1
	KindSeccomp  = 2
	KindSeatbelt = 3
)

// Size limits per section (FrameLimits in frame.ts).
const (
	MaxConfig   = 1 << 20
	MaxSeccomp  = 4096 * 8
	MaxSeatbelt = 1 << 20
	headerSize  = 8
	sectionHead = 8
)

var magic = [4]byte{'S', 'T', 'K', 'D'}

// Frame is a decoded frame; Seatbelt is nil when absent.
type Frame struct {
	Config   []byte
	Seccomp  []byte
	Seatbelt []byte
}

var kindNames = map[uint16]string{KindConfig: "config", KindSeccomp: "seccomp", KindSeatbelt: "seatbelt"}

// Read reads one whole frame from r and checks its shape. It reads exactly the frame's bytes and
// then requires end of input, so trailing garbage is an error too.
func Read(r io.Reader) (*Frame, error) {
	var head [headerSize]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, fmt.Errorf("frame header: %w", short(err))
	}
	if [4]byte(head[:4]) != magic {
		return nil, fmt.Errorf("frame header: bad magic %q (expected \"STKD\")", head[:4])
	}
	if v := binary.LittleEndian.Uint16(head[4:]); v != Version {
		return nil, fmt.Errorf("frame header: unsupported version %d (this engine reads version %d)", v, Version)
	}
	count := binary.LittleEndian.Uint16(head[6:])
	if count == 0 || count > 3 {
		return nil, fmt.Errorf("frame header: section count %d is out of range 1..3", count)
	}
	f := &Frame{}
	seen := map[uint16]bool{}
	for i := 0; i < int(count); i++ {
		var sh [sectionHead]byte
		if _, err := io.ReadFull(r, sh[:]); err != nil {
			return nil, fmt.Errorf("frame section %d header: %w", i, short(err))
		}
		kind := binary.LittleEndian.Uint16(sh[0:])
		reserved := binary.LittleEndian.Uint16(sh[2:])
		size := binary.LittleEndian.Uint32(sh[4:])
		name, known := kindNames[kind]
		if !known {
			return nil, fmt.Errorf("frame section %d: unknown kind %d", i, kind)
		}
		if reserved != 0 {
			return nil, fmt.Errorf("frame section %q: reserved field is %d, must be 0", name, reserved)
		}
		if seen[kind] {
			return nil, fmt.Errorf("frame section %q: appears twice", name)
		}
		seen[kind] = true
		if err := checkSize(kind, size); err != nil {
			return nil, fmt.Errorf("frame section %q: %w", name, err)
		}
		body := make([]byte, size)
		if _, err := io.ReadFull(r, body); err != nil {
			return nil, fmt.Errorf("frame section %q body: %w", name, short(err))
		}
		switch kind {
		case KindConfig:
			f.Config = body
		case KindSeccomp:
			f.Seccomp = body
		case KindSeatbelt:
			f.Seatbelt = body
		}
	}
	if !seen[KindConfig] {
		return nil, errors.New(`frame: the "config" section is missing`)
	}
	var extra [1]byte
	if n, _ := r.Read(extra[:]); n != 0 {
		return nil, errors.New("frame: unexpected bytes after the last section")
	}
	return f, nil
}

func checkSize(kind uint16, size uint32) error {
	switch kind {
	case KindConfig:
		if size == 0 || size > MaxConfig {
			return fmt.Errorf("length %d is out of range 1..%d", size, MaxConfig)
		}
	case KindSeccomp:
		if size == 0 || size%8 != 0 || size > MaxSeccomp {
			return fmt.Errorf("length %d must be a non-zero multiple of 8 up to %d", size, MaxSeccomp)
		}
	case KindSeatbelt:
		if size > MaxSeatbelt {
			return fmt.Errorf("length %d is over the limit of %d", size, MaxSeatbelt)
		}
	}
	return nil
}

func short(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("truncated input")
	}
	return err
}

// Encode writes a frame; the engine uses it to hand the frame to its own inner stage, and tests
// use it to build inputs. It applies the same size rules as Read.
func Encode(f *Frame) ([]byte, error) {
	type section struct {
		kind uint16
		body []byte
	}
	sections := []section{{KindConfig, f.Config}}
	if f.Seccomp != nil {
		sections = append(sections, section{KindSeccomp, f.Seccomp})
	}
	if f.Seatbelt != nil {
		sections = append(sections, section{KindSeatbelt, f.Seatbelt})
	}
	out := make([]byte, headerSize, headerSize+len(f.Config)+len(f.Seccomp)+len(f.Seatbelt)+3*sectionHead)
	copy(out, magic[:])
	binary.LittleEndian.PutUint16(out[4:], Version)
	binary.LittleEndian.PutUint16(out[6:], uint16(len(sections)))
	for _, s := range sections {
		if err := checkSize(s.kind, uint32(len(s.body))); err != nil || len(s.body) > 1<<30 {
			return nil, fmt.Errorf("frame section %q: %v", kindNames[s.kind], err)
		}
		out = binary.LittleEndian.AppendUint16(out, s.kind)
		out = binary.LittleEndian.AppendUint16(out, 0)
		out = binary.LittleEndian.AppendUint32(out, uint32(len(s.body)))
		out = append(out, s.body...)
	}
	return out, nil
}
