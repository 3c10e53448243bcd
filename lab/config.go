package lab

import (
	"fmt"
	"math"
	"time"

	"github.com/cfprewarm/cfprewarm/edgehosts"
	"github.com/cfprewarm/cfprewarm/internal/config"
	"github.com/cfprewarm/cfprewarm/probe"
	"github.com/cfprewarm/cfprewarm/schedule"
	"github.com/cfprewarm/cfprewarm/warm"
)

// Defaults of a full run and of --quick.
const (
	DefaultProbes        = 20
	DefaultProbeInterval = 90 * time.Second
	DefaultTimeScale     = 40
	DefaultHosts         = 8
	DefaultProfile       = "hkg-fra"
	MaxHosts             = 64 // edge hosts per POP, in a run and in lab serve

	QuickProbes    = 5
	QuickTimeScale = 60
)

// Config describes a lab run.
type Config struct {
	Profile       string   // a key of Profiles; default hkg-fra
	Scenarios     []string // names from Scenarios; default DefaultScenarios
	Probes        int      // viewer probes per scenario; default 20
	ProbeInterval time.Duration
	TimeScale     float64 // K: timeouts and intervals are divided by K, RTTs never
	Hosts         int     // edge hosts per POP; default 8
	Seed          int64   // seed of the edge hosts' random assignment of viewer connections; 0 picks one
	// SchedulerFaults, in the scheduler scenario, are how often the lab's
	// scheduler delivers a minute twice, late or not at all; nil means
	// DefaultSchedulerFaults.
	SchedulerFaults *SchedulerFaults

	// Version and Command say what started the run (cfprewarm's version,
	// the command line); the report records them.
	Version string
	Command []string

	// OnProbe, if set, is called with every viewer probe as it finishes.
	OnProbe func(s Scenario, r probe.Result)
	// OnStatus, if set, receives progress messages for people.
	OnStatus func(msg string)
}

func (c Config) withDefaults() Config {
	config.Default(&c.Profile, DefaultProfile)
	if len(c.Scenarios) == 0 {
		c.Scenarios = DefaultScenarios
	}
	config.Default(&c.Probes, DefaultProbes)
	config.Default(&c.ProbeInterval, DefaultProbeInterval)
	config.Default(&c.TimeScale, DefaultTimeScale)
	config.Default(&c.Hosts, DefaultHosts)
	return c
}

// Validate checks the configuration, including that the time scale keeps
// every scenario faithful: scaling shrinks timeouts but not round trips, so
// past some K a request lasts longer than the idle gaps it is meant to have.
func (c Config) Validate() error { return c.withDefaults().validate() }

// validate checks a Config whose defaults are applied.
func (c Config) validate() error {
	var p config.Problems
	add := p.Add
	prof, err := LookupProfile(c.Profile)
	p.AddErr(err)
	if c.Probes < 1 || c.Probes > 1000 {
		add("probes %d: want 1 to 1000 per scenario", c.Probes)
	}
	if c.ProbeInterval < time.Second || c.ProbeInterval > time.Hour {
		add("probe interval %v: want 1s to 1h", c.ProbeInterval)
	}
	if !(c.TimeScale >= 1 && c.TimeScale <= 1000) { // NaN too
		add("time scale %v: want 1 to 1000", c.TimeScale)
	}
	if c.Hosts < 1 || c.Hosts > MaxHosts {
		add("hosts %d: want 1 to %d edge hosts per POP", c.Hosts, MaxHosts)
	}
	seen := map[string]bool{}
	for _, name := range c.Scenarios {
		s, err := LookupScenario(name)
		if err != nil {
			p.AddErr(err)
			continue
		}
		if seen[name] {
			add("scenario %q given twice", name)
		}
		seen[name] = true
		if prof.Name != "" && c.TimeScale >= 1 && c.TimeScale <= 1000 {
			if max := maxTimeScale(prof, s, c.ProbeInterval); c.TimeScale > max {
				p.AddErr(&TimeScaleError{Scale: c.TimeScale, Max: math.Floor(max), Scenario: s.Name, Profile: prof.Name})
			}
		}
	}
	return p.Err("lab configuration")
}

