package config

import (
	"errors"
	"unicode/utf16"
	"unicode/utf8"
)

// value is one JSON value as parseJSON reads it: the decoder below walks these instead of
// encoding/json, whose reflection costs a fresh engine more than the rest of the parse (its code
// is paged in at every start).
type value struct {
	kind byte              // '{' object, '[' array, '"' string, '0' number, 't' true, 'f' false, 'n' null
	text string            // a string's contents (unescaped), a number's literal
	obj  map[string]*value // an object's fields; of duplicate keys the last wins, as in encoding/json
	arr  []*value
}

var errSyntax = errors.New("invalid JSON")

// maxDepth bounds nesting, as encoding/json does (an ExecConfig is four levels deep).
const maxDepth = 10000

// parseJSON parses data, which must be one JSON value (RFC 8259) with only whitespace around it.
// Strings are decoded as encoding/json does: invalid UTF-8 and unpaired surrogates become U+FFFD.
func parseJSON(data []byte) (*value, error) {
	p := jsonParser{data: data}
	v := p.value(0)
	p.space()
	if v == nil || p.pos != len(data) {
		return nil, errSyntax
	}
	return v, nil
}

type jsonParser struct {
	data []byte
	pos  int
}

func (p *jsonParser) space() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// value parses the value at p.pos; nil means a syntax error.
func (p *jsonParser) value(depth int) *value {
	p.space()
	if p.pos >= len(p.data) || depth > maxDepth {
		return nil
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, ok := p.string()
		if !ok {
			return nil
		}
		return &value{kind: '"', text: s}
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case p.literal("true"):
		return &value{kind: 't'}
	case p.literal("false"):
		return &value{kind: 'f'}
	case p.literal("null"):
		return &value{kind: 'n'}
	}
	return nil
}

func (p *jsonParser) literal(word string) bool {
	if len(p.data)-p.pos >= len(word) && string(p.data[p.pos:p.pos+len(word)]) == word {
		p.pos += len(word)
		return true
	}
	return false
}

func (p *jsonParser) object(depth int) *value {
	v := &value{kind: '{', obj: map[string]*value{}}
	p.pos++ // {
	p.space()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return v
	}
	for {
		p.space()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return nil
		}
		key, ok := p.string()
		if !ok {
			return nil
		}
		p.space()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return nil
		}
		p.pos++
		field := p.value(depth + 1)
		if field == nil {
			return nil
		}
		v.obj[key] = field
		if more, ok := p.next('}'); !ok || !more {
			return v.orNil(ok)
		}
	}
}

func (p *jsonParser) array(depth int) *value {
	v := &value{kind: '['}
	p.pos++ // [
	p.space()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return v
	}
	for {
		item := p.value(depth + 1)
		if item == nil {
			return nil
		}
		v.arr = append(v.arr, item)
		if more, ok := p.next(']'); !ok || !more {
			return v.orNil(ok)
		}
	}
}

// next consumes the ',' after a member (more) or the container's closing byte; ok is false for
// anything else.
func (p *jsonParser) next(closing byte) (more, ok bool) {
	p.space()
	if p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ',':
			p.pos++
			return true, true
		case closing:
			p.pos++
			return false, true
		}
	}
	return false, false
}

func (v *value) orNil(ok bool) *value {
	if !ok {
		return nil
	}
	return v
}

func (p *jsonParser) number() *value {
	start := p.pos
	digits := func() int {
		n := 0
		for p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '9' {
			p.pos++
			n++
		}
		return n
	}
	if p.data[p.pos] == '-' {
		p.pos++
	}
	switch {
	case p.pos < len(p.data) && p.data[p.pos] == '0':
		p.pos++
	case digits() == 0:
		return nil
	}
	if p.pos < len(p.data) && p.data[p.pos] == '.' {
		p.pos++
		if digits() == 0 {
			return nil
		}
	}
	if p.pos < len(p.data) && (p.data[p.pos] == 'e' || p.data[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.data) && (p.data[p.pos] == '+' || p.data[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			return nil
		}
	}
	return &value{kind: '0', text: string(p.data[start:p.pos])}
}

// string parses the string at p.pos (its opening quote) and returns its decoded contents.
func (p *jsonParser) string() (string, bool) {
	p.pos++ // "
	start := p.pos
	plain := true // no escape and valid UTF-8: the bytes are the string
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			raw := p.data[start:p.pos]
			p.pos++
			if plain && utf8.Valid(raw) {
				return string(raw), true
			}
			return unescape(raw)
		case c < 0x20:
			return "", false
		case c == '\\':
			plain = false
			p.pos += 2 // the escape's letter is checked by unescape; a \" does not end the string
		default:
			p.pos++
		}
	}
	return "", false
}

// unescape decodes the contents of a JSON string.
func unescape(raw []byte) (string, bool) {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			r, size := utf8.DecodeRune(raw[i:])
			out = utf8.AppendRune(out, r) // utf8.RuneError for an invalid byte, as encoding/json
			i += size
			continue
		}
		if i+1 >= len(raw) {
			return "", false
		}
		switch raw[i+1] {
		case '"', '\\', '/':
			out = append(out, raw[i+1])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(raw[i+2:])
			if !ok {
				return "", false
			}
			i += 6
			if utf16.IsSurrogate(r) {
				// A high surrogate followed by a low one is one character; anything else is U+FFFD.
				if i+1 < len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
					low, ok := hex4(raw[i+2:])
					if pair := utf16.DecodeRune(r, low); ok && pair != utf8.RuneError {
						out = utf8.AppendRune(out, pair)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
			continue
		default:
			return "", false
		}
		i += 2
	}
	return string(out), true
}

// hex4 reads the four hex digits of a \u escape.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
