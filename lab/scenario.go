package lab

import (
	"fmt"
	"strings"
	"time"
)

// Scenario is one CloudFront and origin configuration, probed by a viewer
// at the profile's viewer POP. Durations are real (unscaled) values.
type Scenario struct {
	Name  string
	Title string
	Why   string // what it shows

	KeepAlive  time.Duration // CloudFront origin keep-alive timeout (1–180 s)
	OriginIdle time.Duration // the origin server's idle (keep-alive) timeout

	Prewarm        bool
	RequestsPerPOP int           // prewarm requests per POP per wave
	WaveInterval   time.Duration // prewarm cadence: one wave every WaveInterval
	// Coverage compares RequestsPerPOP fixed against automatic sizing,
	// each in an environment of its own, with viewer probes at every POP
	// (coverage.go).
	Coverage bool
	// Scheduler compares aligned waves with 3 waves 40 s apart under the
	// lab's EventBridge-like scheduler (schedcompare.go).
	Scheduler bool
}

// Scenarios are the built-in scenarios, by name.
var Scenarios = []Scenario{
	{
		Name: "ka5-noprewarm", Title: "keep-alive 5 s, no prewarm",
		Why:       "CloudFront's default: every infrequent request opens a new origin connection",
		KeepAlive: 5 * time.Second, OriginIdle: 75 * time.Second,
	},
	{
		Name: "ka60-prewarm", Title: "keep-alive 60 s, prewarm",
		Why:       "the fix: a longer keep-alive and prewarm waves keep every edge host's origin connections open",
		KeepAlive: 60 * time.Second, OriginIdle: 75 * time.Second,
		Prewarm: true, RequestsPerPOP: 60, WaveInterval: 20 * time.Second,
	},
	{
		Name: "ka60-noprewarm", Title: "keep-alive 60 s, no prewarm",
		Why:       "keep-alive alone does not help traffic rarer than the keep-alive",
		KeepAlive: 60 * time.Second, OriginIdle: 75 * time.Second,
	},
	{
		Name: "prewarm-partial", Title: "keep-alive 60 s, prewarm with 3 requests per POP",
		Why:       "too few prewarm requests for the POP's edge hosts: only the hosts they reach stay warm",
		KeepAlive: 60 * time.Second, OriginIdle: 75 * time.Second,
		Prewarm: true, RequestsPerPOP: 3, WaveInterval: 20 * time.Second,
	},
	{
		Name: "origin-idle-short", Title: "keep-alive 60 s, prewarm, origin idle timeout 5 s",
		Why:       "the misordering trap: the origin closes idle connections before CloudFront would, so prewarming cannot keep them",
		KeepAlive: 60 * time.Second, OriginIdle: 5 * time.Second,
		Prewarm: true, RequestsPerPOP: 60, WaveInterval: 20 * time.Second,
	},
	{
		Name: "coverage", Title: "keep-alive 60 s, prewarm: 60 requests per POP against --requests auto",
		Why:       "auto sizing counts each POP's edge hosts and sends each just enough: fewer requests in total, every POP covered (run it with --profile mixed)",
		KeepAlive: 60 * time.Second, OriginIdle: 75 * time.Second,
		Prewarm: true, RequestsPerPOP: 60, WaveInterval: 20 * time.Second, Coverage: true,
	},
	{
		Name: "scheduler", Title: "keep-alive 60 s, prewarm: aligned waves against 3 waves 40 s apart, under an EventBridge-like scheduler",
		Why:       "with the scheduled time each minute sends only its own grid slots: waves stay evenly spaced whatever the lateness, and fewer requests keep the same cold share (run it with --profile traffic)",
		KeepAlive: 60 * time.Second, OriginIdle: 75 * time.Second,
		Prewarm: true, Scheduler: true,
	},
}

// DefaultScenarios is the seed's experiment: before and after.
var DefaultScenarios = []string{"ka5-noprewarm", "ka60-prewarm"}

// LookupScenario returns the named scenario.
func LookupScenario(name string) (Scenario, error) {
	for _, s := range Scenarios {
		if s.Name == name {
			return s, nil
		}
	}
	return Scenario{}, fmt.Errorf("unknown scenario %q (have %s)", name, strings.Join(ScenarioNames(), ", "))
}

// ScenarioNames lists the built-in scenarios in their order.
func ScenarioNames() []string {
	names := make([]string, len(Scenarios))
	for i, s := range Scenarios {
		names[i] = s.Name
	}
	return names
}
