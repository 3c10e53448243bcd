package lab

import (
	"context"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/internal/loopback/link"
	"github.com/cfprewarm/cfprewarm/lab/report"
)

// TestScenarioSemantics runs the scenarios beyond the seed's pair with
// shorter round trips than hkg-fra, to keep it fast, and checks that each
// shows what it is for. (The published latencies are checked end to end by
// cmd/cfprewarm's TestLabQuickReproducesSeed.)
//
// The origin round trip stays well above the viewer's, as in every real
// case the scenarios are about: with an origin as near as the viewer, a
// prewarm wave's requests free pooled connections faster than new ones are
// dialed, and the connections dialed but never used stay open at the origin
// until its read-header timeout, not its idle timeout, which blurs the
// origin-closes-first case. 16 edge hosts leave about half of them missed by
// the 9 prewarm requests of the waves within one keep-alive.
func TestScenarioSemantics(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs three lab scenarios, about 10 s")
	}
	Profiles["test-mid"] = Profile{
		Name: "test-mid", Description: "short test geography", ViewerPOP: "HKG62-C1",
		ViewerLink: link.Link{RTT: 2 * time.Millisecond}, OriginLink: link.Link{RTT: 50 * time.Millisecond},
	}
	t.Cleanup(func() { delete(Profiles, "test-mid") })
	run := func(t *testing.T, scenario string, probes, hosts int) report.Scenario {
		t.Helper()
		rep, err := Run(context.Background(), Config{
			Profile: "test-mid", Scenarios: []string{scenario}, Probes: probes, Hosts: hosts, TimeScale: 150, Seed: 7,
		})
		if err != nil {
			t.Fatal(err)
		}
		s := rep.Scenarios[0]
		if s.Summary.OK != probes {
			t.Fatalf("%d of %d probes answered: %+v", s.Summary.OK, probes, s.Summary.ErrorsByKind)
		}
		return s
	}
	t.Run("keep-alive alone", func(t *testing.T) {
		t.Parallel()
		s := run(t, "ka60-noprewarm", 6, DefaultHosts)
		if o := s.Summary.Origin; o.Warm != 0 || o.Cold != 6 {
			t.Errorf("probes 90 s apart with a 60 s keep-alive: %d warm, %d cold; want all cold", o.Warm, o.Cold)
		}
	})
	t.Run("partial coverage", func(t *testing.T) {
		t.Parallel()
		s := run(t, "prewarm-partial", 16, 16)
		if r, _ := s.Summary.Origin.WarmRatio().Value(); r <= 0 || r >= 1 {
			t.Errorf("3 prewarm requests per wave for 16 edge hosts: warm ratio %.2f, want strictly between 0 and 1", r)
		}
		if r, _ := s.PrewarmColdRatio.Value(); r <= 0 {
			t.Errorf("prewarm cold ratio %.2f: waves should keep finding hosts they missed", r)
		}
	})
	t.Run("origin closes first", func(t *testing.T) {
		t.Parallel()
		s := run(t, "origin-idle-short", 6, DefaultHosts)
		// Ideally 1: every wave finds the connections closed. Connections the
		// edge dialed but did not use stay open at the origin until its
		// read-header timeout (see docs/lab-model.md); on a slow machine a wave
		// leaves more of them, so expect most waves cold, not all.
		if r, ok := s.PrewarmColdRatio.Value(); !ok || r < 0.5 {
			t.Errorf("origin idle 5 s, waves 20 s apart: prewarm cold ratio %.2f, want most waves to find the connections closed", r)
		}
	})
}
