package lambdaenv

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cfprewarm/cfprewarm/cloudfront"
)

// TestPOPCodeForms: POPS (VarPOPs) and an event's pops take every form of POP code
// CloudFront writes, in either case, and name them as CloudFront does; a
// name that is none is refused with the rule.
func TestPOPCodeForms(t *testing.T) {
	env := map[string]string{VarPOPs: "fra2, SIN2-P11,pvg52-e1,DFW3"}
	s, err := configureWith(t, env, `{"pops":["sin2-p11","FRA2"]}`)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(s.Config.POPs); got != "[SIN2-P11 FRA2]" {
		t.Errorf("event POPs %s, want [SIN2-P11 FRA2]", got)
	}
	all, err := configureWith(t, env, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(all.Config.WithDefaults().POPs); got != "[FRA2 SIN2-P11 PVG52-E1 DFW3]" {
		t.Errorf("environment POPs %v", got)
	}
	if _, err := configureWith(t, env, `{"pops":["HKG540"]}`); err == nil || !strings.Contains(err.Error(), cloudfront.POPCodeRule) {
		t.Errorf("event pop HKG540: %v, want the rule", err)
	}
	if _, err := configureWith(t, map[string]string{VarPOPs: "FRA2,HKG540"}, ""); err == nil || !strings.Contains(err.Error(), `"HKG540"`) {
		t.Errorf("POPS with HKG540: %v", err)
	}
}
