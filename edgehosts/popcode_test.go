package edgehosts

import (
	"strings"
	"testing"

	"github.com/cfprewarm/cfprewarm/cloudfront"
)

// TestHostsFilePOPCodeForms: a hosts file (CSV or JSON) takes every form
// of POP code in either case, keyed as CloudFront writes it; a name that
// is none is refused with the rule.
func TestHostsFilePOPCodeForms(t *testing.T) {
	got, err := Read(strings.NewReader("pop,hosts\nfra2,4\nSIN2-P11,8\npvg52-e1,2\nDFW3,16\n"))
	if err != nil {
		t.Fatal(err)
	}
	for code, h := range map[string]int{"FRA2": 4, "SIN2-P11": 8, "PVG52-E1": 2, "DFW3": 16} {
		if got[code].Hosts != h {
			t.Errorf("%s: %+v, want %d hosts", code, got[code], h)
		}
	}
	got, err = Read(strings.NewReader(`{"schema":1,"type":"edge-hosts","pops":[{"pop":"sea19-c1","hosts":3}]}`))
	if err != nil || got["SEA19-C1"].Hosts != 3 {
		t.Errorf("JSON: %v %v", got, err)
	}
	if _, err := Read(strings.NewReader("pop,hosts\nHKG540,4\n")); err == nil || !strings.Contains(err.Error(), cloudfront.POPCodeRule) {
		t.Errorf("HKG540: %v, want the rule", err)
	}
}
