package report

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cfprewarm/cfprewarm/stats"
)

// ScheduleStats is what the scheduler scenario measured of one way of
// sending waves under the lab's EventBridge-like scheduler, beside what
// the schedule model (package schedule) predicts. Times are virtual (the
// real experiment's, before time scaling).
type ScheduleStats struct {
	Option     string        // e.g. "aligned, every 58s"
	AllowedGap time.Duration // keep-alive − margin
	ModelGap   time.Duration // the model's longest gap
	// LongestGap is the longest time between two consecutive waves as the
	// invocations planned them; GapsOver counts those longer than
	// AllowedGap, GapsExplained those of them next to an invocation that
	// came later than the model or not at all.
	LongestGap              time.Duration
	GapsOver, GapsExplained int
	// StartLag is the longest a wave started after its planned time: the
	// lab's timer and CPU noise, times the time scale.
	StartLag time.Duration
	// RequestsPerWave per POP, sized for ColdTarget on the POP with the
	// most edge hosts; ModelCold is the cold share the model predicts for
	// viewers there.
	RequestsPerWave       int
	ColdTarget, ModelCold float64
	// Prewarm requests per POP and hour: measured, and the model's.
	RequestsPerPOPHour, ModelRequestsPerPOPHour float64
	// The scheduler's minutes and deliveries, and (aligned) the
	// invocations by status; Environments are the Lambda execution
	// environments the invocations needed.
	Scheduled, Delivered, Duplicates, Late, Missing int
	Statuses                                        map[string]int
	Environments                                    int
}

// scheduleJSON is a ScheduleStats in summary.json.
type scheduleJSON struct {
	Option                  string         `json:"option"`
	AllowedGap              stats.Seconds  `json:"allowed_gap_s"`
	ModelGap                stats.Seconds  `json:"model_longest_gap_s"`
	LongestGap              stats.Seconds  `json:"longest_gap_s"`
	GapsOver                int            `json:"gaps_over_allowed"`
	GapsExplained           int            `json:"gaps_explained"`
	StartLag                stats.Seconds  `json:"start_lag_s"`
	RequestsPerWave         int            `json:"requests_per_wave"`
	ColdTarget              float64        `json:"cold_target"`
	ModelCold               float64        `json:"model_cold"`
	RequestsPerPOPHour      float64        `json:"requests_per_pop_hour"`
	ModelRequestsPerPOPHour float64        `json:"model_requests_per_pop_hour"`
	Scheduled               int            `json:"minutes_scheduled"`
	Delivered               int            `json:"deliveries"`
	Duplicates              int            `json:"duplicates"`
	Late                    int            `json:"late"`
	Missing                 int            `json:"missing"`
	Statuses                map[string]int `json:"statuses,omitempty"`
	Environments            int            `json:"environments"`
}

func (s *ScheduleStats) json() *scheduleJSON {
	if s == nil {
		return nil
	}
	return &scheduleJSON{s.Option, stats.Seconds(s.AllowedGap), stats.Seconds(s.ModelGap), stats.Seconds(s.LongestGap),
		s.GapsOver, s.GapsExplained, stats.Seconds(s.StartLag), s.RequestsPerWave, s.ColdTarget, roundMicro(s.ModelCold),
		roundMicro(s.RequestsPerPOPHour), roundMicro(s.ModelRequestsPerPOPHour), s.Scheduled, s.Delivered, s.Duplicates,
		s.Late, s.Missing, s.Statuses, s.Environments}
}

// scheduleLines is the block of the scheduler scenario: per way of sending
// waves its gaps, requests and the scheduler's deliveries, then the
// comparison of the first two.
func scheduleLines(r Report) string {
	var b strings.Builder
	var both []Scenario
	for _, s := range r.Scenarios {
		st := s.Schedule
		if st == nil {
			continue
		}
		both = append(both, s)
		fmt.Fprintf(&b, "\n%s: %s, %d requests per POP and wave (cold target %g, model %.4f)\n", s.Name, st.Option, st.RequestsPerWave, st.ColdTarget, st.ModelCold)
		fmt.Fprintf(&b, "  longest gap %s (model %s, allowed %s); %d over the allowed, %d of them after a late or missing invocation; waves started up to %s late\n",
			secs(st.LongestGap), secs(st.ModelGap), secs(st.AllowedGap), st.GapsOver, st.GapsExplained, secs(st.StartLag))
		fmt.Fprintf(&b, "  %.0f prewarm requests per POP-hour (model %.0f)\n", st.RequestsPerPOPHour, st.ModelRequestsPerPOPHour)
		fmt.Fprintf(&b, "  scheduler: %d minutes, %d deliveries (%d duplicates, %d late, %d missing), %d execution environments",
			st.Scheduled, st.Delivered, st.Duplicates, st.Late, st.Missing, st.Environments)
		if len(st.Statuses) > 0 {
			var parts []string
			for _, k := range slices.Sorted(maps.Keys(st.Statuses)) {
				parts = append(parts, fmt.Sprintf("%d %s", st.Statuses[k], k))
			}
			fmt.Fprintf(&b, "; invocations %s", strings.Join(parts, ", "))
		}
		b.WriteString("\n")
	}
	if len(both) >= 2 {
		a, w := both[0].Schedule, both[1].Schedule
		if a.RequestsPerPOPHour > 0 && w.RequestsPerPOPHour > 0 && w.ModelRequestsPerPOPHour > 0 {
			fmt.Fprintf(&b, "\n%s sends %.2f× the prewarm requests of %s for the same cold target (model %.2f×)\n",
				both[0].Name, a.RequestsPerPOPHour/w.RequestsPerPOPHour, both[1].Name, a.ModelRequestsPerPOPHour/w.ModelRequestsPerPOPHour)
		}
	}
	return b.String()
}

// secs writes a duration in seconds with one decimal: "58.0 s".
func secs(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }
