package plan

import (
	"cmp"
	"slices"
	"time"

	"github.com/cfprewarm/cfprewarm/edgehosts"
)

// timing is a schedule with what pricing needs of it: the distribution of
// the number of waves in the keep-alive before a moment chosen at random.
type timing struct {
	Schedule
	window []float64 // element w is P(w waves in the keep-alive)
}

func newTiming(s Schedule, keepAlive time.Duration) timing {
	return timing{s, s.windowWaves(keepAlive)}
}

// prewarm is what n requests per wave on a schedule do for a POP, and what
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
	gainPerDollar                                float64 // 0 until withLambda
}

// requests is the number of requests per wave the POP of m needs: the
// fewest whose coverage reaches the configured one, with as many
// connections per host as its viewers use at once (model.requestsFor), at
// most the engine's limit.
func (pl planner) requests(m model) int {
	return m.requestsFor(pl.cfg.Coverage, edgehosts.MaxRequestsPerPOP)
}

// price is what waves of n requests on tm do for the POP of m: the cold
// share, latency and waiting removed that follow, and the CloudFront part of
// the monthly cost (none for a POP with no region: it has no price).
// withLambda adds the POP's share of a Lambda.
func (pl planner) price(m model, n int, tm timing) prewarm {
	pop := m.pop
	v := prewarm{requestsPerWave: n, coverage: edgehosts.Coverage(pop.Hosts, n)}
	v.cold = m.coldWith(n, tm.window)
	v.coldShare = v.cold / float64(pop.Requests)
	if m.penalty > 0 {
		v.latency = Latency{
			Current:   seconds(m.base + pop.Cold.Current*m.penalty),
			KeepAlive: seconds(m.base + pop.Cold.KeepAlive*m.penalty),
			Prewarmed: seconds(m.base + v.coldShare*m.penalty),
		}
		v.removedPerRequest = m.penalty * (pop.Cold.Current - v.coldShare)
		v.removedPerDay = v.removedPerRequest * pop.RequestsPerDay
		v.gainPerDay = m.penalty * (pop.Cold.KeepAlive - v.coldShare) * pop.RequestsPerDay
	}
	if pop.Region != "" {
		perMonth := float64(n) * tm.WavesPerMonth()
		cf := perMonth / 1e4 * pop.Price
		v.cost = Cost{Requests: perMonth, CloudFront: cf, Total: cf}
	}
	return v
}

// withLambda adds the POP's share of its Lambda's monthly cost, and the
// gain per dollar that follows (of the gain per day as the plan reports it).
func (v prewarm) withLambda(share float64) prewarm {
	v.cost.Lambda = share
	v.cost.Total = v.cost.CloudFront + v.cost.Lambda
	if v.cost.Total > 0 {
		v.gainPerDollar = seconds(v.gainPerDay).Float() * 30 / v.cost.Total
	}
	return v
}

// pop is the POP of m with the prewarm v: the POP as the plan reports it.
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

// waveNetwork is the time a wave waits for the network beyond its CPU:
// the slowest request's round trips (docs/plan.md).
const waveNetwork = time.Second

// vcpu is the CPU a Lambda gets: one vCPU at 1,769 MB, in proportion below.
func vcpu(mem int) float64 { return min(float64(mem)/1769, 6) }

// lambdaCost is the billed duration in seconds of one invocation sending
// perWave requests in each of s.Waves waves, and the Lambda's monthly cost.
func (pl planner) lambdaCost(s Schedule, perWave int) (float64, Cost) {
	cfg := pl.cfg
	wave := float64(perWave)*cfg.CPUPerRequest.Seconds()/vcpu(cfg.MemoryMiB) + waveNetwork.Seconds()
	inv := float64(s.Waves-1)*s.Interval.Seconds() + wave
	invocations := s.WavesPerMonth() / float64(s.Waves)
	gbs := inv * float64(cfg.MemoryMiB) / 1024 * invocations
	c := Cost{Lambda: gbs*cfg.Prices.LambdaGBSecond + invocations/1e6*cfg.Prices.LambdaPerMillion}
	c.Total = c.Lambda
	return inv, c
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

// group prices the POPs of ms, all of one region, as one Lambda: it sends
// each of them the most requests any of them needs, and its cost (the
// invocations and the billed duration, waits between waves included) is
// shared by its POPs in proportion to their requests, which, each being
// sent the same number, is equally. It returns the Lambda and each POP's
// prewarm, in the order of ms.
func (pl planner) group(name string, ms []model) (Group, []prewarm) {
	g := Group{Region: name}
	for _, m := range ms {
		g.POPs = append(g.POPs, m.pop.Code)
		g.RequestsPerWave = max(g.RequestsPerWave, pl.requests(m))
	}
	inv, lambda := pl.lambdaCost(pl.timing.Schedule, g.RequestsPerWave*len(ms))
	g.Invocation, g.Cost = seconds(inv), lambda
	vs := make([]prewarm, len(ms))
	for i, m := range ms {
		vs[i] = pl.price(m, g.RequestsPerWave, pl.timing).withLambda(lambda.Lambda / float64(len(ms)))
		g.Cost.CloudFront += vs[i].cost.CloudFront
		g.Cost.Requests += vs[i].cost.Requests
	}
	g.Cost.Total = g.Cost.CloudFront + g.Cost.Lambda
	return g, vs
}
