// Package events writes the JSON lines of src/engine/events.ts on fd 4. When fd 4 is not open
// (the engine run by hand) events are dropped, so the engine stays drivable from a shell.
package events

import (
	"encoding/json"
	"os"
	"strconv"
	"sync"
	"unicode/utf8"

	"golang.org/x/sys/unix"
)

// Writer serialises events from several goroutines into whole lines.
type Writer struct {
	mu  sync.Mutex
	out *os.File
}

// Open returns a Writer on fd, or a Writer that drops everything when fd is not open.
func Open(fd int) *Writer {
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
		return &Writer{}
	}
	unix.CloseOnExec(fd)
	return NewWriter(os.NewFile(uintptr(fd), "events"))
}

// NewWriter returns a Writer on f, which stays the caller's to close.
func NewWriter(f *os.File) *Writer { return &Writer{out: f} }

// Enabled reports whether events reach a reader.
func (w *Writer) Enabled() bool { return w.out != nil }

func (w *Writer) emit(o *object) {
	if w.out == nil {
		return
	}
	line := append(o.b, '}', '\n')
	w.mu.Lock()
	defer w.mu.Unlock()
	// A reader that went away must not kill the engine: the target's exit code still matters.
	_, _ = w.out.Write(line)
}

// Raw writes an event line made elsewhere (learn mode's records, built by PID 1's supervisor).
func (w *Writer) Raw(line []byte) {
	if w.out == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	_, _ = w.out.Write(append(append([]byte{}, line...), '\n'))
}

// Started reports the target's pid on the host.
func (w *Writer) Started(pid int) {
	w.emit(event("started").int("pid", pid))
}

// Warning reports a protection weaker than asked, only ever one the caller allowed.
func (w *Writer) Warning(code, message string) {
	w.emit(event("warning").str("code", code).str("message", message))
}

// Violation reports something the sandbox refused: kind is "syscall", "network" or "file".
func (w *Writer) Violation(kind, detail string, data map[string]any) {
	o := event("violation").str("kind", kind).str("detail", detail)
	if len(data) > 0 {
		o.json("data", data)
	}
	w.emit(o)
}

// Error reports a containment step that failed; the target never ran.
func (w *Writer) Error(step, message, hint string) {
	o := event("error").str("step", step).str("message", message)
	if hint != "" {
		o.str("hint", hint)
	}
	w.emit(o)
}

// Exited reports how the target ended: exactly one of code and signal is set.
func (w *Writer) Exited(code *int, signal *string, timedOut bool) {
	o := event("exited")
	if code != nil {
		o.int("code", *code)
	} else {
		o.null("code")
	}
	if signal != nil {
		o.str("signal", *signal)
	} else {
		o.null("signal")
	}
	w.emit(o.bool("timedOut", timedOut))
}

// Ask puts a host that matches no rule to the caller; the answer comes back on fd 5.
func (w *Writer) Ask(id int, host string, port int, protocol string) {
	w.emit(event("ask").int("id", id).str("host", host).int("port", port).str("protocol", protocol))
}

// object is an event line built by hand: encoding/json's reflection would be paged in by every
// engine that reports an event (every run reports two) for a handful of flat fields.
type object struct{ b []byte }

func event(typ string) *object {
	o := &object{b: make([]byte, 0, 128)}
	o.b = appendString(append(o.b, `{"type":`...), typ)
	return o
}

func (o *object) key(k string) *object {
	o.b = append(appendString(append(o.b, ','), k), ':')
	return o
}

func (o *object) str(k, v string) *object { o.key(k).b = appendString(o.b, v); return o }
func (o *object) int(k string, v int) *object {
	o.key(k).b = strconv.AppendInt(o.b, int64(v), 10)
	return o
}
func (o *object) bool(k string, v bool) *object { o.key(k).b = strconv.AppendBool(o.b, v); return o }
func (o *object) null(k string) *object         { o.key(k).b = append(o.b, "null"...); return o }

// json writes a value of any shape (a violation's data) through encoding/json.
func (o *object) json(k string, v any) *object {
	raw, err := json.Marshal(v)
	if err != nil {
		raw = []byte("null")
	}
	o.key(k).b = append(o.b, raw...)
	return o
}

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD, as encoding/json writes
// it; so do the line separators U+2028 and U+2029, escaped.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
