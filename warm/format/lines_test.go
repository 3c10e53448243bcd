package format_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/cfprewarm/cfprewarm/warm/format"
)

// A daemon's table is a header once and then one line per wave: no
// repeated header, no per-run blocks.
func TestWaveLines(t *testing.T) {
	report := format.WaveLines()
	var buf bytes.Buffer
	for range 2 {
		if err := report(&buf, sampleResult()); err != nil {
			t.Fatal(err)
		}
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	// The banner, the column header, two waves per run, and the stop note
	// of each run (the sample stopped after 2 of 3 waves).
	if len(lines) != 2+2*3 {
		t.Fatalf("%d lines:\n%s", len(lines), buf.String())
	}
	if strings.Count(buf.String(), "TIME (UTC)") != 1 || strings.Count(buf.String(), "prewarm d111111abcdef8.cloudfront.net") != 1 {
		t.Errorf("the header repeats:\n%s", buf.String())
	}
	for _, want := range []string{
		"12:00:00.000Z     1   1/3     3         4     3       1  50.0%   20.0ms   39.6ms  CDG50-C1: ids constant (suspect), 16 hosts from assumed; LHR61-C2: tls 1, unfinished 1",
		"12:00:20.000Z     1   2/3     3         4     3       1   0.0%   20.0ms   39.6ms  CDG50-C1: ids constant (suspect), 16 hosts from assumed; LHR61-C2: tls 1, unfinished 1",
		"12:00:00.000Z     2   1/3",
		"12:00:21.000Z     1  stopped after 2 of 3 waves: the deadline left too little time for the next wave",
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("lacks %q:\n%s", want, buf.String())
		}
	}
	if strings.Contains(buf.String(), "wave 1/") {
		t.Errorf("per-wave blocks in daemon output:\n%s", buf.String())
	}
}
