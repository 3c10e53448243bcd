package plan

import (
	"context"
	"math"
	"math/rand/v2"
	"sort"
	"time"
)

// arrival is one simulated request.
type arrival struct {
	pop  string
	t    float64 // seconds since start
	cold bool
	ttfb float64
}

// process draws arrival times over d seconds.
type process func(rng *rand.Rand, d float64) []float64

func poisson(rate float64) process {
	return func(rng *rand.Rand, d float64) []float64 {
		var out []float64
		for t := rng.ExpFloat64() / rate; t < d; t += rng.ExpFloat64() / rate {
			out = append(out, t)
		}
		return out
	}
}

// bursts of size requests within spread seconds, bursts arriving at rate.
func bursts(rate float64, size int, spread float64) process {
	return func(rng *rand.Rand, d float64) []float64 {
		var out []float64
		for t := rng.ExpFloat64() / rate; t < d; t += rng.ExpFloat64() / rate {
			for range size {
				if u := t + rng.Float64()*spread; u < d {
					out = append(out, u)
				}
			}
		}
		sort.Float64s(out)
		return out
	}
}

// simulate plays the model exactly, in continuous time: each request lands
// on one of hosts at random and is cold when that host had no request in
// the keepAlive before it. A cold request's time-to-first-byte is warm +
// penalty.
func simulate(seed uint64, pop string, p process, d float64, hosts int, keepAlive, warm, penalty float64) []arrival {
	rng := rand.New(rand.NewPCG(seed, 7))
	last := make([]float64, hosts)
	for i := range last {
		last[i] = math.Inf(-1)
	}
	var out []arrival
	for _, t := range p(rng, d) {
		h := rng.IntN(hosts)
		cold := t-last[h] >= keepAlive
		last[h] = t
		ttfb := warm + 0.002*rng.Float64()
		if cold {
			ttfb += penalty
		}
		out = append(out, arrival{pop, t, cold, math.Round(ttfb*1000) / 1000})
	}
	return out
}

var start = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// counts aggregates arrivals at the second they arrived, each on a
// connection of its own and holding its origin connection for no time, as
// simulate plays them.
func counts(as []arrival) *Counts {
	c := NewCounts()
	for _, a := range as {
		c.add(a.pop, request{at: start.Unix() + int64(math.Floor(a.t)), ttfb: a.ttfb, hasTTFB: true, gap: -1})
	}
	return c
}

func coldShare(as []arrival) float64 {
	n := 0
	for _, a := range as {
		if a.cold {
			n++
		}
	}
	return float64(n) / float64(len(as))
}

// planFrom plans from counts with DefaultConfig changed by set (nil: the
// defaults).
func planFrom(c *Counts, set func(*Config)) (*Plan, error) {
	cfg := DefaultConfig()
	if set != nil {
		set(&cfg)
	}
	return Run(context.Background(), Input{Counts: c}, cfg)
}
