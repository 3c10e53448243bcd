package warm

import (
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/cfprewarm/cfprewarm/probe"
)

// Summarize counts requests, which may target different POPs. Every request
// is planned; unfinished ones count only as such.
func Summarize(reqs []Request) Stats {
	s := Stats{Planned: len(reqs)}
	lat := make([]time.Duration, 0, len(reqs))
	for _, r := range reqs {
		if r.Unfinished {
			s.Unfinished++
			continue
		}
		s.Requests++
		if r.Status != 0 {
			inc(&s.Statuses, r.Status)
		}
		if r.Failed() {
			s.Errors++
			inc(&s.ErrorKinds, r.Kind)
			continue
		}
		s.OK++
		lat = append(lat, r.Timings.Total)
		if r.AnsweredBy != "" {
			inc(&s.AnsweredBy, r.AnsweredBy)
			if !strings.EqualFold(r.AnsweredBy, r.POP) {
				s.Mismatched++
				continue
			}
		}
		switch r.Origin {
		case probe.OriginWarm:
			s.OriginWarm++
		case probe.OriginCold:
			s.OriginCold++
		default:
			s.OriginUnknown++
		}
	}
	s.Latency = probe.Distribution(lat)
	return s
}

func inc[K comparable](m *map[K]int, k K) {
	if *m == nil {
		*m = map[K]int{}
	}
	(*m)[k]++
}

// ByPOP merges the waves: one POPResult per POP, in the order of the first
// wave, with the requests of every wave, the union of the addresses and the
// last resolve error.
func (r *Result) ByPOP() []POPResult {
	var out []POPResult
	index := map[string]int{}
	for _, w := range r.Waves {
		for _, p := range w.POPs {
			i, ok := index[p.POP]
			if !ok {
				i = len(out)
				index[p.POP] = i
				out = append(out, POPResult{POP: p.POP, Name: p.Name})
			}
			m := &out[i]
			for _, ip := range p.IPs {
				if !slices.Contains(m.IPs, ip) {
					m.IPs = append(m.IPs, ip)
				}
			}
			if p.ResolveError != "" {
				m.ResolveError = p.ResolveError
			}
			m.Requests = append(m.Requests, p.Requests...)
		}
	}
	for i := range out {
		slices.SortFunc(out[i].IPs, netip.Addr.Compare)
		out[i].Stats = Summarize(out[i].Requests)
	}
	return out
}

// WithoutRequests returns a copy of the result without the per-request
// records, for a compact report (the Lambda's response).
func (r *Result) WithoutRequests() *Result {
	c := *r
	c.Waves = make([]Wave, len(r.Waves))
	for i, w := range r.Waves {
		w.POPs = slices.Clone(w.POPs)
		for j := range w.POPs {
			w.POPs[j].Requests = nil
		}
		c.Waves[i] = w
	}
	return &c
}

// requests returns every request of the run.
func (r *Result) requests() []Request {
	var all []Request
	for _, w := range r.Waves {
		all = append(all, w.requests()...)
	}
	return all
}

func (w *Wave) requests() []Request {
	var all []Request
	for _, p := range w.POPs {
		all = append(all, p.Requests...)
	}
	return all
}
