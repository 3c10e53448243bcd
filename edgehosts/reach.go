package edgehosts

import "github.com/cfprewarm/cfprewarm/cloudfront"

// Reach is what one wave's answers say of the edge hosts they came from. A
// cold answer is not a missed host: a host that a wave more concurrent
// than its idle origin connections reaches answers some requests cold
// even though an earlier wave kept it warm (an nginx-like pool opens a
// connection whenever none is idle at that moment; CloudFront's policy is
// not documented). So a host with at least one warm answer was reached by
// an earlier wave, and only a host whose every answer was cold was missed.
type Reach struct {
	Hosts   int `json:"hosts"`   // distinct hosts with an answer that said warm or cold
	Reached int `json:"reached"` // hosts with at least one warm answer
	Missed  int `json:"missed"`  // hosts whose every answer was cold
	// ColdOfReached counts the cold answers of reached hosts: they measure
	// the host's pool of origin connections, not the coverage of the waves.
	ColdOfReached int `json:"cold_of_reached"`
}

// WaveReach groups a wave's answers by edge host id. Answers without an id
// or without a warm/cold reading are left out; the ids must name hosts
// (Verdict.NamesHosts) for the result to mean anything.
func WaveReach(obs []Observation) Reach {
	type host struct{ warm, cold int }
	hosts := map[string]*host{}
	for _, o := range obs {
		if o.ID == "" || o.Origin == cloudfront.OriginUnknown {
			continue
		}
		h := hosts[o.ID]
		if h == nil {
			h = &host{}
			hosts[o.ID] = h
		}
		if o.Origin == cloudfront.OriginWarm {
			h.warm++
		} else {
			h.cold++
		}
	}
	r := Reach{Hosts: len(hosts)}
	for _, h := range hosts {
		if h.warm > 0 {
			r.Reached++
			r.ColdOfReached += h.cold
		} else {
			r.Missed++
		}
	}
	return r
}
