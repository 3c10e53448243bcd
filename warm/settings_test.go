package warm_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/cfprewarm/cfprewarm/edgehosts"
	"github.com/cfprewarm/cfprewarm/warm"
)

// "N|auto" reads the same in every front end: auto, or a whole number of at
// least 1; 0 is refused as such (it would mean the default).
func TestParseRequests(t *testing.T) {
	for s, want := range map[string]string{"auto": "0 true <nil>", " 7 ": "7 false <nil>", "1000": "1000 false <nil>"} {
		n, auto, err := warm.ParseRequests(s)
		if got := fmt.Sprint(n, auto, err); got != want {
			t.Errorf("ParseRequests(%q) = %s, want %s", s, got, want)
		}
	}
	if _, _, err := warm.ParseRequests("0"); !errors.Is(err, warm.ErrZero) {
		t.Errorf("ParseRequests(0) = %v, want ErrZero", err)
	}
	for _, s := range []string{"", "-1", "AUTO", "six", "1.5"} {
		if n, auto, err := warm.ParseRequests(s); err == nil || err.Error() != "want a whole number of at least 1, or auto" {
			t.Errorf("ParseRequests(%q) = %d %v %v, want the N|auto error", s, n, auto, err)
		}
	}
}

func TestCoverageRange(t *testing.T) {
	for _, ok := range []string{"0.5", "0.99", "1e-9"} {
		if _, err := warm.ParseCoverage(ok); err != nil {
			t.Errorf("ParseCoverage(%s): %v", ok, err)
		}
	}
	for _, bad := range []string{"0", "1", "1.5", "-0.1", "NaN", "x"} {
		if v, err := warm.ParseCoverage(bad); err == nil {
			t.Errorf("ParseCoverage(%s) = %v, want an error", bad, v)
		}
	}
}

// The settings only automatic sizing reads are reported when set with a
// fixed count, never with auto.
func TestNeedsAuto(t *testing.T) {
	c := warm.Config{Coverage: 0.9, MaxRequests: 5, Adapt: true, KnownHosts: map[string]edgehosts.Estimate{}}
	if got := fmt.Sprint(c.NeedsAuto()); got != "[Coverage MaxRequests Adapt KnownHosts]" {
		t.Errorf("NeedsAuto = %s", got)
	}
	if got := (warm.Config{RequestsPerPOP: 5, Hosts: 8}).NeedsAuto(); got != nil {
		t.Errorf("a fixed count alone: NeedsAuto = %v", got)
	}
	c.Auto = true
	if got := c.NeedsAuto(); got != nil {
		t.Errorf("with auto: NeedsAuto = %v", got)
	}
}
