package plan

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/cfprewarm/cfprewarm/stats"
)

// Schedule is how prewarm waves are sent: Waves waves Interval apart
// (start to start) on every invocation, invocations every Period, each
// fired up to Jitter late (EventBridge Scheduler fires anywhere within the
// minute: docs/plan.md). A daemon (`cfprewarm warm --every`) is one wave
// per Period with no jitter.
type Schedule struct {
	Waves    int           `json:"waves"`
	Interval time.Duration `json:"-"`
	Period   time.Duration `json:"-"`
	Jitter   time.Duration `json:"-"`
}

// MarshalJSON writes the schedule with its durations in seconds and its
// longest gap.
func (s Schedule) MarshalJSON() ([]byte, error) {
	type sec = stats.Seconds
	return json.Marshal(struct {
		Waves    int `json:"waves"`
		Interval sec `json:"interval_s"`
		Period   sec `json:"period_s"`
		Jitter   sec `json:"jitter_s"`
		MaxGap   sec `json:"max_gap_s"`
	}{s.Waves, sec(s.Interval), sec(s.Period), sec(s.Jitter), sec(s.MaxGap())})
}

// WavesPerMonth is the number of waves sent in 30 days.
func (s Schedule) WavesPerMonth() float64 {
	return float64(s.Waves) * (30 * 24 * time.Hour).Seconds() / s.Period.Seconds()
}

// MaxGap is the longest time between two waves: Interval within an
// invocation, and from the last wave of one invocation to the first of the
// next, Period + Jitter − (Waves − 1) × Interval at worst.
func (s Schedule) MaxGap() time.Duration {
	gap := s.Period + s.Jitter - time.Duration(s.Waves-1)*s.Interval
	if s.Waves > 1 {
		gap = max(gap, s.Interval)
	}
	return gap
}

// cadence returns the Lambda schedule with the fewest waves per
// invocation that never leaves a gap longer than keepAlive − margin, the
// scheduler's worst case included: w = ⌈(Period + Jitter) / G⌉ waves,
// spread evenly over that worst case, (Period + Jitter) / w apart (whole
// seconds), so that every gap keeps as much slack as it can.
func cadence(keepAlive, margin, period, jitter time.Duration, maxWaves int) (Schedule, error) {
	g := keepAlive - margin
	if g < time.Second {
		return Schedule{}, fmt.Errorf("keep-alive %v leaves no time between waves (margin %v)", keepAlive, margin)
	}
	w := int(math.Ceil(float64(period+jitter) / float64(g)))
	w = max(w, 1)
	if w > maxWaves {
		return Schedule{}, fmt.Errorf("keep-alive %v needs %d waves per %v invocation (at most %d): raise the keep-alive or run `cfprewarm warm --every`", keepAlive, w, period, maxWaves)
	}
	s := Schedule{Waves: w, Period: period, Jitter: jitter, Interval: min(20*time.Second, g.Truncate(time.Second))}
	if w > 1 {
		even := float64(period+jitter) / float64(w)
		s.Interval = time.Duration(math.Ceil(even/float64(time.Second))) * time.Second
		s.Interval = max(min(s.Interval, g.Truncate(time.Second)), time.Second)
	}
	return s, nil
}

// daemon is one wave every keepAlive − margin seconds, on a steady clock.
func daemon(keepAlive, margin time.Duration) Schedule {
	p := max((keepAlive - margin).Truncate(time.Second), time.Second)
	return Schedule{Waves: 1, Interval: p, Period: p}
}

// windowWaves returns, for a moment chosen at random, the probability of
// each number of waves in the keepAlive before it: element w is P(W = w).
// It simulates the schedule (with a fixed seed, so plans are repeatable)
// over 2,000 periods.
func (s Schedule) windowWaves(keepAlive time.Duration) []float64 {
	const periods = 2000
	rng := rand.New(rand.NewPCG(1, 1))
	var waves []float64
	for m := range periods {
		start := float64(m) * s.Period.Seconds()
		if s.Jitter > 0 {
			start += rng.Float64() * s.Jitter.Seconds()
		}
		for j := range s.Waves {
			waves = append(waves, start+float64(j)*s.Interval.Seconds())
		}
	}
	slices.Sort(waves)
	k := keepAlive.Seconds()
	from := 3 * s.Period.Seconds()
	to := float64(periods-3) * s.Period.Seconds()
	const step = 0.25
	var counts []float64
	total := 0.0
	for t := from; t < to; t += step {
		hi, _ := slices.BinarySearch(waves, math.Nextafter(t, math.Inf(1))) // waves ≤ t
		lo, _ := slices.BinarySearch(waves, math.Nextafter(t-k, math.Inf(1)))
		n := hi - lo
		for len(counts) <= n {
			counts = append(counts, 0)
		}
		counts[n]++
		total++
	}
	for i := range counts {
		counts[i] /= total
	}
	return counts
}

// coldFactor is E[q^(N·W)]: the share of a POP's cold requests that stay
// cold when waves of n requests arrive on this schedule.
func coldFactor(dist []float64, hosts, n int) float64 {
	q := math.Pow(1-1/float64(hosts), float64(n))
	f := 0.0
	for w, p := range dist {
		f += p * math.Pow(q, float64(w))
	}
	return f
}
