package config

import (
	"encoding/json"
	"reflect"
	"strconv"
	"testing"
)

// generic turns a parsed value into what encoding/json decodes into an any.
func generic(t *testing.T, v *value) any {
	switch v.kind {
	case '{':
		m := map[string]any{}
		for k, f := range v.obj {
			m[k] = generic(t, f)
		}
		return m
	case '[':
		a := []any{}
		for _, item := range v.arr {
			a = append(a, generic(t, item))
		}
		return a
	case '"':
		return v.text
	case '0':
		f, err := strconv.ParseFloat(v.text, 64)
		if err != nil {
			return v.text // out of range: encoding/json refuses the document (checked by the caller)
		}
		return f
	case 't', 'f':
		return v.kind == 't'
	}
	return nil
}

// sameAsEncodingJSON checks that parseJSON accepts exactly what encoding/json accepts and reads
// the same values (the decoder's rules were written against encoding/json).
func sameAsEncodingJSON(t *testing.T, data []byte) {
	t.Helper()
	v, err := parseJSON(data)
	if (err == nil) != json.Valid(data) {
		t.Fatalf("%q: parseJSON err %v, json.Valid %v", data, err, json.Valid(data))
	}
	if err != nil {
		return
	}
	var want any
	if json.Unmarshal(data, &want) != nil {
		return // valid syntax with a number out of float64's range: the decoder says "must be a number"
	}
	if got := generic(t, v); !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: parseJSON read %#v, encoding/json %#v", data, got, want)
	}
}

var jsonCases = []string{
	`{}`, `[]`, `""`, `0`, `-0`, `-1.5e+3`, `1E2`, `true`, `false`, `null`, ` {"a" : [1, 2, {"b": null}] } `,
	`{"a":1,"a":2}`, `"\u00e9\u0000\n\t\"\\\/"`, `"\ud83d\ude00"`, `"\ud83d"`, `"\ude00\ud83d x"`, `"\ud83d\u0041"`,
	"\"\xff\xfe ok\"", "\"caf\xc3\xa9\"", `1e400`, `[1e400]`,
	`{`, `}`, `[1,]`, `{"a":1,}`, `{"a" 1}`, `{a:1}`, `01`, `1.`, `.5`, `-`, `1e`, `+1`, `"\x"`, `"\u12"`, `"abc`,
	"\"a\nb\"", `tru`, `nul`, `[1 2]`, `{"a":1}x`, `"\`, ``, ` `, `[[[[[]]]]]`,
}

func TestParseJSONMatchesEncodingJSON(t *testing.T) {
	for _, c := range jsonCases {
		sameAsEncodingJSON(t, []byte(c))
	}
	eachVector(t, "*/*.json", 25, func(_ string, data []byte) { sameAsEncodingJSON(t, data) })
}

// go test -fuzz FuzzParseJSON ./internal/config explores further from the same seeds.
func FuzzParseJSON(f *testing.F) {
	for _, c := range jsonCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) { sameAsEncodingJSON(t, data) })
}
