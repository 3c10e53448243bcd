// Package jsonobj joins JSON objects: a record written as the fields of a
// header (a schema envelope, a prewarm request's POP and wave) followed by
// the fields of another value's own JSON form, as one flat object. It is the
// way to extend a type that has its own MarshalJSON without the trap of
// embedding it (an embedded MarshalJSON is promoted and drops the rest).
package jsonobj

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Merge marshals head and tail, which must both marshal to JSON objects,
// and returns one object with head's fields first. Keys are not
// de-duplicated: the caller keeps them apart.
func Merge(head, tail any) ([]byte, error) {
	h, err := object(head)
	if err != nil {
		return nil, err
	}
	t, err := object(tail)
	if err != nil {
		return nil, err
	}
	switch {
	case len(h) == 2: // {}
		return t, nil
	case len(t) == 2:
		return h, nil
	}
	out := make([]byte, 0, len(h)+len(t))
	out = append(out, h[:len(h)-1]...)
	out = append(out, ',')
	return append(out, t[1:]...), nil
}

func object(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	b = bytes.TrimSpace(b)
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return nil, fmt.Errorf("jsonobj: %T is not a JSON object: %.40s", v, b)
	}
	return b, nil
}
