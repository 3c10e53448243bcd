package accesslog

import (
	"slices"
	"strings"
	"testing"

	"github.com/cfprewarm/cfprewarm/cloudfront"
)

// TestPOPCodeForms: old logs carry bare codes (FRA2, DFW3), newer ones
// suffixed ones with one or two digits (SIN2-P11) and China's -E1; all are
// read, in upper case, and a value that is no POP code is a bad line whose
// example quotes the rule.
func TestPOPCodeForms(t *testing.T) {
	forms := []string{"FRA2", "LAX1", "DFW3", "FRA53", "BOM52", "SEA19-C1", "SIN2-P11", "PVG52-E1", "ams50-c1", "HKG540"}
	es := entries(len(forms))
	for i := range es {
		es[i].POP = forms[i]
	}
	p := writeFile(t, t.TempDir(), "E2EXAMPLE.2014-03-01-10.abcd1234.gz", gz(w3c(es)))
	recs, sum := readAll(t, Config{Inputs: []string{p}})
	var pops []string
	for _, r := range recs {
		pops = append(pops, r.POP)
	}
	slices.Sort(pops)
	want := []string{"AMS50-C1", "BOM52", "DFW3", "FRA2", "FRA53", "LAX1", "PVG52-E1", "SEA19-C1", "SIN2-P11"}
	if !slices.Equal(pops, want) {
		t.Errorf("POPs read %v, want %v", pops, want)
	}
	if sum.Bad != 1 || len(sum.Files) != 1 || len(sum.Files[0].Examples) != 1 ||
		!strings.Contains(sum.Files[0].Examples[0], `"HKG540"`) || !strings.Contains(sum.Files[0].Examples[0], cloudfront.POPCodeRule) {
		t.Errorf("bad lines %d, examples %v: want HKG540 refused with the rule", sum.Bad, sum.Files)
	}
}
