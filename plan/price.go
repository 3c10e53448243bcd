package plan

import (
	"cmp"
	"slices"

	"github.com/cfprewarm/cfprewarm/edgehosts"
	"github.com/cfprewarm/cfprewarm/stats"
)

// prewarm is what n requests per wave on an option do for a POP, and what
// they cost: a value, computed by price and never changed after.
type prewarm struct {
	requestsPerWave int
	coverage        float64 // of one wave
	cold            float64 // expected cold requests over the period, case (c)
	coldShare       float64 // their share of the POP's requests
	latency         Latency
	// Seconds of viewer waiting removed per request and per day, (a) → (c),
	// and per day beyond keep-alive alone, (b) → (c).
	removedPerRequest, removedPerDay, gainPerDay float64
	cost                                         Cost
	gainPerDollar                                float64 // 0 until withShare
}

// need is the fewest requests per wave with which o keeps the POP of m at
// most at the target cold share, at most the engine's limit; false when
// even that does not reach the target. The cold share is the model's
// (coldWith): a request that found m − 1 of its host's origin connections
// busy needs a wave that left m there, so that a POP whose viewers use
// several connections of a host at once needs more requests than one
// connection per host would. With a coverage floor, one wave also reaches
// that share of the hosts with as many connections per host as the
// viewers use at once (model.requestsFor): the larger of the two. An
// option that fixes its requests (the seed) needs those.
func (pl planner) need(m model, o option) (int, bool) {
	target := pl.cfg.TargetCold * float64(m.pop.Requests)
	if o.requests > 0 {
		return o.requests, m.coldWith(o.requests, o.keepAlive, o.window) <= target
	}
	floor := 1
	if pl.cfg.MinCoverage > 0 {
		floor = m.requestsFor(pl.cfg.MinCoverage, edgehosts.MaxRequestsPerPOP)
	}
	n, ok := 0, true
	if m.coldAt(o.keepAlive) > target {
		n, ok = m.requestsForCold(target, o.keepAlive, o.window, edgehosts.MaxRequestsPerPOP)
	}
	return min(max(n, floor), edgehosts.MaxRequestsPerPOP), ok
}

// missed is the probability that a wave of n requests misses a given one
// of hosts edge hosts.
func missed(hosts, n int) float64 { return 1 - edgehosts.Coverage(hosts, n) }

// price is what waves of n requests on o do for the POP of m: the cold
// share, latency and waiting removed that follow, and the POP's own part
// of the monthly bill (none for a POP with no region: it has no price).
// withShare adds its share of its region's Lambda.
func (pl planner) price(m model, n int, o option) prewarm {
	pop := m.pop
	v := prewarm{requestsPerWave: n, coverage: edgehosts.Coverage(pop.Hosts, n)}
	keepAlone := m.coldAt(o.keepAlive) / float64(pop.Requests)
	v.cold = m.coldWith(n, o.keepAlive, o.window)
	v.coldShare = v.cold / float64(pop.Requests)
	if m.penalty > 0 {
		v.latency = Latency{
			Current:   seconds(m.base + pop.Cold.Current*m.penalty),
			KeepAlive: seconds(m.base + keepAlone*m.penalty),
			Prewarmed: seconds(m.base + v.coldShare*m.penalty),
		}
		v.removedPerRequest = m.penalty * (pop.Cold.Current - v.coldShare)
		v.removedPerDay = v.removedPerRequest * pop.RequestsPerDay
		v.gainPerDay = m.penalty * (keepAlone - v.coldShare) * pop.RequestsPerDay
	}
	if pop.Region != "" {
		v.cost = pl.cfg.Prices.bill(pl.popUsage(o, n), pop.Geography)
	}
	return v
}

// withShare adds the POP's share of its region's Lambda to its bill, and
// the gain per dollar that follows (of the gain per day as the plan
// reports it).
func (v prewarm) withShare(share Cost) prewarm {
	v.cost = v.cost.add(share)
	if v.cost.Total > 0 {
		v.gainPerDollar = seconds(v.gainPerDay).Float() * 30 / v.cost.Total
	}
	return v
}

