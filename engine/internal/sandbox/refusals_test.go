//go:build linux

package sandbox

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"stockade/engine/internal/config"
)

// Refusal reports (ExecConfig.reportRefusals), end to end: real processes under the report filter.

// errnoOn answers nr with ERRNO(errno), notifyNr with USER_NOTIF, and allows the rest.
func errnoOn(nr, errno, notifyNr uint32) []byte {
	return bytes.Join([][]byte{
		bpfInsn(0x20, 0, 0, 0),
		bpfInsn(0x15, 0, 1, nr),
		bpfInsn(0x06, 0, 0, 0x00050000|errno),
		bpfInsn(0x15, 0, 1, notifyNr),
		bpfInsn(0x06, 0, 0, 0x7fc00000),
		bpfInsn(0x06, 0, 0, retAllow),
	}, nil)
}

func refusals(r *result) []map[string]any {
	var out []map[string]any
	for _, e := range r.events {
		if e["type"] == "violation" && e["kind"] == "syscall" {
			out = append(out, e["data"].(map[string]any))
		}
	}
	return out
}

func TestReportRefusalsAnswersTheBaseErrnoAndCountsEachCall(t *testing.T) {
	// uname(2) twice, refused with EACCES; sethostname(2) left to a USER_NOTIF default (ENOSYS).
	script := `uname; uname; hostname x; echo done`
	bpf := errnoOn(unix.SYS_UNAME, uint32(unix.EACCES), unix.SYS_SETHOSTNAME)
	plain := run(t, sh(script), bpf)
	c := sh(script)
	c.ReportRefusals = true
	reported := run(t, c, bpf)
	expectCode(t, plain, 0)
	expectCode(t, reported, 0)
	if plain.stderr != reported.stderr || plain.stdout != reported.stdout || plain.stdout != "done\n" {
		t.Fatalf("the answers differ with reporting:\nplain    %q %q\nreported %q %q", plain.stdout, plain.stderr, reported.stdout, reported.stderr)
	}
	if got := refusals(plain); len(got) != 0 {
		t.Fatalf("refusals reported without the switch: %v", got)
	}
	got := refusals(reported)
	want := []map[string]any{
		{"nr": float64(unix.SYS_UNAME), "errno": float64(unix.EACCES), "count": float64(2)},
		{"nr": float64(unix.SYS_SETHOSTNAME), "errno": float64(unix.ENOSYS), "count": float64(1)},
	}
	if len(got) != len(want) {
		t.Fatalf("refusals %v, want %v", got, want)
	}
	for i, w := range want {
		for k, v := range w {
			if got[i][k] != v {
				t.Fatalf("refusal %d: %v, want %v", i, got[i], w)
			}
		}
	}
	// Every event comes before the exit status: the exited event is the last.
	if last := reported.events[len(reported.events)-1]; last["type"] != "exited" {
		t.Fatalf("last event %v, want exited", last)
	}
}

func TestReportRefusalsLeavesKillToTheKernel(t *testing.T) {
	c := sh(`uname; echo survived`)
	c.ReportRefusals = true
	r := run(t, c, killOn(unix.SYS_UNAME))
	if r.stdout != "survived\n" {
		t.Fatalf("stdout %q: uname's own process is killed, the shell goes on", r.stdout)
	}
	for _, d := range refusals(r) {
		if d["errno"] != nil {
			t.Fatalf("a KILL_PROCESS call went to the supervisor: %v", d)
		}
	}
}

func fileRefusals(r *result) []string {
	var out []string
	for _, e := range r.events {
		if e["type"] == "violation" && e["kind"] == "file" {
			d := e["data"].(map[string]any)
			out = append(out, d["access"].(string)+" "+d["path"].(string))
		}
	}
	return out
}

func TestReportFilesKeepsWhatTheViewRefusesAndChangesNothing(t *testing.T) {
	// Not under /tmp: the sandbox has its own there, where a create is no refusal.
	dir, err := os.MkdirTemp("/var/tmp", "stockade-files-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	for _, d := range []string{"ro", "rw", "hidden"} {
		if err := os.Mkdir(dir+"/"+d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(dir+"/hidden/key", []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	script := `cat ` + dir + `/hidden/key; echo x > ` + dir + `/ro/new; echo y > ` + dir + `/rw/ok; cat ` + dir + `/rw/ok; mkdir ` + dir + `/out; rm -f ` + dir + `/rw/ok`
	configure := func(report bool) *config.ExecConfig {
		c := sh(script)
		c.Fs.Read = append(c.Fs.Read, dir+"/ro", dir+"/hidden")
		c.Fs.Write = []string{dir + "/rw"}
		c.Fs.Hide = []string{dir + "/hidden"}
		c.ReportFiles = report
		return c
	}
	plain := run(t, configure(false), allowAll())
	reported := run(t, configure(true), allowAll())
	if plain.stdout != reported.stdout || plain.stderr != reported.stderr || plain.code != reported.code || reported.stdout != "y\n" {
		t.Fatalf("the run differs with the report:\nplain    %q %q\nreported %q %q", plain.stdout, plain.stderr, reported.stdout, reported.stderr)
	}
	if got := fileRefusals(plain); len(got) != 0 {
		t.Fatalf("files reported without the switch: %v", got)
	}
	got := strings.Join(fileRefusals(reported), "\n")
	want := strings.Join([]string{"read " + dir + "/hidden/key", "create " + dir + "/ro/new", "create " + dir + "/out"}, "\n")
	if got != want {
		t.Fatalf("reported\n%s\nwant\n%s", got, want)
	}
}
