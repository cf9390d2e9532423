package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const vectors = "../../../tests/vectors/exec-config"

// eachVector calls fn with each shared vector matching pattern, of which there are at least min.
func eachVector(t *testing.T, pattern string, min int, fn func(file string, data []byte)) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(vectors, pattern))
	if len(files) < min {
		t.Fatalf("found %d vectors matching %s", len(files), pattern)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fn(f, data)
	}
}

func TestValidVectorsParse(t *testing.T) {
	eachVector(t, "valid/*.json", 5, func(f string, data []byte) {
		if _, err := Parse(data); err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
		}
	})
}

func TestInvalidVectorsFailAtTheirPath(t *testing.T) {
	eachVector(t, "invalid/*.json", 20, func(f string, data []byte) {
		want, err := os.ReadFile(strings.TrimSuffix(f, ".json") + ".path")
		if err != nil {
			t.Fatal(err)
		}
		_, err = Parse(data)
		ce, ok := err.(*Error)
		if !ok {
			t.Errorf("%s: want a config error, got %v", filepath.Base(f), err)
			return
		}
		if ce.Path != strings.TrimSpace(string(want)) {
			t.Errorf("%s: error at %q (%v), want %q", filepath.Base(f), ce.Path, ce, strings.TrimSpace(string(want)))
		}
	})
}

func TestParseRejectsNonJSONAndTrailingData(t *testing.T) {
	for _, in := range []string{"", "{", "[]", "null", `"x"`} {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("Parse(%q) succeeded", in)
		}
	}
}

func TestErrorNamesThePath(t *testing.T) {
	data, _ := os.ReadFile(filepath.Join(vectors, "invalid", "write-dotdot.json"))
	_, err := Parse(data)
	if err == nil || !strings.HasPrefix(err.Error(), "fs.write[2]: must be an absolute, normalised path") {
		t.Fatalf("got %v", err)
	}
}

func TestNetworkMarshalRoundTrips(t *testing.T) {
	for _, name := range []string{"full.json", "minimal.json", "network-host.json"} {
		data, _ := os.ReadFile(filepath.Join(vectors, "valid", name))
		c, err := Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		out, err := jsonMarshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(out); err != nil {
			t.Errorf("%s does not parse after a round trip: %v\n%s", name, err, out)
		}
	}
}

func FuzzParseNeverPanics(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(vectors, "*", "*.json"))
	for _, p := range files {
		data, _ := os.ReadFile(p)
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		// What is accepted is written back in a form that is accepted again.
		out, err := jsonMarshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(out); err != nil {
			t.Fatalf("accepted %q but not its re-encoding %q: %v", data, out, err)
		}
	})
}
