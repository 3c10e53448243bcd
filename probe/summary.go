package probe

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/stats"
)

// Summary describes a set of results: a probe series, or the requests of a
// prewarm wave or POP.
type Summary struct {
	Requests     int                          `json:"requests"` // results added: probes, or prewarm requests that finished
	OK           int                          `json:"ok"`       // got a response and did not fail
	Errors       int                          `json:"errors"`   // failed
	ErrorsByKind map[cloudfront.ErrorKind]int `json:"errors_by_kind,omitempty"`
	Non2xx       int                          `json:"non_2xx"`            // OK with a status outside 200–299
	Statuses     map[int]int                  `json:"statuses,omitempty"` // every status received, of OK and failed results

	// Cumulative timings and single phases over the OK results.
	Timings TimingDurations `json:"timings"`
	Phases  PhaseDurations  `json:"phases"`

	Origin OriginSummary  `json:"origin"`
	POPs   map[string]int `json:"pops,omitempty"` // x-amz-cf-pop of OK results → count
	// Mismatched counts OK results answered by another POP than the one
	// targeted (Tally.Add's target). They say nothing about the target's
	// origin connections and are left out of Origin.
	Mismatched int `json:"mismatched"`
}

// TimingDurations describe the cumulative timings.
type TimingDurations struct {
	NameLookup    stats.Durations `json:"namelookup"`
	Connect       stats.Durations `json:"connect"`
	AppConnect    stats.Durations `json:"appconnect"`
	StartTransfer stats.Durations `json:"starttransfer"`
	Total         stats.Durations `json:"total"`
}

// PhaseDurations describe the single phases.
type PhaseDurations struct {
	DNS      stats.Durations `json:"dns"`
	TCP      stats.Durations `json:"tcp"`
	TLS      stats.Durations `json:"tls"`
	Server   stats.Durations `json:"server"`
	Transfer stats.Durations `json:"transfer"`
}

// OriginSummary groups results by what the POP did with its origin connection.
type OriginSummary struct {
	Warm    int `json:"warm"`
	Cold    int `json:"cold"`
	Unknown int `json:"unknown"`
	// Total latency of the results in each group.
	WarmTotal stats.Durations `json:"warm_total"`
	ColdTotal stats.Durations `json:"cold_total"`
	// Gain is the mean Total of cold results minus that of warm ones, and
	// GainPercent the same as a share of the cold mean: the "latency gain"
	// of a reused origin connection. Zero unless both groups have results
	// (GainPercent also when the cold mean is 0).
	Gain        time.Duration `json:"-"`
	GainPercent float64       `json:"gain_percent"`
}

// WarmRatio is the share of results with a known origin state that found a
// warm origin connection.
func (o OriginSummary) WarmRatio() stats.Ratio {
	return stats.Ratio{Part: o.Warm, Whole: o.Warm + o.Cold}
}

// ColdRatio is the share of results with a known origin state that found
// no warm origin connection: the prewarm engine's origin-cold ratio.
func (o OriginSummary) ColdRatio() stats.Ratio {
	return stats.Ratio{Part: o.Cold, Whole: o.Warm + o.Cold}
}

// Tally accumulates results into a Summary: the one statistics accumulator
// of probe series and prewarm waves. The zero value is empty and ready.
type Tally struct {
	s                  Summary
	nl, co, ac, st, to stats.Sample
	dns, tcp, tls      stats.Sample
	srv, xfr           stats.Sample
	warm, cold         stats.Sample
}

// Add counts one result. target is the POP code the request was sent to,
// or "" when it was not sent to a particular POP: an OK answer from another
// POP is counted as mismatched and not in the origin counts.
func (t *Tally) Add(r Result, target string) {
	s := &t.s
	s.Requests++
	if r.Status != 0 {
		inc(&s.Statuses, r.Status)
	}
	if !r.OK() {
		s.Errors++
		inc(&s.ErrorsByKind, r.Kind)
		return
	}
	s.OK++
	if r.Status < 200 || r.Status > 299 {
		s.Non2xx++
	}
	t.addTimings(r.Timings)
	if pop := r.CloudFront.POP; pop != "" {
		inc(&s.POPs, pop)
		if target != "" && !strings.EqualFold(pop, target) {
			s.Mismatched++
			return
		}
	}
	switch r.Origin {
	case cloudfront.OriginWarm:
		s.Origin.Warm++
		t.warm.Add(r.Timings.Total)
	case cloudfront.OriginCold:
		s.Origin.Cold++
		t.cold.Add(r.Timings.Total)
	default:
		s.Origin.Unknown++
	}
}

func (t *Tally) addTimings(tm Timings) {
	ph := tm.Phases()
	t.nl.Add(tm.NameLookup)
	t.co.Add(tm.Connect)
	t.ac.Add(tm.AppConnect)
	t.st.Add(tm.StartTransfer)
	t.to.Add(tm.Total)
	t.dns.Add(ph.DNS)
	t.tcp.Add(ph.TCP)
	t.tls.Add(ph.TLS)
	t.srv.Add(ph.Server)
	t.xfr.Add(ph.Transfer)
}

// Summary returns the statistics of everything added so far.
func (t *Tally) Summary() Summary {
	s := t.s
	s.ErrorsByKind = maps.Clone(s.ErrorsByKind)
	s.Statuses = maps.Clone(s.Statuses)
	s.POPs = maps.Clone(s.POPs)
	s.Timings = TimingDurations{
		NameLookup: t.nl.Durations(), Connect: t.co.Durations(), AppConnect: t.ac.Durations(),
		StartTransfer: t.st.Durations(), Total: t.to.Durations(),
	}
	s.Phases = PhaseDurations{
		DNS: t.dns.Durations(), TCP: t.tcp.Durations(), TLS: t.tls.Durations(),
		Server: t.srv.Durations(), Transfer: t.xfr.Durations(),
	}
	s.Origin.WarmTotal = t.warm.Durations()
	s.Origin.ColdTotal = t.cold.Durations()
	if s.Origin.Warm > 0 && s.Origin.Cold > 0 {
		s.Origin.Gain = s.Origin.ColdTotal.Mean - s.Origin.WarmTotal.Mean
		if s.Origin.ColdTotal.Mean > 0 { // else NaN or -Inf, which JSON cannot encode
			s.Origin.GainPercent = 100 * float64(s.Origin.Gain) / float64(s.Origin.ColdTotal.Mean)
		}
	}
	return s
}

// Summarize computes the statistics of a series of probes sent to no
// particular POP.
func Summarize(results []Result) Summary {
	var t Tally
	for _, r := range results {
		t.Add(r, "")
	}
	return t.Summary()
}

// SortedPOPs returns the POP codes seen, most results first.
func (s Summary) SortedPOPs() []string {
	pops := slices.Collect(maps.Keys(s.POPs))
	slices.SortFunc(pops, func(a, b string) int {
		if s.POPs[a] != s.POPs[b] {
			return s.POPs[b] - s.POPs[a]
		}
		return strings.Compare(a, b)
	})
	return pops
}

func inc[K comparable](m *map[K]int, k K) {
	if *m == nil {
		*m = map[K]int{}
	}
	(*m)[k]++
}