// with is the POP of m with the prewarm v: the POP as the plan reports it.
func (m model) with(v prewarm) POP {
	pop := m.pop
	pop.RequestsPerWave, pop.Coverage = v.requestsPerWave, v.coverage
	pop.Cold.Prewarmed = v.coldShare
	pop.Latency = v.latency
	pop.RemovedPerRequest, pop.RemovedPerDay = seconds(v.removedPerRequest), seconds(v.removedPerDay)
	pop.GainPerDay, pop.GainPerDollar = seconds(v.gainPerDay), v.gainPerDollar
	pop.Cost = v.cost
	return pop
}

// region is the items of one AWS region: the POPs one Lambda warms.
type region[T any] struct {
	name  string
	items []T
}

// byRegion groups items by the region of their Lambda: regions sorted by
// name, the items of each in the order given. The plan's Lambdas and the
// options of compare are grouped with it.
func byRegion[T any](items []T, regionOf func(T) string) []region[T] {
	var out []region[T]
	for _, it := range items {
		name := regionOf(it)
		i := slices.IndexFunc(out, func(r region[T]) bool { return r.name == name })
		if i < 0 {
			i = len(out)
			out = append(out, region[T]{name: name})
		}
		out[i].items = append(out[i].items, it)
	}
	slices.SortFunc(out, func(a, b region[T]) int { return cmp.Compare(a.name, b.name) })
	return out
}

// group prices the POPs of ms, all of one region, as one Lambda on o (or
// one daemon): it sends each of them the most requests any of them needs,
// and its own part of the bill (lambdaUsage) is shared by its POPs in
// proportion to their requests, which, each being sent the same number, is
// equally. It returns the Lambda and each POP's prewarm, in the order of
// ms. This is the one cost function: the plan's Lambdas, the POPs not in
// the plan and every option compared are priced here.
func (pl planner) group(o option, name string, ms []model) (Group, []prewarm) {
	g := Group{Region: name, Kind: o.kind, Schedule: Schedule{o.sched}, opt: o, MeetsTarget: true}
	for _, m := range ms {
		g.POPs = append(g.POPs, m.pop.Code)
		n, _ := pl.need(m, o)
		g.RequestsPerWave = max(g.RequestsPerWave, n)
	}
	billed, u := pl.lambdaUsage(o, len(ms), g.RequestsPerWave)
	g.Invocation = stats.Seconds(billed)
	g.Cost = pl.cfg.Prices.bill(u, "")
	share := pl.cfg.Prices.bill(u.scale(1/float64(len(ms))), "")
	vs := make([]prewarm, len(ms))
	for i, m := range ms {
		v := pl.price(m, g.RequestsPerWave, o)
		g.Cost = g.Cost.add(v.cost)
		vs[i] = v.withShare(share)
		g.WorstCold = max(g.WorstCold, vs[i].coldShare)
		if vs[i].coldShare > pl.cfg.TargetCold*(1+1e-9) {
			g.MeetsTarget = false
		}
	}
	return g, vs
}

// lambda forms the Lambda of one region's POPs: the cheapest option the
// plan may choose that keeps every one of them within --target-cold, or,
// when none does, the one that comes closest.
func (pl planner) lambda(name string, ms []model) (Group, []prewarm) {
	var best Group
	var bestV []prewarm
	found := false
	for _, o := range pl.opts {
		if !o.choosable {
			continue
		}
		g, vs := pl.group(o, name, ms)
		if !found || better(g, best) {
			best, bestV, found = g, vs, true
		}
	}
	return best, bestV
}

// better says whether Lambda a beats b: meeting the target first, then the
// cheaper, or, when neither meets it, the closer to it.
func better(a, b Group) bool {
	switch {
	case a.MeetsTarget != b.MeetsTarget:
		return a.MeetsTarget
	case a.MeetsTarget:
		return a.Cost.Total < b.Cost.Total
	}
	return a.WorstCold < b.WorstCold || (a.WorstCold == b.WorstCold && a.Cost.Total < b.Cost.Total)
}
