package frame

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

func section(kind, reserved uint16, body []byte) []byte {
	b := binary.LittleEndian.AppendUint16(nil, kind)
	b = binary.LittleEndian.AppendUint16(b, reserved)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(body)))
	return append(b, body...)
}

func header(magic string, version, count uint16) []byte {
	b := []byte(magic)
	b = binary.LittleEndian.AppendUint16(b, version)
	return binary.LittleEndian.AppendUint16(b, count)
}

func join(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

var (
	cfg = []byte(`{"version":1}`)
	bpf = make([]byte, 16)
)

func TestRoundTrip(t *testing.T) {
	in := &Frame{Config: cfg, Seccomp: bpf, Seatbelt: []byte("(version 1)")}
	data, err := Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Read(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Config, cfg) || !bytes.Equal(out.Seccomp, bpf) || string(out.Seatbelt) != "(version 1)" {
		t.Fatalf("round trip changed the frame: %+v", out)
	}
}

func TestReadRejectsMalformedFrames(t *testing.T) {
	ok := join(header("STKD", 1, 2), section(1, 0, cfg), section(2, 0, bpf))
	if _, err := Read(bytes.NewReader(ok)); err != nil {
		t.Fatalf("the well-formed frame fails: %v", err)
	}
	cases := map[string]struct {
		data []byte
		want string
	}{
		"empty":            {nil, "truncated"},
		"short header":     {[]byte("STKD\x01"), "truncated"},
		"bad magic":        {join(header("STKX", 1, 1), section(1, 0, cfg)), "bad magic"},
		"version 0":        {join(header("STKD", 0, 1), section(1, 0, cfg)), "unsupported version 0"},
		"version 2":        {join(header("STKD", 2, 1), section(1, 0, cfg)), "unsupported version 2"},
		"no sections":      {header("STKD", 1, 0), "section count 0"},
		"too many":         {header("STKD", 1, 4), "section count 4"},
		"unknown kind":     {join(header("STKD", 1, 2), section(1, 0, cfg), section(9, 0, nil)), "unknown kind 9"},
		"reserved set":     {join(header("STKD", 1, 1), section(1, 7, cfg)), "reserved field is 7"},
		"duplicate":        {join(header("STKD", 1, 2), section(1, 0, cfg), section(1, 0, cfg)), "appears twice"},
		"config missing":   {join(header("STKD", 1, 1), section(2, 0, bpf)), `"config" section is missing`},
		"config empty":     {join(header("STKD", 1, 1), section(1, 0, nil)), "out of range"},
		"config too big":   {join(header("STKD", 1, 1), section(1, 0, make([]byte, MaxConfig+1))), "out of range"},
		"bpf not x8":       {join(header("STKD", 1, 2), section(1, 0, cfg), section(2, 0, make([]byte, 12))), "multiple of 8"},
		"bpf empty":        {join(header("STKD", 1, 2), section(1, 0, cfg), section(2, 0, nil)), "multiple of 8"},
		"bpf too long":     {join(header("STKD", 1, 2), section(1, 0, cfg), section(2, 0, make([]byte, MaxSeccomp+8))), "multiple of 8"},
		"seatbelt too big": {join(header("STKD", 1, 2), section(1, 0, cfg), section(3, 0, make([]byte, MaxSeatbelt+1))), "over the limit"},
		"truncated body":   {join(header("STKD", 1, 1), section(1, 0, cfg))[:20], "truncated"},
		"missing section":  {join(header("STKD", 1, 2), section(1, 0, cfg)), "truncated"},
		"trailing bytes":   {append(append([]byte{}, ok...), 0), "unexpected bytes"},
	}
	for name, c := range cases {
		_, err := Read(bytes.NewReader(c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", name, err, c.want)
		}
	}
}

func TestLengthIsNotTrustedForAllocation(t *testing.T) {
	// A huge declared length is refused before any allocation of that size.
	data := join(header("STKD", 1, 1), []byte{1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff})
	if _, err := Read(bytes.NewReader(data)); err == nil || !strings.Contains(err.Error(), "out of range") {
		t.Fatalf("got %v", err)
	}
}

func TestEncodeAppliesTheLimits(t *testing.T) {
	if _, err := Encode(&Frame{Config: cfg, Seccomp: make([]byte, 7)}); err == nil {
		t.Fatal("a 7-byte seccomp program was encoded")
	}
	if _, err := Encode(&Frame{Config: nil, Seccomp: bpf}); err == nil {
		t.Fatal("an empty config was encoded")
	}
}

func FuzzReadNeverPanics(f *testing.F) {
	ok, _ := Encode(&Frame{Config: cfg, Seccomp: bpf, Seatbelt: []byte("x")})
	f.Add(ok)
	f.Add([]byte("STKD\x01\x00\x01\x00\x01\x00\x00\x00\x02\x00\x00\x00{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := Read(bytes.NewReader(data))
		if err == nil {
			// Whatever is accepted encodes back to the same bytes.
			again, eerr := Encode(fr)
			if eerr != nil || !bytes.Equal(again, data) {
				t.Fatalf("accepted a frame that does not round-trip: %q", data)
			}
		}
	})
}
