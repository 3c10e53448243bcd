package probe

import (
	"sort"
	"time"
)

// Summary describes a series of probes.
type Summary struct {
	Probes       int               `json:"probes"`
	OK           int               `json:"ok"`     // got a response, any status
	Errors       int               `json:"errors"` // no response
	ErrorsByKind map[ErrorKind]int `json:"errors_by_kind,omitempty"`
	Non2xx       int               `json:"non_2xx"`
	Statuses     map[int]int       `json:"statuses,omitempty"`

	// Cumulative timings and single phases over the probes that got a response.
	Timings TimingDists `json:"timings"`
	Phases  PhaseDists  `json:"phases"`

	Origin OriginSummary  `json:"origin"`
	POPs   map[string]int `json:"pops,omitempty"` // x-amz-cf-pop → probes
}

// TimingDists are distributions of the cumulative timings.
type TimingDists struct {
	NameLookup    Dist `json:"namelookup"`
	Connect       Dist `json:"connect"`
	AppConnect    Dist `json:"appconnect"`
	StartTransfer Dist `json:"starttransfer"`
	Total         Dist `json:"total"`
}

// PhaseDists are distributions of the single phases.
type PhaseDists struct {
	DNS      Dist `json:"dns"`
	TCP      Dist `json:"tcp"`
	TLS      Dist `json:"tls"`
	Server   Dist `json:"server"`
	Transfer Dist `json:"transfer"`
}

// OriginSummary groups probes by what the POP did with its origin connection.
type OriginSummary struct {
	Warm    int `json:"warm"`
	Cold    int `json:"cold"`
	Unknown int `json:"unknown"`
	// Total latency of the probes in each group.
	WarmTotal Dist `json:"warm_total"`
	ColdTotal Dist `json:"cold_total"`
	// Gain is the mean Total of cold probes minus that of warm probes, and
	// GainPercent the same as a share of the cold mean: the "latency gain"
	// of a reused origin connection. Zero unless both groups have probes.
	Gain        time.Duration `json:"-"`
	GainPercent float64       `json:"gain_percent"`
}

// WarmRatio is the share of probes with a known origin state that found a
// warm origin connection (0 when none is known).
func (o OriginSummary) WarmRatio() float64 {
	if o.Warm+o.Cold == 0 {
		return 0
	}
	return float64(o.Warm) / float64(o.Warm+o.Cold)
}

// Summarize computes the statistics of a series.
func Summarize(results []Result) Summary {
	s := Summary{Probes: len(results)}
	var tl timingLists
	var warm, cold []time.Duration
	for _, r := range results {
		if !r.OK() {
			s.Errors++
			if s.ErrorsByKind == nil {
				s.ErrorsByKind = map[ErrorKind]int{}
			}
			s.ErrorsByKind[r.Kind]++
			continue
		}
		s.OK++
		if s.Statuses == nil {
			s.Statuses = map[int]int{}
		}
		s.Statuses[r.Status]++
		if r.Status < 200 || r.Status > 299 {
			s.Non2xx++
		}
		if r.CloudFront.POP != "" {
			if s.POPs == nil {
				s.POPs = map[string]int{}
			}
			s.POPs[r.CloudFront.POP]++
		}
		tl.add(r.Timings)
		switch r.Origin {
		case OriginWarm:
			s.Origin.Warm++
			warm = append(warm, r.Timings.Total)
		case OriginCold:
			s.Origin.Cold++
			cold = append(cold, r.Timings.Total)
		default:
			s.Origin.Unknown++
		}
	}
	s.Timings, s.Phases = tl.dists()
	s.Origin.WarmTotal = Distribution(warm)
	s.Origin.ColdTotal = Distribution(cold)
	if len(warm) > 0 && len(cold) > 0 {
		s.Origin.Gain = s.Origin.ColdTotal.Mean - s.Origin.WarmTotal.Mean
		s.Origin.GainPercent = 100 * float64(s.Origin.Gain) / float64(s.Origin.ColdTotal.Mean)
	}
	return s
}

// SortedPOPs returns the POP codes seen, most probes first.
func (s Summary) SortedPOPs() []string {
	pops := make([]string, 0, len(s.POPs))
	for p := range s.POPs {
		pops = append(pops, p)
	}
	sort.Slice(pops, func(i, j int) bool {
		if s.POPs[pops[i]] != s.POPs[pops[j]] {
			return s.POPs[pops[i]] > s.POPs[pops[j]]
		}
		return pops[i] < pops[j]
	})
	return pops
}

type timingLists struct {
	nl, co, ac, st, to      []time.Duration
	dns, tcp, tls, srv, xfr []time.Duration
}

func (l *timingLists) add(t Timings) {
	ph := t.Phases()
	l.nl = append(l.nl, t.NameLookup)
	l.co = append(l.co, t.Connect)
	l.ac = append(l.ac, t.AppConnect)
	l.st = append(l.st, t.StartTransfer)
	l.to = append(l.to, t.Total)
	l.dns = append(l.dns, ph.DNS)
	l.tcp = append(l.tcp, ph.TCP)
	l.tls = append(l.tls, ph.TLS)
	l.srv = append(l.srv, ph.Server)
	l.xfr = append(l.xfr, ph.Transfer)
}

func (l *timingLists) dists() (TimingDists, PhaseDists) {
	return TimingDists{
			NameLookup: Distribution(l.nl), Connect: Distribution(l.co), AppConnect: Distribution(l.ac),
			StartTransfer: Distribution(l.st), Total: Distribution(l.to),
		}, PhaseDists{
			DNS: Distribution(l.dns), TCP: Distribution(l.tcp), TLS: Distribution(l.tls),
			Server: Distribution(l.srv), Transfer: Distribution(l.xfr),
		}
}
