package events

import (
	"bufio"
	"encoding/json"
	"os"
	"reflect"
	"testing"
)

// Every event is one line of JSON that decodes to the fields encoding/json would have written.
func TestEventsAreTheJSONOfTheirFields(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	ev := NewWriter(w)
	code, signal := 42, "SIGTERM"
	odd := "quote\" back\\ nl\n tab\t nul\x00 esc\x1b bad\xff\xfe ls\u2028 é 😀 <&>"
	ev.Started(1234)
	ev.Warning("no-landlock", odd)
	ev.Violation("network", "example.com:443", map[string]any{"host": "example.com", "port": 443})
	ev.Violation("syscall", odd, nil)
	ev.Error("mount", odd, "")
	ev.Error("mount", "m", "a hint")
	ev.Exited(&code, nil, false)
	ev.Exited(nil, &signal, true)
	ev.Ask(7, odd, 80, "http")
	w.Close()
	want := []map[string]any{
		{"type": "started", "pid": 1234.0},
		{"type": "warning", "code": "no-landlock", "message": odd},
		{"type": "violation", "kind": "network", "detail": "example.com:443", "data": map[string]any{"host": "example.com", "port": 443.0}},
		{"type": "violation", "kind": "syscall", "detail": odd},
		{"type": "error", "step": "mount", "message": odd},
		{"type": "error", "step": "mount", "message": "m", "hint": "a hint"},
		{"type": "exited", "code": 42.0, "signal": nil, "timedOut": false},
		{"type": "exited", "code": nil, "signal": "SIGTERM", "timedOut": true},
		{"type": "ask", "id": 7.0, "host": odd, "port": 80.0, "protocol": "http"},
	}
	sc := bufio.NewScanner(r)
	i := 0
	for ; sc.Scan(); i++ {
		var got map[string]any
		if err := json.Unmarshal(sc.Bytes(), &got); err != nil || i >= len(want) {
			t.Fatalf("line %d %q: %v", i, sc.Text(), err)
		}
		// encoding/json's reading of a string: invalid UTF-8 as U+FFFD.
		var norm map[string]any
		raw, _ := json.Marshal(want[i])
		_ = json.Unmarshal(raw, &norm)
		if !reflect.DeepEqual(got, norm) {
			t.Fatalf("line %d: got %v, want %v", i, got, norm)
		}
	}
	if i != len(want) {
		t.Fatalf("%d lines, want %d", i, len(want))
	}
}