// TimeScaleError is the problem of a time scale too high for a scenario:
// Max, a whole number, is the highest that keeps its timing faithful.
type TimeScaleError struct {
	Scale, Max        float64
	Scenario, Profile string
}

func (e *TimeScaleError) Error() string {
	return fmt.Sprintf("time scale %g is too high for scenario %s with profile %s: at most %g keeps its timing faithful (round trips are not scaled)",
		e.Scale, e.Scenario, e.Profile, e.Max)
}

// Unfit is a scenario that cannot keep its timing with a profile at a time
// scale, and the largest time scale at which it can.
type Unfit struct {
	Scenario string
	Max      float64
}

// FitScenarios splits the built-in scenarios into those that keep their
// timing with the configuration's profile, time scale and probe interval
// and those that do not (`lab --scenario all` runs the first and names the
// second).
func (c Config) FitScenarios() (fit []string, unfit []Unfit) {
	c = c.withDefaults()
	prof, err := LookupProfile(c.Profile)
	if err != nil {
		return ScenarioNames(), nil // Validate says why
	}
	for _, s := range Scenarios {
		if m := maxTimeScale(prof, s, c.ProbeInterval); c.TimeScale > m {
			unfit = append(unfit, Unfit{s.Name, m})
		} else {
			fit = append(fit, s.Name)
		}
	}
	return fit, unfit
}

// maxTimeScale is the largest K at which scenario s keeps its meaning:
//   - without prewarm, a probe must still find the origin connection expired
//     when the real experiment would (probe gap minus a cold request longer
//     than the keep-alive), and
//   - with prewarm, the connections must survive from one wave to the next
//     even when a probe and a wave run back to back in between, and an
//     origin idle timeout shorter than the wave interval must still expire;
//   - in a coverage scenario a wave to every POP and a probe at each must
//     fit in the wave interval;
//   - in the scheduler scenario the 2 s margin between the waves and the
//     keep-alive must cover a wave of two rounds of warm requests.
func maxTimeScale(p Profile, s Scenario, probeInterval time.Duration) float64 {
	v, o := p.ViewerLink.RTT+p.ViewerLink.Jitter, p.OriginLink.RTT+p.OriginLink.Jitter
	cold := 3*v + p.EdgeTLS + 3*o + 20*time.Millisecond // a request that opens an origin connection, plus CPU
	warmReq := 3*v + p.EdgeTLS + o + 20*time.Millisecond
	k := 1000.0
	if s.Coverage {
		// A cycle, a wave to every POP (at most warm's concurrency at a
		// time, the first waves sized for warm's assumed host count) and
		// then a probe at every POP at once, must fit in the wave interval:
		// the waves would come late otherwise.
		perPOP := max(s.RequestsPerPOP, edgehosts.RequestsFor(warm.DefaultHosts, warm.DefaultCoverage))
		rounds := (perPOP*len(p.POPs()) + warm.DefaultConcurrency - 1) / warm.DefaultConcurrency
		k = min(k, s.WaveInterval.Seconds()/(time.Duration(rounds)*warmReq+cold).Seconds())
	}
	if s.Scheduler {
		// The margin between a wave and the keep-alive must cover a wave
		// of two rounds of requests, scaled.
		return min(k, schedule.DefaultMargin.Seconds()/(2*warmReq).Seconds())
	}
	if s.Prewarm {
		if slack := s.KeepAlive - s.WaveInterval; slack > 0 {
			k = min(k, slack.Seconds()/(2*warmReq).Seconds())
		}
		// An origin that closes first must still do so between two waves.
		if gap := s.WaveInterval - s.OriginIdle; s.OriginIdle < s.KeepAlive && gap > 0 {
			k = min(k, gap.Seconds()/warmReq.Seconds())
		}
		return k
	}
	// The connection is gone after the shorter of the two idle timeouts.
	if gap := probeInterval - min(s.KeepAlive, s.OriginIdle); gap > 0 {
		k = min(k, gap.Seconds()/cold.Seconds())
	}
	return k
}

// scaled divides a real duration by the time scale.
func scaled(d time.Duration, k float64) time.Duration {
	return time.Duration(float64(d) / k)
}
