package report

import (
	"errors"
	"fmt"
	"time"

	"github.com/cfprewarm/cfprewarm/probe"
	"github.com/cfprewarm/cfprewarm/stats"
)

// ErrInvalidReport is returned when a report cannot be written to files:
// a scenario without a name, or two scenarios whose names collide.
var ErrInvalidReport = errors.New("report: invalid report")

// Scenario is one lab scenario's measurements.
type Scenario struct {
	Name                  string        // e.g. "ka5-noprewarm"
	Title                 string        // e.g. "keep-alive 5 s, no prewarm"
	KeepAlive             time.Duration // CloudFront origin keep-alive as configured (unscaled, e.g. 5s or 60s)
	OriginIdle            time.Duration // origin idle timeout (unscaled); 0 when not set
	Prewarm               bool
	PrewarmRequestsPerPOP int
	PrewarmAuto           bool           // requests per POP sized automatically (warm.Config.Auto)
	Hosts                 int            // edge hosts per POP
	Start                 time.Time      // when the scenario's first probe started
	Results               []probe.Result // every probe, in order
	// Summary is probe.Summarize(Results). When it is left zero and there
	// are results, the writers compute it.
	Summary probe.Summary
	// PrewarmColdRatio is the origin-cold share of the requests of the
	// prewarm waves after the first (unknown when there is no prewarm).
	PrewarmColdRatio stats.Ratio
	// Waves are the prewarm waves that ran, in order; the first ran before
	// the first probe.
	Waves []Wave
	// POPs, in a scenario that probes every POP (coverage, scheduler), is
	// what each POP got; Results then hold the probes of every POP.
	POPs []POPCoverage
	// Schedule, in the scheduler scenario, is what its way of sending waves
	// did under the lab's EventBridge-like scheduler.
	Schedule *ScheduleStats
}

// Wave is one prewarm wave of a scenario.
type Wave struct {
	Start        time.Time
	Duration     time.Duration
	Requests, OK int
	Cold         stats.Ratio // origin-cold share of the wave's requests
}

// Report is a whole lab run: the profile it emulated and its scenarios.
type Report struct {
	Profile              string // "hkg-fra"
	ProfileDesc          string // "viewers in Hong Kong, origin in Frankfurt"
	ViewerRTT, OriginRTT time.Duration
	// EdgeTLS is the POP's own time for a viewer TLS handshake, on top of
	// the viewer RTT.
	EdgeTLS time.Duration
	// TimeScale is K: every timeout and interval was divided by K (RTTs
	// never). Values ≤ 0 are read as 1.
	TimeScale     float64
	ProbeInterval time.Duration // unscaled, e.g. 90s
	Scenarios     []Scenario
	// Baseline and Improved name the scenarios of the speedup: median
	// Total of Baseline ÷ median Total of Improved.
	Baseline, Improved string
	Reference          []Reference // published medians to compare with
	Generated          time.Time

	// Where the report came from, so that it stands on its own.
	Version string    // cfprewarm's version and commit
	Command []string  // the command line, program name first
	Seed    int64     // the seed of the edge hosts' random assignment
	Start   time.Time // when the run started
}

// Reference is a published median Total to compare a scenario with, and
// the published medians phase by phase when known.
type Reference struct {
	Scenario string
	TotalP50 time.Duration
	Phases   Phases // zero when not published
	Source   string // e.g. "seed document, Hong Kong → Frankfurt"
}

// Phases are medians phase by phase as curl -w reports them: TCP connect
// after DNS, TLS handshake after the connect, request → first byte after
// the handshake.
type Phases struct {
	TCP, TLS, FirstByte time.Duration
}

// IsZero reports whether no phase is known.
func (p Phases) IsZero() bool { return p == Phases{} }

// Speedup is the median Total of the Baseline scenario divided by that of
// the Improved scenario; 0 when either is missing or has no successful probe.
func (r Report) Speedup() float64 {
	b, ok1 := r.scenario(r.Baseline)
	i, ok2 := r.scenario(r.Improved)
	if !ok1 || !ok2 {
		return 0
	}
	return ratio(b.summary().Timings.Total.P50, i.summary().Timings.Total.P50)
}

// PublishedSpeedup is the same quotient over the published medians of
// Baseline and Improved; 0 when either has no Reference.
func (r Report) PublishedSpeedup() float64 {
	b, ok1 := r.reference(r.Baseline)
	i, ok2 := r.reference(r.Improved)
	if !ok1 || !ok2 {
		return 0
	}
	return ratio(b.TotalP50, i.TotalP50)
}

func ratio(a, b time.Duration) float64 {
	if a <= 0 || b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func (r Report) scenario(name string) (Scenario, bool) {
	for _, s := range r.Scenarios {
		if s.Name == name && name != "" {
			return s, true
		}
	}
	return Scenario{}, false
}

func (r Report) reference(scenario string) (Reference, bool) {
	for _, ref := range r.Reference {
		if ref.Scenario == scenario && scenario != "" {
			return ref, true
		}
	}
	return Reference{}, false
}

func (r Report) timeScale() float64 {
	if r.TimeScale <= 0 {
		return 1
	}
	return r.TimeScale
}

// experimentSeconds places a probe on the experiment's clock: the time since
// the scenario started, multiplied back by the time scale so that it reads
// like the unscaled experiment.
func (r Report) experimentSeconds(s Scenario, res probe.Result) float64 {
	return r.experimentOffset(s, res.Start)
}

// experimentOffset places any moment of a scenario (a probe, a prewarm
// wave) on the experiment's clock; negative before the first probe.
func (r Report) experimentOffset(s Scenario, t time.Time) float64 {
	if s.Start.IsZero() || t.IsZero() {
		return 0
	}
	return t.Sub(s.Start).Seconds() * r.timeScale()
}

// summary returns the scenario's summary, computing it when it was left zero.
func (s Scenario) summary() probe.Summary {
	if s.Summary.Requests == 0 && len(s.Results) > 0 {
		return probe.Summarize(s.Results)
	}
	return s.Summary
}

// warmRatio is the origin warm ratio and whether any probe had a known
// origin state.
func (s Scenario) warmRatio() (float64, bool) { return s.summary().Origin.WarmRatio().Value() }

// check rejects reports whose scenarios cannot get distinct file names.
func (r Report) check() error {
	seen := map[string]string{}
	for i, s := range r.Scenarios {
		if s.Name == "" {
			return fmt.Errorf("%w: scenario %d has no name", ErrInvalidReport, i)
		}
		f := fileSafe(s.Name)
		if prev, ok := seen[f]; ok {
			return fmt.Errorf("%w: scenarios %q and %q share the file name %q", ErrInvalidReport, prev, s.Name, f)
		}
		seen[f] = s.Name
	}
	return nil
}

// fileSafe maps a scenario name to a file-name fragment: letters, digits,
// '.', '_' and '-' stay, everything else becomes '-'.
func fileSafe(name string) string {
	b := []byte(name)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '-':
		default:
			b[i] = '-'
		}
	}
	return string(b)
}
