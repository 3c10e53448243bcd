package report

import (
	"encoding/json"
	"io"
	"math"
	"time"

	"github.com/cfprewarm/cfprewarm/probe"
	"github.com/cfprewarm/cfprewarm/stats"
)

// summarySchema is the version of summary.json.
const summarySchema = 1

type summaryJSON struct {
	Schema           int             `json:"schema"`
	Type             string          `json:"type"`
	Generated        *time.Time      `json:"generated,omitempty"`
	Version          string          `json:"version,omitempty"`
	Command          []string        `json:"command,omitempty"`
	Seed             int64           `json:"seed,omitempty"`
	Start            *time.Time      `json:"start,omitempty"`
	Profile          string          `json:"profile"`
	ProfileDesc      string          `json:"profile_desc,omitempty"`
	ViewerRTT        stats.Seconds   `json:"viewer_rtt_s"`
	EdgeTLS          stats.Seconds   `json:"edge_tls_s"`
	OriginRTT        stats.Seconds   `json:"origin_rtt_s"`
	TimeScale        float64         `json:"time_scale"`
	ProbeInterval    stats.Seconds   `json:"probe_interval_s"`
	Baseline         string          `json:"baseline,omitempty"`
	Improved         string          `json:"improved,omitempty"`
	Speedup          float64         `json:"speedup"`
	PublishedSpeedup *float64        `json:"published_speedup,omitempty"`
	Scenarios        []scenarioJSON  `json:"scenarios"`
	References       []referenceJSON `json:"references,omitempty"`
}

type scenarioJSON struct {
	Name                  string        `json:"name"`
	Title                 string        `json:"title,omitempty"`
	KeepAlive             stats.Seconds `json:"keepalive_s"`
	OriginIdle            stats.Seconds `json:"origin_idle_s"`
	Prewarm               bool          `json:"prewarm"`
	PrewarmRequestsPerPOP int           `json:"prewarm_requests_per_pop"`
	Hosts                 int           `json:"hosts"`
	Start                 *time.Time    `json:"start,omitempty"`
	Probes                int           `json:"probes"`
	OK                    int           `json:"ok"`
	Errors                int           `json:"errors"`
	TotalP50              stats.Seconds `json:"total_p50_s"`
	TotalP90              stats.Seconds `json:"total_p90_s"`
	TLSP50                stats.Seconds `json:"tls_p50_s"`        // viewer TLS done: curl time_appconnect
	FirstByteP50          stats.Seconds `json:"first_byte_p50_s"` // curl time_starttransfer
	// OriginWarmRatio is null when no probe said whether the POP reused an
	// origin connection.
	OriginWarmRatio  *float64 `json:"origin_warm_ratio"`
	PrewarmColdRatio *float64 `json:"prewarm_cold_ratio"` // null without prewarm
	// PrewarmWaves are the start times of the prewarm waves in experiment
	// seconds (as the timelines place them; the first is before the first
	// probe, at 0 or below).
	PrewarmWaves []float64     `json:"prewarm_waves_s,omitempty"`
	Summary      probe.Summary `json:"summary"`
	POPs         []popJSON     `json:"pops,omitempty"`     // scenarios that probe every POP (coverage, scheduler)
	Schedule     *scheduleJSON `json:"schedule,omitempty"` // the scheduler scenario
}

// popJSON is a POPCoverage.
type popJSON struct {
	POP               string      `json:"pop"`
	Hosts             int         `json:"hosts"`
	Estimate          *int        `json:"hosts_estimate"` // null when the prewarmer had none
	Requests          int         `json:"prewarm_requests"`
	Waves             int         `json:"waves"`
	LastRequests      int         `json:"last_wave_requests"`
	PredictedCoverage float64     `json:"predicted_coverage"`
	OriginWarmRatio   stats.Ratio `json:"origin_warm_ratio"` // of the viewer probes at the POP
}

type referenceJSON struct {
	Scenario  string        `json:"scenario"`
	Published stats.Seconds `json:"published_total_p50_s"`
	// PublishedPhases are the published medians phase by phase, when known.
	PublishedPhases *phasesJSON    `json:"published_phases,omitempty"`
	Lab             *stats.Seconds `json:"lab_total_p50_s"` // null when the scenario did not run or had no response
	DiffPercent     *float64       `json:"diff_percent"`    // (lab − published) / published × 100
	Source          string         `json:"source,omitempty"`
}

