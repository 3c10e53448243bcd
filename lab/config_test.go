package lab

import (
	"slices"
	"strings"
	"testing"
)

func TestMaxTimeScale(t *testing.T) {
	p := Profiles["hkg-fra"]
	for _, tc := range []struct {
		scenario string
		okAt     float64
		badAt    float64
	}{
		{"ka5-noprewarm", QuickTimeScale, 200},
		{"ka60-prewarm", QuickTimeScale, 120},
		{"ka60-noprewarm", DefaultTimeScale, QuickTimeScale},
		{"origin-idle-short", DefaultTimeScale, 200},
	} {
		s, _ := LookupScenario(tc.scenario)
		max := maxTimeScale(p, s, DefaultProbeInterval)
		if max < tc.okAt || max >= tc.badAt {
			t.Errorf("%s: max time scale %.1f, want in [%v, %v)", tc.scenario, max, tc.okAt, tc.badAt)
		}
	}
}

func TestValidate(t *testing.T) {
	if err := (Config{}).Validate(); err != nil {
		t.Errorf("defaults refused: %v", err)
	}
	all := ScenarioNames()
	if err := (Config{Scenarios: all, Profile: "traffic"}).Validate(); err != nil {
		t.Errorf("every scenario on short links at the default time scale refused: %v", err)
	}
	// Hong Kong to Frankfurt at the default time scale: a coverage cycle (a
	// wave to four POPs, then a probe at each) takes longer than its 0.5 s
	// interval, and waves came 73–90 s apart instead of 20 s: refused, and
	// left out of "all".
	err := (Config{Scenarios: []string{"coverage"}}).Validate()
	if err == nil || !strings.Contains(err.Error(), "time scale 40 is too high for scenario coverage with profile hkg-fra: at most 14 ") {
		t.Errorf("coverage on hkg-fra at 40: %v", err)
	}
	fit, unfit := (Config{}).FitScenarios()
	if slices.Contains(fit, "coverage") || len(unfit) == 0 || unfit[0].Scenario != "coverage" || len(fit)+len(unfit) != len(all) {
		t.Errorf("hkg-fra at 40: fit %v, unfit %v", fit, unfit)
	}
	if err := (Config{Scenarios: fit}).Validate(); err != nil {
		t.Errorf("the fitting scenarios refused: %v", err)
	}
	if err := (Config{Scenarios: DefaultScenarios, TimeScale: QuickTimeScale, Probes: QuickProbes}).Validate(); err != nil {
		t.Errorf("quick refused: %v", err)
	}
	err = (Config{Profile: "mars", Scenarios: []string{"nope", "ka60-noprewarm"}, TimeScale: 100, Probes: -1, Hosts: 100}).Validate()
	for _, want := range []string{`unknown profile "mars"`, `unknown scenario "nope"`, "probes -1", "hosts 100"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v should mention %q", err, want)
		}
	}
	err = (Config{Scenarios: []string{"ka60-noprewarm"}, TimeScale: 100}).Validate()
	if err == nil || !strings.Contains(err.Error(), "too high for scenario ka60-noprewarm") {
		t.Errorf("time scale check: %v", err)
	}
}
