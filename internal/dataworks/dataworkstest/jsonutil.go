package dataworkstest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// FlowSpec documents are handled as generic JSON decoded with UseNumber:
// 19-digit ids and every other number survive unchanged (a float64 would
// round 4634978808809541234 to …632), and fields the fake does not know
// pass through.

// decodeObject parses one JSON object.
func decodeObject(text string) (map[string]any, error) {
	d := json.NewDecoder(strings.NewReader(text))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON value")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("not a JSON object")
	}
	return m, nil
}

// encode is the compact JSON of v; v holds only what decodeObject makes
// (and strings, numbers, bools), so it cannot fail.
func encode(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// clone deep-copies decoded JSON.
func clone[T any](v T) T {
	return cloneAny(v).(T)
}

func cloneAny(v any) any {
	switch v := v.(type) {
	case map[string]any:
		c := make(map[string]any, len(v))
		for k, x := range v {
			c[k] = cloneAny(x)
		}
		return c
	case []any:
		c := make([]any, len(v))
		for i, x := range v {
			c[i] = cloneAny(x)
		}
		return c
	}
	return v
}

// get walks object keys; nil when a step is missing or not an object.
func get(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// str is the text at path: a string, or a number's literal (ids are
// sometimes sent as numbers).
func str(v any, path ...string) string {
	switch x := get(v, path...).(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return ""
}

// num is the integer at path, 0 when there is none.
func num(v any, path ...string) int64 {
	switch x := get(v, path...).(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		f, _ := x.Float64()
		return int64(f)
	case float64:
		return int64(x)
	case int:
		return int64(x)
	case int64:
		return x
	}
	return 0
}

// object is the object at path, nil when there is none.
func object(v any, path ...string) map[string]any {
	m, _ := get(v, path...).(map[string]any)
	return m
}

// list is the array at path, nil when there is none.
func list(v any, path ...string) []any {
	l, _ := get(v, path...).([]any)
	return l
}

// ensure returns the object at m[key], creating it if absent or not an
// object.
func ensure(m map[string]any, key string) map[string]any {
	if o, ok := m[key].(map[string]any); ok {
		return o
	}
	o := map[string]any{}
	m[key] = o
	return o
}

// objects checks that v, when present, is an array of objects.
func objects(v any, what string) ([]map[string]any, error) {
	if v == nil {
		return nil, nil
	}
	l, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s must be an array", what)
	}
	out := make([]map[string]any, len(l))
	for i, x := range l {
		if out[i], ok = x.(map[string]any); !ok {
			return nil, fmt.Errorf("%s[%d] must be an object", what, i)
		}
	}
	return out, nil
}
