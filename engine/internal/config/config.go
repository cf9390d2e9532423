// Package config mirrors src/engine/config.ts (the ExecConfig valibot schema), which is the single
// source of truth: same field names, same rules, same field paths in errors. The shared vectors in
// tests/vectors/exec-config/ are decoded by both sides' tests so the two cannot drift.
package config

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Version is the ExecConfig version this engine accepts (EXEC_CONFIG_VERSION).
const Version = 1

// maxSafeInteger is JavaScript's Number.MAX_SAFE_INTEGER, the upper bound of every count.
const maxSafeInteger = 1<<53 - 1

// ExecConfig is the JSON the engine obeys.
type ExecConfig struct {
	Version  int               `json:"version"`
	Argv     []string          `json:"argv"`
	Cwd      string            `json:"cwd"`
	Env      map[string]string `json:"env"`
	Fs       Fs                `json:"fs"`
	Network  Network           `json:"network"`
	Limits   Limits            `json:"limits"`
	Process  Process           `json:"process"`
	Degrade  []string          `json:"degrade"`
	Hostname string            `json:"hostname"`
	Learn    bool              `json:"learn,omitempty"` // learn mode (docs/learn.md): observe and record, see engine/internal/learn
	// ReportRefusals: PID 1 answers the base's ERRNO denials itself and reports each refused call
	// (docs/learn.md "Refused calls in ordinary runs", engine/internal/learn/refusals.go)
	ReportRefusals bool `json:"reportRefusals,omitempty"`
	// ReportFiles: PID 1 records the file calls the base allows and, after the run, reports the
	// paths the view does not grant for that access (docs/learn.md "Refused files",
	// engine/internal/learn/filereport.go)
	ReportFiles bool `json:"reportFiles,omitempty"`
}

// Fs is the file view; every path appears inside the sandbox at the same place.
type Fs struct {
	Read     []string `json:"read"`
	Write    []string `json:"write"`
	Hide     []string `json:"hide"`
	ReadOnly []string `json:"readOnly"`
	Sockets  []string `json:"sockets"`
	TmpBytes int64    `json:"tmpBytes"`
}

// Network is the network policy; Allow, Deny and Ask are only set in allowlist mode.
type Network struct {
	Mode  string   `json:"mode"`
	Allow []string `json:"allow,omitempty"`
	Deny  []string `json:"deny,omitempty"`
	Ask   bool     `json:"ask,omitempty"`
}

// Limits are resource limits; zero means no limit (the schema forbids an explicit 0).
type Limits struct {
	MemoryBytes   int64 `json:"memoryBytes,omitempty"`
	Pids          int64 `json:"pids,omitempty"`
	CPUSeconds    int64 `json:"cpuSeconds,omitempty"`
	WallMs        int64 `json:"wallMs,omitempty"`
	FileSizeBytes int64 `json:"fileSizeBytes,omitempty"`
	OpenFiles     int64 `json:"openFiles,omitempty"`
}

// Process holds process-level switches.
type Process struct {
	NewSession    bool `json:"newSession"`
	DieWithParent bool `json:"dieWithParent"`
}

// Error is one bad field, located by its dotted path (`fs.write[2]`), as valibot names it.
type Error struct {
	Path    string
	Message string
}

func (e *Error) Error() string {
	if e.Path == "" {
		return e.Message
	}
	return e.Path + ": " + e.Message
}

// Degrades reports whether the caller accepts losing the named protection.
func (c *ExecConfig) Degrades(name string) bool {
	for _, d := range c.Degrade {
		if d == name {
			return true
		}
	}
	return false
}

// Parse decodes and validates an ExecConfig; the error is an *Error naming the first bad field.
func Parse(data []byte) (*ExecConfig, error) {
	var c ExecConfig
	d := decoder{}
	v, err := parseJSON(data)
	if err != nil {
		d.fail("", "must be an object")
	} else {
		d.execConfig(v, &c)
	}
	if d.err != nil {
		return nil, d.err
	}
	return &c, nil
}

// decoder walks the parsed JSON (json.go) with explicit field sets, so unknown and missing keys are reported with
// their path exactly like valibot's strictObject, and stops at the first error.
type decoder struct{ err *Error }