// WriteSummaryJSON writes summary.json: schema 1, where it came from
// (version, command line, seed, start), the profile and its parameters, the speedup (0 when not computable) and per scenario its
// configuration, counts, Total p50/p90, viewer TLS and first byte p50 (all
// in seconds), the origin warm ratio (null when unknown) and the full
// probe.Summary; then the published references next to the lab's medians.
// phasesJSON are medians phase by phase, in seconds.
type phasesJSON struct {
	TCP       stats.Seconds `json:"tcp_s"`
	TLS       stats.Seconds `json:"tls_s"`
	FirstByte stats.Seconds `json:"first_byte_s"` // request sent → first byte
}

func WriteSummaryJSON(w io.Writer, r Report) error {
	out := summaryJSON{
		Schema:        summarySchema,
		Type:          "lab-summary",
		Profile:       r.Profile,
		ProfileDesc:   r.ProfileDesc,
		Version:       r.Version,
		Command:       r.Command,
		Seed:          r.Seed,
		ViewerRTT:     stats.Seconds(r.ViewerRTT),
		EdgeTLS:       stats.Seconds(r.EdgeTLS),
		OriginRTT:     stats.Seconds(r.OriginRTT),
		TimeScale:     r.timeScale(),
		ProbeInterval: stats.Seconds(r.ProbeInterval),
		Baseline:      r.Baseline,
		Improved:      r.Improved,
		Speedup:       roundMicro(r.Speedup()),
		Scenarios:     make([]scenarioJSON, 0, len(r.Scenarios)),
	}
	if !r.Generated.IsZero() {
		out.Generated = &r.Generated
	}
	if !r.Start.IsZero() {
		out.Start = &r.Start
	}
	if ps := r.PublishedSpeedup(); ps > 0 {
		out.PublishedSpeedup = ptr(roundMicro(ps))
	}
	for _, s := range r.Scenarios {
		sum := s.summary()
		sj := scenarioJSON{
			Name:                  s.Name,
			Title:                 s.Title,
			KeepAlive:             stats.Seconds(s.KeepAlive),
			OriginIdle:            stats.Seconds(s.OriginIdle),
			Prewarm:               s.Prewarm,
			PrewarmRequestsPerPOP: s.PrewarmRequestsPerPOP,
			Hosts:                 s.Hosts,
			Probes:                sum.Requests,
			OK:                    sum.OK,
			Errors:                sum.Errors,
			TotalP50:              stats.Seconds(sum.Timings.Total.P50),
			TotalP90:              stats.Seconds(sum.Timings.Total.P90),
			TLSP50:                stats.Seconds(sum.Timings.AppConnect.P50),
			FirstByteP50:          stats.Seconds(sum.Timings.StartTransfer.P50),
			Summary:               sum,
		}
		if !s.Start.IsZero() {
			sj.Start = &s.Start
		}
		if wr, ok := s.warmRatio(); ok {
			sj.OriginWarmRatio = ptr(roundMicro(wr))
		}
		if v, ok := s.PrewarmColdRatio.Value(); s.Prewarm && ok {
			sj.PrewarmColdRatio = ptr(roundMicro(v))
		}
		for _, w := range s.Waves {
			sj.PrewarmWaves = append(sj.PrewarmWaves, roundMicro(r.experimentOffset(s, w.Start)))
		}
		sj.Schedule = s.Schedule.json()
		for _, p := range s.POPs {
			pj := popJSON{POP: p.POP, Hosts: p.Hosts, Requests: p.Requests, Waves: p.Waves, LastRequests: p.LastRequests,
				PredictedCoverage: roundMicro(p.PredictedCoverage), OriginWarmRatio: p.WarmRatio()}
			if p.Estimate > 0 {
				pj.Estimate = ptr(p.Estimate)
			}
			sj.POPs = append(sj.POPs, pj)
		}
		out.Scenarios = append(out.Scenarios, sj)
	}
	labs := map[string]comparison{}
	for _, c := range r.comparisons() {
		labs[c.Scenario] = c
	}
	for _, ref := range r.Reference {
		rj := referenceJSON{Scenario: ref.Scenario, Published: stats.Seconds(ref.TotalP50), Source: ref.Source}
		if p := ref.Phases; !p.IsZero() {
			rj.PublishedPhases = &phasesJSON{stats.Seconds(p.TCP), stats.Seconds(p.TLS), stats.Seconds(p.FirstByte)}
		}
		if c, ok := labs[ref.Scenario]; ok {
			rj.Lab = ptr(stats.Seconds(c.Lab))
			rj.DiffPercent = ptr(math.Round(c.DiffPercent*100) / 100)
		}
		out.References = append(out.References, rj)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func ptr[T any](v T) *T { return &v }

// roundMicro rounds to six decimals, the precision of every number written.
func roundMicro(f float64) float64 { return math.Round(f*1e6) / 1e6 }
