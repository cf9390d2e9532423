// Package events writes the JSON lines of src/engine/events.ts on fd 4. When fd 4 is not open
// (the engine run by hand) events are dropped, so the engine stays drivable from a shell.
package events

import (
	"encoding/json"
	"os"
	"sync"

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

func (w *Writer) emit(v any) {
	if w.out == nil {
		return
	}
	line, err := json.Marshal(v)
	if err != nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	// A reader that went away must not kill the engine: the target's exit code still matters.
	_, _ = w.out.Write(append(line, '\n'))
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
	w.emit(struct {
		Type string `json:"type"`
		Pid  int    `json:"pid"`
	}{"started", pid})
}

// Warning reports a protection weaker than asked, only ever one the caller allowed.
func (w *Writer) Warning(code, message string) {
	w.emit(struct {
		Type    string `json:"type"`
		Code    string `json:"code"`
		Message string `json:"message"`
	}{"warning", code, message})
}

// Violation reports something the sandbox refused: kind is "syscall", "network" or "file".
func (w *Writer) Violation(kind, detail string, data map[string]any) {
	w.emit(struct {
		Type   string         `json:"type"`
		Kind   string         `json:"kind"`
		Detail string         `json:"detail"`
		Data   map[string]any `json:"data,omitempty"`
	}{"violation", kind, detail, data})
}

// Error reports a containment step that failed; the target never ran.
func (w *Writer) Error(step, message, hint string) {
	w.emit(struct {
		Type    string `json:"type"`
		Step    string `json:"step"`
		Message string `json:"message"`
		Hint    string `json:"hint,omitempty"`
	}{"error", step, message, hint})
}

// Exited reports how the target ended: exactly one of code and signal is set.
func (w *Writer) Exited(code *int, signal *string, timedOut bool) {
	w.emit(struct {
		Type     string  `json:"type"`
		Code     *int    `json:"code"`
		Signal   *string `json:"signal"`
		TimedOut bool    `json:"timedOut"`
	}{"exited", code, signal, timedOut})
}

// Ask puts a host that matches no rule to the caller; the answer comes back on fd 5.
func (w *Writer) Ask(id int, host string, port int, protocol string) {
	w.emit(struct {
		Type     string `json:"type"`
		ID       int    `json:"id"`
		Host     string `json:"host"`
		Port     int    `json:"port"`
		Protocol string `json:"protocol"`
	}{"ask", id, host, port, protocol})
}
