package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const vectors = "../../../tests/vectors/exec-config"

func TestValidVectorsParse(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(vectors, "valid", "*.json"))
	if len(files) < 5 {
		t.Fatalf("found %d valid vectors", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(data); err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
		}
	}
}

func TestInvalidVectorsFailAtTheirPath(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(vectors, "invalid", "*.json"))
	if len(files) < 20 {
		t.Fatalf("found %d invalid vectors", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(strings.TrimSuffix(f, ".json") + ".path")
		if err != nil {
			t.Fatal(err)
		}
		_, err = Parse(data)
		ce, ok := err.(*Error)
		if !ok {
			t.Errorf("%s: want a config error, got %v", filepath.Base(f), err)
			continue
		}
		if ce.Path != strings.TrimSpace(string(want)) {
			t.Errorf("%s: error at %q (%v), want %q", filepath.Base(f), ce.Path, ce, strings.TrimSpace(string(want)))
		}
	}
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
