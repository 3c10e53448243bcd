package main

import (
	"testing"

	"github.com/cfprewarm/cfprewarm/accesslog"
)

// plan's status line says how far an S3 listing got before any byte is
// read (a listing of 100,000 objects takes 100 pages), then what was read.
func TestReadProgressLine(t *testing.T) {
	var p accesslog.Progress
	p.Listed.Add(3000)
	if got, want := readProgressLine(&p), "listing S3: 3000 objects so far"; got != want {
		t.Errorf("listing: %q, want %q", got, want)
	}
	p.Total.Add(4_000_000)
	p.Read.Add(1_000_000)
	p.Lines.Add(2048)
	if got, want := readProgressLine(&p), "reading logs: 1.0 MB of 4.0 MB (25%), 2048 lines"; got != want {
		t.Errorf("reading: %q, want %q", got, want)
	}
}
