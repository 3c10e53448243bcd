package errwriter

import (
	"bytes"
	"errors"
	"testing"
)

// failAfter fails every write after the first n bytes.
type failAfter struct {
	buf bytes.Buffer
	n   int
}

var errFull = errors.New("full")

func (f *failAfter) Write(p []byte) (int, error) {
	if f.buf.Len()+len(p) > f.n {
		return 0, errFull
	}
	return f.buf.Write(p)
}

func TestKeepsTheFirstError(t *testing.T) {
	f := &failAfter{n: 6}
	w := New(f)
	w.Printf("%s\n", "one")
	w.Printf("%s\n", "two")
	w.Printf("%s\n", "x")
	if !errors.Is(w.Err(), errFull) || f.buf.String() != "one\n" {
		t.Errorf("err %v, wrote %q", w.Err(), f.buf.String())
	}
	ok := New(&bytes.Buffer{})
	ok.Printf("fine")
	if ok.Err() != nil {
		t.Error(ok.Err())
	}
}