func (d *decoder) fail(path, format string, args ...any) {
	if d.err == nil {
		d.err = &Error{Path: path, Message: fmt.Sprintf(format, args...)}
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// object returns a JSON object's fields, rejecting unknown keys and missing required ones.
func (d *decoder) object(v *value, path string, required, optional []string) map[string]*value {
	if d.err != nil {
		return nil
	}
	if v == nil || v.kind != '{' {
		d.fail(path, "must be an object")
		return nil
	}
	fields := v.obj
	known := map[string]bool{}
	for _, k := range append(append([]string{}, required...), optional...) {
		known[k] = true
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !known[k] {
			d.fail(join(path, k), "unknown field %q", k)
			return nil
		}
	}
	for _, k := range required {
		if _, ok := fields[k]; !ok {
			d.fail(join(path, k), "is required")
			return nil
		}
	}
	return fields
}

// is reports whether v is present and of kind k.
func is(v *value, k byte) bool { return v != nil && v.kind == k }

func (d *decoder) str(v *value, path string) string {
	var s string
	if d.err == nil && !is(v, '"') {
		d.fail(path, "must be a string")
	} else if d.err == nil {
		s = v.text
	}
	if d.err == nil && strings.ContainsRune(s, 0) {
		d.fail(path, "must not contain a NUL byte")
	}
	return s
}

func (d *decoder) boolean(v *value, path string) bool {
	if d.err == nil && !is(v, 't') && !is(v, 'f') {
		d.fail(path, "must be a boolean")
	}
	return is(v, 't')
}

// integer decodes a whole number in [lo, 2^53-1], like valibot's integer/minValue/maxValue.
func (d *decoder) integer(v *value, path string, lo int64) int64 {
	if d.err != nil {
		return 0
	}
	var f float64
	var err error
	if is(v, '0') {
		f, err = strconv.ParseFloat(v.text, 64)
	}
	if !is(v, '0') || err != nil {
		d.fail(path, "must be a number")
	} else if f != math.Trunc(f) {
		d.fail(path, "must be a whole number")
	} else if f < float64(lo) {
		d.fail(path, "must be at least %d", lo)
	} else if f > maxSafeInteger {
		d.fail(path, "must be at most %d", int64(maxSafeInteger))
	}
	return int64(f)
}

func (d *decoder) array(v *value, path string) []*value {
	if d.err == nil && !is(v, '[') {
		d.fail(path, "must be an array")
	}
	if d.err != nil {
		return nil
	}
	return v.arr
}

func (d *decoder) strings(v *value, path string, check func(string, string)) []string {
	items := d.array(v, path)
	out := make([]string, 0, len(items))
	for i, item := range items {
		p := fmt.Sprintf("%s[%d]", path, i)
		s := d.str(item, p)
		if d.err == nil && check != nil {
			check(s, p)
		}
		out = append(out, s)
	}
	return out
}

// absPath checks the AbsPath rule: absolute, normalised, at most 4096 bytes.
func (d *decoder) absPath(p, path string) {
	if len(p) > 4096 {
		d.fail(path, "must be at most 4096 bytes")
		return
	}
	if !IsAbsNormalised(p) {
		d.fail(path, "must be an absolute, normalised path (no trailing /, //, . or ..)")
	}
}

// IsAbsNormalised reports whether p starts with / and has no empty, "." or ".." segment.
func IsAbsNormalised(p string) bool {
	if p == "/" {
		return true
	}
	if !strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") {
		return false
	}
	for _, seg := range strings.Split(p[1:], "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// validHostname is /^[a-zA-Z0-9][a-zA-Z0-9.-]{0,62}$/ without a regexp (whose compilation would
// cost every engine stage at start-up).
func validHostname(h string) bool {
	if len(h) == 0 || len(h) > 63 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || (c != '.' && c != '-')) {
			return false
		}
	}
	return true
}

func (d *decoder) execConfig(v *value, c *ExecConfig) {
	f := d.object(v, "", []string{"version", "argv", "cwd", "env", "fs", "network", "limits", "process", "degrade", "hostname"}, []string{"learn", "reportRefusals", "reportFiles"})
	if d.err != nil {
		return
	}
	if v := d.integer(f["version"], "version", math.MinInt32); d.err == nil && v != Version {
		d.fail("version", "must be %d, got %d", Version, v)
	}
	c.Version = Version
	c.Argv = d.strings(f["argv"], "argv", nil)
	if d.err == nil && len(c.Argv) == 0 {
		d.fail("argv", "must name a command")
	}
	if d.err == nil && len(c.Argv) > 65536 {
		d.fail("argv", "must have at most 65536 items")
	}
	c.Cwd = d.str(f["cwd"], "cwd")
	if d.err == nil {
		d.absPath(c.Cwd, "cwd")
	}
	c.Env = d.env(f["env"])
	d.fs(f["fs"], &c.Fs)
	d.network(f["network"], &c.Network)
	d.limits(f["limits"], &c.Limits)
	p := d.object(f["process"], "process", []string{"newSession", "dieWithParent"}, nil)
	c.Process.NewSession = d.boolean(p["newSession"], "process.newSession")
	c.Process.DieWithParent = d.boolean(p["dieWithParent"], "process.dieWithParent")
	c.Degrade = d.strings(f["degrade"], "degrade", func(s, p string) {
		if s != "namespaces" && s != "landlock" {
			d.fail(p, `must be "namespaces" or "landlock", got %q`, s)
		}
	})
	c.Hostname = d.str(f["hostname"], "hostname")
	if d.err == nil && !validHostname(c.Hostname) {
		d.fail("hostname", "must be a valid hostname")
	}
	if raw, ok := f["learn"]; ok {
		c.Learn = d.boolean(raw, "learn")
	}
	if raw, ok := f["reportRefusals"]; ok {
		c.ReportRefusals = d.boolean(raw, "reportRefusals")
	}
	if raw, ok := f["reportFiles"]; ok {
		c.ReportFiles = d.boolean(raw, "reportFiles")
	}
}

func (d *decoder) env(v *value) map[string]string {
	var fields map[string]*value
	if d.err == nil && !is(v, '{') {
		d.fail("env", "must be an object")
	} else if d.err == nil {
		fields = v.obj
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	env := make(map[string]string, len(fields))
	for _, k := range keys {
		if k == "" || strings.ContainsAny(k, "=\x00") {
			d.fail("env."+k, "must be a non-empty name without = or NUL")
		}
		env[k] = d.str(fields[k], "env."+k)
	}
	return env
}

func (d *decoder) fs(v *value, fs *Fs) {
	f := d.object(v, "fs", []string{"read", "write", "hide", "readOnly", "sockets", "tmpBytes"}, nil)
	fs.Read = d.strings(f["read"], "fs.read", d.absPath)
	fs.Write = d.strings(f["write"], "fs.write", d.absPath)
	fs.Hide = d.strings(f["hide"], "fs.hide", d.absPath)
	fs.ReadOnly = d.strings(f["readOnly"], "fs.readOnly", d.absPath)
	fs.Sockets = d.strings(f["sockets"], "fs.sockets", d.absPath)
	fs.TmpBytes = d.integer(f["tmpBytes"], "fs.tmpBytes", 0)
}

func (d *decoder) network(v *value, n *Network) {
	if d.err != nil {
		return
	}
	if !is(v, '{') {
		d.fail("network", "must be an object")
		return
	}
	mode := ""
	if m := v.obj["mode"]; is(m, '"') {
		mode = m.text
	}
	if mode != "none" && mode != "host" && mode != "allowlist" {
		d.fail("network.mode", `must be "none", "host" or "allowlist"`)
		return
	}
	n.Mode = mode
	if mode != "allowlist" {
		d.object(v, "network", []string{"mode"}, nil)
		return
	}
	f := d.object(v, "network", []string{"mode", "allow", "deny", "ask"}, nil)
	nonEmpty := func(s, p string) {
		if s == "" {
			d.fail(p, "must not be empty")
		}
	}
	n.Allow = d.strings(f["allow"], "network.allow", nonEmpty)
	n.Deny = d.strings(f["deny"], "network.deny", nonEmpty)
	n.Ask = d.boolean(f["ask"], "network.ask")
}

func (d *decoder) limits(v *value, l *Limits) {
	names := []string{"memoryBytes", "pids", "cpuSeconds", "wallMs", "fileSizeBytes", "openFiles"}
	f := d.object(v, "limits", nil, names)
	dst := []*int64{&l.MemoryBytes, &l.Pids, &l.CPUSeconds, &l.WallMs, &l.FileSizeBytes, &l.OpenFiles}
	for i, name := range names {
		if v, ok := f[name]; ok {
			*dst[i] = d.integer(v, "limits."+name, 1)
		}
	}
}

// MarshalJSON writes only the fields of the mode, so the output parses again (strict objects).
func (n Network) MarshalJSON() ([]byte, error) {
	if n.Mode != "allowlist" {
		return json.Marshal(struct {
			Mode string `json:"mode"`
		}{n.Mode})
	}
	type full struct {
		Mode  string   `json:"mode"`
		Allow []string `json:"allow"`
		Deny  []string `json:"deny"`
		Ask   bool     `json:"ask"`
	}
	f := full{n.Mode, n.Allow, n.Deny, n.Ask}
	if f.Allow == nil {
		f.Allow = []string{}
	}
	if f.Deny == nil {
		f.Deny = []string{}
	}
	return json.Marshal(f)
}
