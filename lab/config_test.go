package lab

import (
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
	if err := (Config{Scenarios: all}).Validate(); err != nil {
		t.Errorf("every scenario at the default time scale refused: %v", err)
	}
	if err := (Config{Scenarios: DefaultScenarios, TimeScale: QuickTimeScale, Probes: QuickProbes}).Validate(); err != nil {
		t.Errorf("quick refused: %v", err)
	}
	err := (Config{Profile: "mars", Scenarios: []string{"nope", "ka60-noprewarm"}, TimeScale: 100, Probes: -1, Hosts: 100}).Validate()
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
