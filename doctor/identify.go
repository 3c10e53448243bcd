package doctor

import (
	"context"
	"strings"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/probe"
)

// identify sends one request through the distribution's own name (as a
// viewer would, resolved by the resolver) and says whether CloudFront
// answered, whether Server-Timing is on and what the upstream layer is.
func (d *doctor) identify(ctx context.Context) *Identity {
	id := &Identity{URL: d.send.url}
	if err := d.send.reserve(1); err != nil {
		id.Error = err.Error()
		return id
	}
	pc := d.send.probeConfig()
	p, err := probe.NewProber(pc)
	if err != nil {
		id.Error = err.Error()
		return id
	}
	defer p.Close()
	res := p.Probe(ctx, 1)
	if !res.OK() {
		id.Error = res.Error
		return id
	}
	id.Status = res.Status
	h := res.CloudFront
	if h.ID != "" {
		id.Evidence = append(id.Evidence, "x-amz-cf-id")
	}
	if h.ViaHops() > 0 {
		id.Evidence = append(id.Evidence, "via")
	}
	if strings.HasSuffix(strings.ToLower(h.Cache), "from cloudfront") {
		id.Evidence = append(id.Evidence, "x-cache")
	}
	id.CloudFront = len(id.Evidence) > 0
	if code, err := cloudfront.NormalizePOPCode(h.POP); err == nil {
		id.POP = code
	}
	for _, m := range res.ServerTiming {
		if strings.HasPrefix(m.Name, "cdn-") {
			id.ServerTiming = true
		}
		if m.Name == cloudfront.MetricUpstreamLayer {
			id.UpstreamLayer = m.Desc
		}
	}
	id.Meaning = layerMeaning(id)
	return id
}

// layerMeaning says what the upstream layer means for prewarming.
func layerMeaning(id *Identity) string {
	switch {
	case !id.CloudFront:
		return "no CloudFront header in the answer: the name does not lead to CloudFront, so there is nothing to prewarm"
	case !id.ServerTiming:
		return "no Server-Timing: turn it on in the distribution's response headers policy (sampling 0 is enough: probes send Pragma: server-timing); without it no answer says warm or cold, and the keep-alive and the cold penalty cannot be measured"
	case id.UpstreamLayer == "":
		return "no cdn-upstream-layer: the answer did not come from the origin (a cache hit?); prewarm a path that is never cached"
	case strings.EqualFold(id.UpstreamLayer, "EDGE"):
		return "EDGE: the POP connects to the origin itself; prewarming keeps those connections open"
	case strings.EqualFold(id.UpstreamLayer, "REC"):
		return "REC: the request went through a regional edge cache; prewarming the POP warms its connections to the REC, and the REC's to the origin are shared by many POPs"
	case strings.EqualFold(id.UpstreamLayer, "Origin Shield"):
		return "Origin Shield: for dynamic requests the shield is always an extra layer; prewarming the POP warms its connections to the shield, and the shield's to the origin are shared by every POP"
	}
	return id.UpstreamLayer + ": a layer this version does not know"
}
