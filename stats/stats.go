// Package stats summarizes measurements: the distribution of a set of
// durations (Durations, built with a Sample), a share of counts that may be
// unknown (Ratio), and the unit every JSON and CSV form uses for durations
// (Seconds). It knows nothing about what was measured; the probe's and the
// prewarm engine's summaries are built from it.
package stats

import (
	"encoding/json"
	"math"
	"slices"
	"time"
)

// Seconds is a duration in the unit of every JSON and CSV form: seconds,
// rounded to the microsecond, as in curl's -w timings. A field of this type
// is written as that number and read back from it (fields ending in _s);
// convert with stats.Seconds(d) and time.Duration(s).
type Seconds time.Duration

// Float is the number the JSON and CSV forms write: the seconds, rounded to
// the microsecond.
func (s Seconds) Float() float64 {
	return math.Round(time.Duration(s).Seconds()*1e6) / 1e6
}

// MarshalJSON writes Float.
func (s Seconds) MarshalJSON() ([]byte, error) { return json.Marshal(s.Float()) }

// UnmarshalJSON reads a number of seconds.
func (s *Seconds) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*s = Seconds(FromSeconds(f))
	return nil
}

// FromSeconds converts a number of seconds (Float's) to a duration, to the
// nanosecond.
func FromSeconds(s float64) time.Duration { return time.Duration(math.Round(s * 1e9)) }

// Durations describes a set of durations: count, extremes, percentiles and
// mean. The zero value describes the empty set.
// Its JSON form is MarshalJSON's (seconds, fields ending in _s).
type Durations struct {
	N    int
	Min  time.Duration
	P50  time.Duration
	P90  time.Duration
	P99  time.Duration
	Max  time.Duration
	Mean time.Duration
}

// Sample collects durations to describe. The zero value is empty and ready.
type Sample struct {
	ds []time.Duration
}

// Add adds one duration.
func (s *Sample) Add(d time.Duration) { s.ds = append(s.ds, d) }

// Len is the number of durations added.
func (s *Sample) Len() int { return len(s.ds) }

// Durations describes the sample without changing it.
func (s *Sample) Durations() Durations { return Describe(s.ds) }

// Describe returns min, percentiles (linear interpolation between the
// closest ranks), max and mean of ds. It does not modify ds.
func Describe(ds []time.Duration) Durations {
	if len(ds) == 0 {
		return Durations{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	var sum float64
	for _, d := range s {
		sum += float64(d)
	}
	return Durations{
		N:    len(s),
		Min:  s[0],
		P50:  Percentile(s, 50),
		P90:  Percentile(s, 90),
		P99:  Percentile(s, 99),
		Max:  s[len(s)-1],
		Mean: time.Duration(math.Round(sum / float64(len(s)))),
	}
}

// Percentile returns the p-th percentile (0–100) of sorted, interpolating
// linearly between the closest ranks. sorted must be in ascending order.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := p / 100 * float64(len(sorted)-1)
	lo := max(int(math.Floor(rank)), 0)
	hi := min(int(math.Ceil(rank)), len(sorted)-1)
	frac := rank - float64(lo)
	return sorted[lo] + time.Duration(math.Round(frac*float64(sorted[hi]-sorted[lo])))
}

type durationsJSON struct {
	N    int     `json:"n"`
	Min  Seconds `json:"min_s"`
	P50  Seconds `json:"p50_s"`
	P90  Seconds `json:"p90_s"`
	P99  Seconds `json:"p99_s"`
	Max  Seconds `json:"max_s"`
	Mean Seconds `json:"mean_s"`
}

// MarshalJSON writes the durations in seconds (fields ending in _s).
func (d Durations) MarshalJSON() ([]byte, error) {
	return json.Marshal(durationsJSON{d.N, Seconds(d.Min), Seconds(d.P50), Seconds(d.P90), Seconds(d.P99), Seconds(d.Max), Seconds(d.Mean)})
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (d *Durations) UnmarshalJSON(b []byte) error {
	var j durationsJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	dur := func(s Seconds) time.Duration { return time.Duration(s) }
	*d = Durations{j.N, dur(j.Min), dur(j.P50), dur(j.P90), dur(j.P99), dur(j.Max), dur(j.Mean)}
	return nil
}

// Ratio is Part out of Whole counts, e.g. cold requests out of those whose
// origin state is known. With Whole 0 it is unknown: not zero.
type Ratio struct {
	Part, Whole int
}

// Value returns Part/Whole, and false when the ratio is unknown.
func (r Ratio) Value() (float64, bool) {
	if r.Whole == 0 {
		return 0, false
	}
	return float64(r.Part) / float64(r.Whole), true
}

// Add adds the counts of o.
func (r Ratio) Add(o Ratio) Ratio { return Ratio{r.Part + o.Part, r.Whole + o.Whole} }

// MarshalJSON writes the value as a number, or null when it is unknown.
func (r Ratio) MarshalJSON() ([]byte, error) {
	if v, ok := r.Value(); ok {
		return json.Marshal(v)
	}
	return []byte("null"), nil
}
