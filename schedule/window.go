package schedule

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// WindowWaves is, for a moment chosen at random, the probability of each
// number of waves in the keepAlive before it: element w is P(W = w).
//
// Aligned and daemon waves are evenly spaced: W is ⌊K/P⌋, or one more with
// probability (K mod P)/P. Waves per invocation depend on each
// invocation's lateness: the distribution is measured exactly (a sweep over
// every wave's start and end of influence) on a simulation of 20,000
// invocations with uniform lateness and a fixed seed, so that it repeats.
func (o Option) WindowWaves(keepAlive time.Duration) Window {
	switch o.Kind {
	case KindAligned, KindDaemon:
		whole := int(keepAlive / o.Period)
		extra := float64(keepAlive%o.Period) / float64(o.Period)
		dist := make([]float64, whole+2)
		dist[whole], dist[whole+1] = 1-extra, extra
		return trim(dist)
	case KindWaves:
		rng := rand.New(rand.NewPCG(1, 1))
		return windowCounts(o.simulate(rng, 20_000), keepAlive, 3*o.Rate+o.Lateness.Max, 19_997*o.Rate)
	}
	return []float64{1}
}

// simulate returns the wave starts of n invocations of a KindWaves
// option, each starting at a lateness drawn uniformly within the model,
// sorted.
func (o Option) simulate(rng *rand.Rand, n int) []time.Duration {
	waves := make([]time.Duration, 0, n*o.Waves)
	for j := range n {
		start := time.Duration(j)*o.Rate + o.Lateness.Min + time.Duration(rng.Float64()*float64(o.Lateness.Spread()))
		for k := range o.Waves {
			waves = append(waves, start+time.Duration(k)*o.Interval)
		}
	}
	slices.Sort(waves)
	return waves
}

// windowCounts measures, over [from, to), the share of time at which the
// keepAlive before the moment holds each number of waves: the count goes up
// at each wave and down keepAlive later. waves must be sorted.
func windowCounts(waves []time.Duration, keepAlive, from, to time.Duration) []float64 {
	type event struct {
		at   time.Duration
		step int
	}
	events := make([]event, 0, 2*len(waves))
	for _, w := range waves {
		events = append(events, event{w, +1}, event{w + keepAlive, -1})
	}
	slices.SortStableFunc(events, func(a, b event) int { return cmp.Compare(a.at, b.at) })
	var share []float64
	count, at := 0, from
	add := func(until time.Duration) {
		if until <= at {
			return
		}
		for len(share) <= count {
			share = append(share, 0)
		}
		share[count] += float64(min(until, to) - at)
		at = min(until, to)
	}
	for _, e := range events {
		if e.at > from {
			add(e.at)
		}
		if e.at >= to {
			break
		}
		count += e.step
	}
	add(to)
	for i := range share {
		share[i] /= float64(to - from)
	}
	return trim(share)
}

// trim drops trailing zero probabilities.
func trim(dist []float64) []float64 {
	for len(dist) > 1 && dist[len(dist)-1] == 0 {
		dist = dist[:len(dist)-1]
	}
	return dist
}

// Window is the distribution of the number of waves in a keep-alive
// before a moment chosen at random: element w is P(W = w)
// (Option.WindowWaves). A caller that prices many POPs on one option
// computes it once.
type Window []float64

// ColdShare is the share of moments at which a given edge host is cold
// because every wave of the keepAlive before missed it: E[miss^W], miss
// being the probability that one wave misses the host ((1 − 1/H)^N for a
// wave of N requests to H hosts). For evenly spaced waves with B requests
// per keep-alive in all it is close to (1 − 1/H)^B, the floor.
func (o Option) ColdShare(keepAlive time.Duration, miss float64) float64 {
	return o.WindowWaves(keepAlive).ColdShare(miss)
}

// ColdShare is E[miss^W] for W distributed as w.
func (w Window) ColdShare(miss float64) float64 {
	f := 0.0
	for n, p := range w {
		f += p * math.Pow(miss, float64(n))
	}
	return f
}

// RequestsPerWave is the fewest requests per wave (1 to maxRequests) whose
// predicted cold share on a POP of hosts edge hosts is at most target;
// false when even maxRequests do not reach it.
func (o Option) RequestsPerWave(keepAlive time.Duration, hosts int, target float64, maxRequests int) (int, bool) {
	return o.WindowWaves(keepAlive).RequestsPerWave(hosts, target, maxRequests)
}

// RequestsPerWave is Option.RequestsPerWave on this window.
func (w Window) RequestsPerWave(hosts int, target float64, maxRequests int) (int, bool) {
	q := 1 - 1/float64(max(hosts, 1))
	for n := 1; n <= maxRequests; n++ {
		if w.ColdShare(math.Pow(q, float64(n))) <= target {
			return n, true
		}
	}
	return maxRequests, false
}
