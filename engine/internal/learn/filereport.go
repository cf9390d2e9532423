//go:build linux

package learn

import (
	"encoding/json"
	"fmt"
	"strings"

	"stockade/engine/internal/config"
)

// Reporting an ordinary run's refused files (ExecConfig.reportFiles, docs/learn.md "Refused
// files"): the filter notifies the file calls the base allows (ReportProgram), the supervisor
// reads their paths as learn mode does and lets each call run, and the view and Landlock decide
// as they would without it. What is kept are the accesses the view does not grant; the library
// then keeps those whose path exists on the host, since a path the view shows as absent is a
// refusal only if there is something there to refuse.

// maxFileRefusals bounds the distinct (path, access) pairs one run keeps; past it the rest are
// counted in one warning.
const maxFileRefusals = 1024

// viewKind mirrors the kinds of engine/internal/view (view.go): at one path a later kind wins,
// and a deeper path is mounted over a shallower one.
type viewKind int

const (
	viewSystem   viewKind = iota // /proc, /dev, /tmp: the engine's own; never reported
	viewRead                     // fs.read
	viewWrite                    // fs.write
	viewReadOnly                 // fs.readOnly
	viewSocket                   // fs.sockets
	viewHide                     // fs.hide
)

type viewEntry struct {
	path string
	kind viewKind
}

// fileReport keeps the accesses a run's view does not grant, once each, in the order first seen.
type fileReport struct {
	view  []viewEntry
	order []fileRecord
	seen  map[fileRecord]bool
	lost  int
}

func newFileReport(fs *config.Fs) *fileReport {
	f := &fileReport{seen: map[fileRecord]bool{}}
	add := func(paths []string, k viewKind) {
		for _, p := range paths {
			f.view = append(f.view, viewEntry{p, k})
		}
	}
	add([]string{"/proc", "/dev"}, viewSystem)
	if fs.TmpBytes > 0 {
		add([]string{"/tmp"}, viewSystem)
	}
	add(fs.Read, viewRead)
	add(fs.Write, viewWrite)
	add(fs.ReadOnly, viewReadOnly)
	add(fs.Sockets, viewSocket)
	add(fs.Hide, viewHide)
	return f
}

// granted says whether the view lets access happen at path: the deepest entry above path
// decides (the later kind at one path), as the view's mounts do. Landlock mirrors the view, so
// it refuses no more here; /proc and /dev, partly writable and partly masked, count as granted:
// what this says is refused must be refused, what it misses is only not reported.
func (f *fileReport) granted(path string, access Access) bool {
	found, best := false, viewEntry{}
	for _, e := range f.view {
		if !beneath(path, e.path) {
			continue
		}
		if !found || len(e.path) > len(best.path) || (len(e.path) == len(best.path) && e.kind > best.kind) {
			found, best = true, e
		}
	}
	if !found {
		// Not in the view, unless it is a directory the view made above an entry (the root, /work
		// above /work/proj): those can be listed, and nothing in them created.
		return access == AccessRead && f.above(path)
	}
	switch best.kind {
	case viewSystem, viewWrite:
		return true
	case viewRead, viewReadOnly, viewSocket:
		return access == AccessRead || access == AccessExec
	}
	return false // hidden
}

// above reports whether path is a directory above a view entry (the root is above every one).
func (f *fileReport) above(path string) bool {
	for _, e := range f.view {
		if path == "/" || strings.HasPrefix(e.path, path+"/") {
			return true
		}
	}
	return false
}

// beneath reports whether p is base or beneath it.
func beneath(p, base string) bool {
	return base == "/" || p == base || strings.HasPrefix(p, base+"/")
}

// note keeps the records the view does not grant.
func (f *fileReport) note(records []fileRecord) {
	for _, r := range records {
		if f.seen[r] || f.granted(r.path, r.access) {
			continue
		}
		if len(f.order) >= maxFileRefusals {
			f.lost++
			continue
		}
		f.seen[r] = true
		f.order = append(f.order, r)
	}
}

// end emits one `file` violation per kept access, and a warning for those past the bound.
func (f *fileReport) end(emit func([]byte)) {
	for _, r := range f.order {
		line, err := json.Marshal(map[string]any{
			"type": "violation", "kind": "file",
			"detail": fmt.Sprintf("%s (%s)", r.path, r.access),
			"data":   map[string]any{"path": r.path, "access": r.access},
		})
		if err == nil {
			emit(line)
		}
	}
	if f.lost > 0 {
		emitWarning(emit, "file-refusals-truncated", fmt.Sprintf("%d more file accesses outside the view, past the first %d, were not checked", f.lost, maxFileRefusals))
	}
}
