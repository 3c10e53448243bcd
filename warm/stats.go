package warm

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/cfprewarm/cfprewarm/edgehosts"
	"github.com/cfprewarm/cfprewarm/probe"
)

// Summarize counts records, which may target different POPs: each is
// tallied against its own target POP. Every record is planned; unfinished
// ones count only as such.
func Summarize(recs []Record) Stats {
	var t tally
	t.add(recs)
	return t.stats()
}

// tally counts records where they are, group after group (the POPs of a
// wave, the waves of a run), without gathering them into one slice.
type tally struct {
	t                   probe.Tally
	planned, unfinished int
}

func (t *tally) add(recs []Record) {
	t.planned += len(recs)
	for i := range recs {
		r := &recs[i]
		if r.Unfinished {
			t.unfinished++
			continue
		}
		t.t.Add(r.Result, r.POP)
	}
}

func (t *tally) stats() Stats {
	return Stats{Planned: t.planned, Unfinished: t.unfinished, Summary: t.t.Summary()}
}

// ByPOP merges the waves: one POPResult per target (POP, or client
// subnet), in the order of the first wave, with the requests of every
// wave, the union of the addresses, the last resolve error and the last
// wave's sizing, whose EdgeHostsSeen counts the distinct edge hosts of all
// the waves.
func (r *Result) ByPOP() []POPResult {
	var out []POPResult
	index := map[string]int{}
	for _, w := range r.Waves {
		for _, p := range w.POPs {
			i, ok := index[p.Target()]
			if !ok {
				i = len(out)
				index[p.Target()] = i
				out = append(out, POPResult{ClientSubnet: p.ClientSubnet, Name: p.Name})
			}
			m := &out[i]
			m.POP, m.Sizing = p.POP, p.Sizing
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
		p := &out[i]
		slices.SortFunc(p.IPs, netip.Addr.Compare)
		p.Stats = Summarize(p.Requests)
		if len(p.Requests) > 0 { // else: the result came without its records
			p.Sizing.EdgeHostsSeen = distinctIDs(observations(p.POP, p.Requests, r.HostIDHeader))
		}
	}
	return out
}

// observations are what the OK answers from pop say of their edge hosts:
// the id (the host identity header's when the run reads one, else the
// via's), the address the request went to, its connection (each prewarm
// request has one of its own) and the origin connection it found.
func observations(pop string, recs []Record, hostIDHeader string) []edgehosts.Observation {
	var obs []edgehosts.Observation
	for _, rec := range recs {
		if rec.OK() && !rec.Unfinished && strings.EqualFold(rec.CloudFront.POP, pop) {
			o := edgehosts.Observation{ID: rec.CloudFront.EdgeHost(), Hops: rec.CloudFront.ViaHops(),
				Addr: rec.IP, Conn: rec.LocalAddr, Origin: rec.Origin}
			if hostIDHeader != "" {
				o.ID, o.Hops = rec.HostID, 0
			}
			obs = append(obs, o)
		}
	}
	return obs
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

// summarize counts the records of every POP of the waves.
func summarize(waves ...Wave) Stats {
	var t tally
	for i := range waves {
		for j := range waves[i].POPs {
			t.add(waves[i].POPs[j].Requests)
		}
	}
	return t.stats()
}
