package doctor

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/cfprewarm/cfprewarm/edgehosts"
	"github.com/cfprewarm/cfprewarm/probe"
)

// keptRequests is the number of requests of the kept-connection check.
const keptRequests = 3

// census sends Samples requests to the POP, each on a new connection,
// spread over its addresses, and judges its ids: what they name, the host
// count per address and pooled, the layout; then three requests on one
// kept connection, and, with the host identity, the via ids beside it.
func (d *doctor) census(ctx context.Context, p *POPReport) error {
	answers, err := d.send.send(ctx, p.DNS.Addrs, d.cfg.Samples)
	p.answers = append(p.answers, answers...)
	if err != nil {
		return err
	}
	var obs []edgehosts.Observation
	for _, a := range answers {
		if a.ok(p.POP) {
			obs = append(obs, a.observation(false, true))
		}
	}
	p.fit = edgehosts.Judge(obs, edgehosts.DefaultLevel)
	c := censusOf(p.fit, len(answers))
	if d.cfg.HostIDHeader != "" {
		c.HostID = hostIDCheck(d.cfg.HostIDHeader, answers, p.POP)
	}
	p.Census = c
	c.Kept, err = d.kept(ctx, p.DNS.Addrs[0])
	if k := c.Kept; k != nil && c.Verdict == edgehosts.VerdictPerRequest && k.Answers >= 2 && k.IDs == 1 {
		// Never repeated across new connections, yet constant on one:
		// the id follows the connection.
		c.Verdict = edgehosts.VerdictPerConnection
		c.Why = fmt.Sprintf("per connection: no id repeated over %d new connections, yet %d answers on one kept connection named one: the id follows the connection, not a host (suspect)", c.Answers, k.Answers)
		p.fit.Verdict, p.fit.Why = c.Verdict, c.Why
	}
	return err
}

// censusOf is the report of a judgement over requests requests.
func censusOf(f edgehosts.Fit, requests int) *Census {
	c := &Census{Requests: requests, Answers: f.Responses, IDs: f.Distinct, Hops: f.Hops, Verdict: f.Verdict, Layout: f.Layout, Hosts: estimateOf(f)}
	if !f.OK {
		c.Why = f.Why
	}
	for _, a := range f.Addrs {
		ac := AddrCensus{Addr: a.Addr, Answers: a.Responses, IDs: a.Distinct, Hosts: estimateOf(a.Fit)}
		if !a.OK {
			ac.Why = a.Why
		}
		c.ByAddr = append(c.ByAddr, ac)
	}
	return c
}

func estimateOf(f edgehosts.Fit) *Estimate {
	if !f.OK {
		return nil
	}
	return &Estimate{Hosts: f.Best, Low: f.Low, High: f.High, Level: f.Level}
}

// kept sends keptRequests requests on one kept connection to addr: an edge
// host serves a whole viewer connection, so ids that change on it name
// requests, not hosts.
func (d *doctor) kept(ctx context.Context, addr netip.Addr) (*Kept, error) {
	if err := d.send.reserve(keptRequests); err != nil {
		return nil, err
	}
	pc := d.send.probeConfig()
	pc.Reuse = true
	pc.Address = netip.AddrPortFrom(addr, uint16(d.cfg.Port)).String()
	pr, err := probe.NewProber(pc)
	if err != nil {
		return nil, err
	}
	defer pr.Close()
	k := &Kept{}
	ids := map[string]bool{}
	for i := range keptRequests {
		res := pr.Probe(ctx, i+1)
		if id := res.CloudFront.EdgeHost(); res.OK() && id != "" {
			k.Answers++
			ids[id] = true
		}
	}
	k.IDs = len(ids)
	return k, ctx.Err()
}

// hostIDCheck judges the answers by the host identity header and sets
// the via ids beside it: the via hypothesis holds when every via id goes
// with one server and every server with one via id.
func hostIDCheck(header string, answers []answer, pop string) *HostIDCheck {
	h := &HostIDCheck{Header: header}
	var obs []edgehosts.Observation
	viaTo, hostTo := map[string]map[string]bool{}, map[string]map[string]bool{}
	for _, a := range answers {
		if !a.ok(pop) || a.res.HostID == "" {
			continue
		}
		obs = append(obs, a.observation(true, true))
		via := a.res.CloudFront.EdgeHost()
		if via == "" {
			continue
		}
		add(viaTo, via, a.res.HostID)
		add(hostTo, a.res.HostID, via)
	}
	h.Answers = len(obs)
	f := edgehosts.Judge(obs, edgehosts.DefaultLevel)
	h.Servers, h.Verdict, h.Hosts = f.Distinct, f.Verdict, estimateOf(f)
	switch {
	case h.Answers < edgehosts.MinResponses:
		h.Why = fmt.Sprintf("%d answers carried %s: too few to tell (is the path the origin's prewarm path, with origin verification on?)", h.Answers, header)
		return h
	case len(viaTo) == 0:
		h.Why = "no answer carried a via id"
	}
	holds := len(viaTo) > 0 && oneToOne(viaTo) && oneToOne(hostTo)
	h.Holds = &holds
	if holds {
		h.Why = fmt.Sprintf("each of the %d via ids went with one server address, and each server with one via id: the via id names the edge server", len(viaTo))
	} else if h.Why == "" {
		h.Why = fmt.Sprintf("%d via ids for %d server addresses, not one to one: the via id does not name the edge server; count hosts by %s", len(viaTo), len(hostTo), header)
	}
	return h
}

func add(m map[string]map[string]bool, k, v string) {
	if m[k] == nil {
		m[k] = map[string]bool{}
	}
	m[k][v] = true
}

func oneToOne(m map[string]map[string]bool) bool {
	for _, vs := range m {
		if len(vs) != 1 {
			return false
		}
	}
	return true
}
