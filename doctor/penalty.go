package doctor

import (
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/stats"
)

// penalty is what a cold origin connection costs at the POP, from every
// answer of the run that said warm or cold: the median first byte (request
// written → first response byte, the probe's Server phase) of cold answers
// minus that of warm ones, half of which is the origin round trip (a new
// TCP connection and a TLS 1.3 handshake are two), and the median
// cdn-upstream-connect of cold answers, CloudFront's own measure of the
// same two round trips. Nil without both kinds of answers.
func penalty(pop string, answers []answer) *Penalty {
	var cold, warm, connect []time.Duration
	for _, a := range answers {
		if !a.ok(pop) {
			continue
		}
		fb := a.res.Timings.Phases().Server
		switch a.res.Origin {
		case cloudfront.OriginCold:
			cold = append(cold, fb)
			connect = append(connect, a.res.UpstreamConnect)
		case cloudfront.OriginWarm:
			warm = append(warm, fb)
		}
	}
	if len(cold) == 0 || len(warm) == 0 {
		return nil
	}
	p := &Penalty{Cold: len(cold), Warm: len(warm),
		ColdFirstByte: stats.Describe(cold).P50, WarmFirstByte: stats.Describe(warm).P50, UpstreamConnect: stats.Describe(connect).P50}
	p.Penalty = max(p.ColdFirstByte-p.WarmFirstByte, 0)
	p.OriginRTT, p.ConnectRTT = p.Penalty/2, p.UpstreamConnect/2
	return p
}
