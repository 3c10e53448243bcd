package format

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/edgehosts"
	"github.com/cfprewarm/cfprewarm/schedule"
	"github.com/cfprewarm/cfprewarm/stats"
	"github.com/cfprewarm/cfprewarm/warm"
)

// SummarySchemaVersion is the version of the summary document.
const SummarySchemaVersion = 1

// maxText bounds every free-text field of the summary (error messages).
const maxText = 200

// Summary is a run in a bounded size: per target (POP or client subnet)
// the totals over the run's waves and the last wave's sizing, and per wave
// its totals; no per-request record. With at most warm.MaxPOPs targets and
// warm.MaxWaves waves it stays far below Lambda's 6 MB response limit
// (TestSummaryBound). It is the Lambda's response.
type Summary struct {
	Schema       int             `json:"schema"`
	Type         string          `json:"type"` // "warm-summary"
	Distribution string          `json:"distribution"`
	Host         string          `json:"host"`
	Path         string          `json:"path"`
	Method       string          `json:"method"`
	Start        time.Time       `json:"start"`
	Duration     stats.Seconds   `json:"duration_s"`
	WavesPlanned int             `json:"waves_planned"`
	Stopped      warm.StopReason `json:"stopped,omitempty"`
	Waves        []SummaryWave   `json:"waves"`
	Total        SummaryTotals   `json:"total"`
	POPs         []SummaryPOP    `json:"pops"`
	// Schedule is, for a Lambda invocation with a scheduled time, the slots
	// of the aligned grid it owned and sent and its status (on-time, late,
	// stale, no-slot, duplicate); absent otherwise.
	Schedule *schedule.Invocation `json:"schedule,omitempty"`
}

// SummaryTotals count requests.
type SummaryTotals struct {
	Planned         int                          `json:"planned"`
	Requests        int                          `json:"requests"` // finished
	OK              int                          `json:"ok"`
	Errors          int                          `json:"errors"`
	ErrorsByKind    map[cloudfront.ErrorKind]int `json:"errors_by_kind,omitempty"`
	Unfinished      int                          `json:"unfinished"`
	Mismatched      int                          `json:"mismatched"`
	OriginColdRatio stats.Ratio                  `json:"origin_cold_ratio"`
	LatencyP50      stats.Seconds                `json:"latency_p50_s"`
	LatencyP99      stats.Seconds                `json:"latency_p99_s"`
}

// SummaryWave is one wave's totals.
type SummaryWave struct {
	Wave     int           `json:"wave"`
	Start    time.Time     `json:"start"`
	Duration stats.Seconds `json:"duration_s"`
	SummaryTotals
}

// SummaryPOP is one target over the run.
type SummaryPOP struct {
	POP          string `json:"pop"`
	ClientSubnet string `json:"client_subnet,omitempty"`
	SummaryTotals
	// The last wave's sizing.
	Sizing            string              `json:"sizing,omitempty"`             // fixed, auto or adaptive
	RequestsPerWave   int                 `json:"requests_per_wave"`            // N planned for the last wave
	PredictedCoverage float64             `json:"predicted_coverage,omitempty"` // of the last wave
	HostsPlanned      int                 `json:"hosts_planned,omitempty"`
	HostsFrom         edgehosts.HostsFrom `json:"hosts_from,omitempty"`
	EdgeHostsSeen     int                 `json:"edge_hosts_seen"` // distinct, over the run's waves
	EdgeHostsEstimate *int                `json:"edge_hosts_estimate"`
	EdgeHostsLow      int                 `json:"edge_hosts_ci_low,omitempty"`
	EdgeHostsHigh     int                 `json:"edge_hosts_ci_high,omitempty"`
	EdgeHostsNote     string              `json:"edge_hosts_note,omitempty"`
	EdgeHostsVerdict  string              `json:"edge_hosts_verdict,omitempty"`
	HostsMissed       *int                `json:"hosts_missed,omitempty"`    // of the last wave's hosts, when ids name hosts
	ColdOfReached     *int                `json:"cold_of_reached,omitempty"` // cold answers of reached hosts: the pool, not coverage
	ResolveError      string              `json:"resolve_error,omitempty"`
	FirstError        string              `json:"first_error,omitempty"`
}

// Summarize builds the summary of a run.
func Summarize(r *warm.Result) Summary {
	s := Summary{Schema: SummarySchemaVersion, Type: "warm-summary", Distribution: r.Distribution, Host: r.Host,
		Path: clip(r.Path), Method: r.Method, Start: r.Start, Duration: r.Duration,
		WavesPlanned: r.WavesPlanned, Stopped: r.Stopped, Total: totals(r.Total)}
	for _, w := range r.Waves {
		s.Waves = append(s.Waves, SummaryWave{Wave: w.Index, Start: w.Start, Duration: w.Duration, SummaryTotals: totals(w.Total)})
	}
	for _, p := range r.ByPOP() {
		z := p.Sizing
		sp := SummaryPOP{POP: p.POP, ClientSubnet: p.ClientSubnet, SummaryTotals: totals(p.Stats),
			Sizing: z.Mode, RequestsPerWave: z.Requests, PredictedCoverage: z.PredictedCoverage, HostsPlanned: z.Hosts,
			HostsFrom: z.HostsFrom, EdgeHostsSeen: z.EdgeHostsSeen, EdgeHostsNote: clip(z.EdgeHostsNote),
			ResolveError: clip(p.ResolveError)}
		sp.EdgeHostsVerdict = string(z.EdgeHostsVerdict)
		if r := z.Reach; r != nil {
			sp.HostsMissed, sp.ColdOfReached = &r.Missed, &r.ColdOfReached
		}
		if e := z.EdgeHosts; e != nil {
			sp.EdgeHostsEstimate = &e.Hosts
			sp.EdgeHostsLow, sp.EdgeHostsHigh = e.Low, e.High
		}
		for _, rq := range p.Requests {
			if rq.Failed() && !rq.Unfinished && p.ResolveError == "" {
				sp.FirstError = clip(rq.Error)
				break
			}
		}
		s.POPs = append(s.POPs, sp)
	}
	return s
}

func totals(st warm.Stats) SummaryTotals {
	return SummaryTotals{Planned: st.Planned, Requests: st.Requests, OK: st.OK, Errors: st.Errors, ErrorsByKind: st.ErrorsByKind,
		Unfinished: st.Unfinished, Mismatched: st.Mismatched, OriginColdRatio: st.OriginColdRatio(),
		LatencyP50: stats.Seconds(st.Latency().P50), LatencyP99: stats.Seconds(st.Latency().P99)}
}

// clip bounds a free text to maxText bytes (on a rune boundary).
func clip(s string) string {
	if len(s) <= maxText {
		return s
	}
	cut := maxText
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// WriteSummary writes the summary as one line of JSON.
func WriteSummary(w io.Writer, r *warm.Result) error {
	b, err := json.Marshal(Summarize(r))
	if err != nil {
		return fmt.Errorf("warm: encoding the summary: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
