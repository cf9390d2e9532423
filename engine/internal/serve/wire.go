// Package serve is the wire format of `stockade-engine serve` (docs/engine-protocol.md, "Serving
// many runs"): requests on fd 3 and replies on fd 4, each a 9-byte header (u32 payload length,
// u8 kind, u32 run id, little-endian) and its payload. src/engine/server.ts is the other side.
package serve

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"sync"
)

// Kinds of request (the caller to the engine).
const (
	Start    = 1 // payload: u8 stdin (StdinNull or StdinPipe), then the frame
	Stdin    = 2 // bytes for the run's stdin
	StdinEnd = 3 // end of the run's stdin
	Answer   = 4 // bytes for the run's answers (fd 5 of `run`)
	Signal   = 5 // payload: u8 signal number, for the target (SIGKILL: the whole sandbox)
)

// Kinds of reply (the engine to the caller).
const (
	Event  = 1 // bytes of the run's event lines (fd 4 of `run`)
	Stdout = 2 // bytes the target wrote to stdout
	Stderr = 3 // bytes the target (or the engine, about this run) wrote to stderr
	End    = 4 // payload: u32 exit code of the run, as `run` would exit; the run's last reply
)

// The stdin of a started run.
const (
	StdinNull = 0 // /dev/null
	StdinPipe = 1 // a pipe fed by Stdin requests until StdinEnd
)

const (
	headerSize = 9
	// MaxRequest bounds a request's payload: a frame's sections are at most 1 MiB, 32 KiB and 1 MiB.
	MaxRequest = 4 << 20
	// MaxChunk bounds the payload of an output reply.
	MaxChunk = 64 << 10
)

// Message is one request or reply.
type Message struct {
	Kind    byte
	Run     uint32
	Payload []byte
}

// Reader reads requests.
type Reader struct{ r *bufio.Reader }

func NewReader(r io.Reader) *Reader { return &Reader{bufio.NewReaderSize(r, 64<<10)} }

// Read returns the next request; io.EOF at a clean end between messages.
func (r *Reader) Read() (Message, error) {
	var h [headerSize]byte
	if _, err := io.ReadFull(r.r, h[:]); err != nil {
		if err == io.ErrUnexpectedEOF {
			return Message{}, fmt.Errorf("request header: truncated")
		}
		return Message{}, err
	}
	n := binary.LittleEndian.Uint32(h[0:])
	m := Message{Kind: h[4], Run: binary.LittleEndian.Uint32(h[5:])}
	if n > MaxRequest {
		return m, fmt.Errorf("request of kind %d: payload of %d bytes exceeds %d", m.Kind, n, MaxRequest)
	}
	m.Payload = make([]byte, n)
	if _, err := io.ReadFull(r.r, m.Payload); err != nil {
		return m, fmt.Errorf("request of kind %d: payload truncated", m.Kind)
	}
	return m, nil
}

// Writer writes whole replies from several goroutines.
type Writer struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte
	err error
}

func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write sends one reply; once a write failed (the caller is gone) every later one fails alike.
func (w *Writer) Write(kind byte, run uint32, payload []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	w.buf = append(w.buf[:0], 0, 0, 0, 0, kind, 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(w.buf[0:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(w.buf[5:], run)
	w.buf = append(w.buf, payload...)
	_, w.err = w.w.Write(w.buf)
	return w.err
}
