package loopback

import (
	"bytes"
	"sync"
)

// Output collects what a running server, command or child process writes
// (several writers at once) while a test reads it. OnWrite, when set, is
// called after each write with everything written so far: tests use it to
// act at a given moment of a run, such as when a line appears.
type Output struct {
	OnWrite func(all string)

	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	n, err := o.b.Write(p)
	all := o.b.String()
	o.mu.Unlock()
	if o.OnWrite != nil {
		o.OnWrite(all)
	}
	return n, err
}

// String returns everything written so far.
func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}
