// Package errwriter is an io.Writer that keeps the first write error, so
// that a reporter can print line after line and check once at the end.
package errwriter

import (
	"fmt"
	"io"
)

// Writer writes to W until a write fails; from then on it writes nothing
// and Err returns that first error.
type Writer struct {
	W   io.Writer
	err error
}

// New returns a Writer on w.
func New(w io.Writer) *Writer { return &Writer{W: w} }

// Write implements io.Writer.
func (e *Writer) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.W.Write(p)
	e.err = err
	return n, err
}

// Printf writes a formatted text.
func (e *Writer) Printf(format string, a ...any) { fmt.Fprintf(e, format, a...) }

// Err returns the first write error, or nil.
func (e *Writer) Err() error { return e.err }
