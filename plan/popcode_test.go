package plan

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
)

// TestCountsPOPCodeForms: a counts file may carry every form of POP code
// CloudFront has written, in either case; each is read as CloudFront
// writes it, and a value that is none is a bad row quoting the rule.
func TestCountsPOPCodeForms(t *testing.T) {
	csv := "pop,second,requests\n" +
		"FRA2,1700000000,3\nlax1,1700000001,1\nDFW3,1700000002,2\nSEA19-C1,1700000003,1\n" +
		"SIN2-P11,1700000004,1\npvg52-e1,1700000005,1\nHKG540,1700000006,1\n"
	c, st, err := ReadCounts(strings.NewReader(csv), time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	pops := c.POPs()
	slices.Sort(pops)
	if want := []string{"DFW3", "FRA2", "LAX1", "PVG52-E1", "SEA19-C1", "SIN2-P11"}; !slices.Equal(pops, want) {
		t.Errorf("POPs %v, want %v", pops, want)
	}
	if st.Bad != 1 || len(st.Examples) != 1 || !strings.Contains(st.Examples[0], cloudfront.POPCodeRule) {
		t.Errorf("bad rows %d %q: want HKG540 refused with the rule", st.Bad, st.Examples)
	}
}
