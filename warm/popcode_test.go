package warm_test

import (
	"context"
	"testing"

	"github.com/cfprewarm/cfprewarm/internal/loopback"
	"github.com/cfprewarm/cfprewarm/warm"
)

// TestPOPCodeForms: a lab whose POPs carry the older forms (FRA2) and the
// two-digit suffixes (SIN2-P11) is warmed with --pops written in lower
// case: the names resolve, the answers are counted for their POP.
func TestPOPCodeForms(t *testing.T) {
	_, cfg := startHosts(t, nil, loopback.POPSpec{Code: "FRA2"}, loopback.POPSpec{Code: "SIN2-P11"}, loopback.POPSpec{Code: "PVG52-E1"})
	cfg.POPs = []string{"fra2", "sin2-p11", "PVG52-E1"}
	cfg.RequestsPerPOP = 2
	res, err := warm.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"FRA2", "SIN2-P11", "PVG52-E1"}
	for i, p := range res.Waves[0].POPs {
		if p.POP != want[i] || p.Stats.Errors != 0 || p.Stats.Requests != 2 || p.Stats.Mismatched != 0 {
			t.Errorf("POP %d: %s, %d requests, %d errors, %d mismatched; want %s answering 2", i, p.POP, p.Stats.Requests, p.Stats.Errors, p.Stats.Mismatched, want[i])
		}
	}
}
