package schedule

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// This file checks the closed forms against an independent brute-force
// simulation: invocations at random (and at adversarial) lateness within
// the model, their waves merged, the gaps measured.

const sec = time.Second

// latenessPatterns yields, for n invocations, sequences of lateness within
// l: uniform random, alternating extremes, runs of each extreme, and
// extremes at random.
func latenessPatterns(rng *rand.Rand, l Lateness, n int) [][]time.Duration {
	uniform := func() time.Duration { return l.Min + time.Duration(rng.Float64()*float64(l.Spread())) }
	var out [][]time.Duration
	for p := range 4 {
		seq := make([]time.Duration, n)
		for j := range seq {
			switch p {
			case 0:
				seq[j] = uniform()
			case 1:
				seq[j] = []time.Duration{l.Min, l.Max}[j%2]
			case 2:
				seq[j] = []time.Duration{l.Min, l.Max}[(j/7)%2]
			case 3:
				seq[j] = []time.Duration{l.Min, l.Max, uniform()}[rng.IntN(3)]
			}
		}
		out = append(out, seq)
	}
	return out
}

// maxGap is the longest gap between consecutive times of a sorted list.
func maxGap(times []time.Duration) time.Duration {
	var g time.Duration
	for i := 1; i < len(times); i++ {
		g = max(g, times[i]-times[i-1])
	}
	return g
}

func TestWavesMaxGapBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, l := range []Lateness{EventBridge, {Max: 60 * sec}, {Min: 5 * sec, Max: 30 * sec}, {}} {
		for _, o := range []Option{Waves(1, 0), Waves(3, 20*sec), Waves(4, 20*sec), Waves(3, 40*sec), Waves(3, 44*sec), Waves(2, 65*sec), Waves(5, 50*sec)} {
			o.Lateness = l
			var worst time.Duration
			for _, seq := range latenessPatterns(rng, l, 3000) {
				var waves []time.Duration
				for j, late := range seq {
					for k := range o.Waves {
						waves = append(waves, time.Duration(j)*o.Rate+late+time.Duration(k)*o.Interval)
					}
				}
				slices.Sort(waves)
				worst = max(worst, maxGap(waves))
			}
			// MaxGap bounds every gap; it is reached when the spread lets
			// a wave train overlap the next one's interval.
			reached := l.Spread() >= o.Interval-o.Rate
			if worst > o.MaxGap() || reached && worst != o.MaxGap() {
				t.Errorf("%v, lateness [%v, %v]: simulated longest gap %v, MaxGap %v", o, l.Min, l.Max, worst, o.MaxGap())
			}
		}
	}
	// The numbers the docs quote: with lateness within the minute only
	// (0–60 s), 3 waves 20 s apart leave 80 s and 4 leave 60 s; with the
	// model's 70 s, 3 waves 44 s apart leave 44 s.
	for _, c := range []struct {
		o    Option
		l    Lateness
		want time.Duration
	}{
		{Waves(3, 20*sec), Lateness{Max: 60 * sec}, 80 * sec},
		{Waves(4, 20*sec), Lateness{Max: 60 * sec}, 60 * sec},
		{Waves(3, 40*sec), Lateness{Max: 60 * sec}, 40 * sec},
		{Waves(3, 40*sec), EventBridge, 50 * sec},
		{Waves(3, 44*sec), EventBridge, 44 * sec},
		{Waves(1, 0), EventBridge, 130 * sec},
	} {
		c.o.Lateness = c.l
		if got := c.o.MaxGap(); got != c.want {
			t.Errorf("%v, lateness up to %v: MaxGap %v, want %v", c.o, c.l.Max, got, c.want)
		}
	}
}

// TestAlignedBruteForce runs invocations of the aligned Lambda as the
// Lambda does (Plan at its start, a Ledger per process) and checks that
// the slots they send are the grid: every slot exactly once, so that every
// gap is the period, whatever the lateness within the model; duplicates
// send nothing; late invocations beyond the model miss exactly the slots
// before their start.
func TestAlignedBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for _, period := range []time.Duration{58 * sec, 29 * sec, 37500 * time.Millisecond, 61 * sec, 118 * sec, 178 * sec} {
		o := Aligned(period)
		g := o.Grid()
		start := time.Unix(1_800_000_000, 0)
		const n = 2000
		for p, seq := range latenessPatterns(rng, o.Lateness, n) {
			var l Ledger
			sent := map[time.Time]int{}
			var waves []time.Time
			for j, late := range seq {
				s := start.Add(time.Duration(j) * o.Rate)
				inv := l.Claim(g.Plan(s, s.Add(late)), s.Add(late))
				if inv.Status != OnTime && inv.Status != NoSlot {
					t.Fatalf("P %v pattern %d: invocation %d within the model is %s", period, p, j, inv.Status)
				}
				for _, w := range inv.Due {
					if w.Before(s.Add(late)) {
						t.Fatalf("P %v: a slot before the invocation's start", period)
					}
					sent[w]++
					waves = append(waves, w)
				}
				// A duplicate delivery of the same minute, a little later.
				if rng.IntN(10) == 0 {
					d := s.Add(late + time.Duration(rng.IntN(30))*sec)
					if dup := l.Claim(g.Plan(s, d), d); len(dup.Due) != 0 {
						t.Fatalf("P %v: a duplicate sent %d slots (%s)", period, len(dup.Due), dup.Status)
					}
				}
			}
			// Every slot between the first and the last window's start,
			// found by brute force: step through the period's multiples.
			first := start.Add(o.Lateness.Max)
			last := start.Add(time.Duration(n-1)*o.Rate + o.Lateness.Max + o.Rate)
			want := 0
			for k := first.UnixNano()/int64(period) - 1; ; k++ {
				at := time.Unix(0, k*int64(period))
				if at.Before(first) {
					continue
				}
				if !at.Before(last) {
					break
				}
				want++
				if sent[at.UTC()] != 1 {
					t.Fatalf("P %v pattern %d: slot %v sent %d times", period, p, at, sent[at.UTC()])
				}
			}
			if len(waves) != want {
				t.Errorf("P %v: %d waves sent, %d slots in range", period, len(waves), want)
			}
			slices.SortFunc(waves, func(a, b time.Time) int { return a.Compare(b) })
			var gaps []time.Duration
			for i := range waves {
				gaps = append(gaps, waves[i].Sub(waves[0]))
			}
			if got := maxGap(gaps); got != o.MaxGap() {
				t.Errorf("P %v pattern %d: longest gap %v, MaxGap %v", period, p, got, o.MaxGap())
			}
		}
	}
}

// TestAlignedBeyondTheModel: an invocation later than the model sends only
// the slots still ahead (minus the tolerance), one that is missing leaves
// its slots unsent: the longest gap grows by one period for each slot
// lost, never more.
func TestAlignedBeyondTheModel(t *testing.T) {
	o := Aligned(58 * sec)
	g := o.Grid()
	rng := rand.New(rand.NewPCG(9, 9))
	start := time.Unix(1_800_000_000, 0)
	var waves []time.Duration
	lost := 0
	for j := range 3000 {
		s := start.Add(time.Duration(j) * o.Rate)
		late := time.Duration(rng.Float64() * float64(o.Lateness.Max))
		switch rng.IntN(50) {
		case 0: // missing
			lost += g.Plan(s, s).Owned
			continue
		case 1: // up to a minute beyond the model
			late = o.Lateness.Max + time.Duration(rng.Float64()*float64(time.Minute))
		}
		inv := g.Plan(s, s.Add(late))
		for _, w := range g.Slots(inv.From, inv.To) {
			if w.Add(g.Tolerance).Before(s.Add(late)) == slices.Contains(inv.Due, w) {
				t.Fatalf("slot %v, start %v: sent %v", w, s.Add(late), slices.Contains(inv.Due, w))
			}
		}
		lost += inv.Missed()
		for _, w := range inv.Due {
			waves = append(waves, w.Sub(start))
		}
	}
	slices.Sort(waves)
	over := 0
	for i := 1; i < len(waves); i++ {
		gap := waves[i] - waves[i-1]
		if gap%o.Period != 0 {
			t.Fatalf("gap %v is not a whole number of periods", gap)
		}
		over += int(gap/o.Period) - 1
	}
	if over != lost {
		t.Errorf("%d slots missing from the waves, %d lost by missing and late invocations", over, lost)
	}
}

func TestWindowWavesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, c := range []struct {
		o Option
		k time.Duration
	}{
		{Aligned(58 * sec), 60 * sec},
		{Aligned(29 * sec), 60 * sec},
		{Aligned(178 * sec), 180 * sec},
		{Daemon(20 * sec), 60 * sec},
		{Waves(3, 44*sec), 60 * sec},
		{Waves(3, 40*sec), 60 * sec},
		{Waves(1, 0), 60 * sec},
	} {
		got := c.o.WindowWaves(c.k)
		// Brute force: waves from a different seed; count the waves in the
		// keep-alive before 200,000 random moments.
		var waves []time.Duration
		if c.o.Kind == KindWaves {
			waves = c.o.simulate(rand.New(rand.NewPCG(99, 99)), 5000)
		} else {
			for t := time.Duration(0); t < 5000*time.Minute; t += c.o.Period {
				waves = append(waves, t)
			}
		}
		counts := map[int]float64{}
		const moments = 200_000
		for range moments {
			at := 5*time.Minute + time.Duration(rng.Float64()*float64(4990*time.Minute))
			hi, _ := slices.BinarySearch(waves, at+1)
			lo, _ := slices.BinarySearch(waves, at-c.k+1)
			counts[hi-lo]++
		}
		for w := range max(len(got), len(counts)) {
			p := 0.0
			if w < len(got) {
				p = got[w]
			}
			if b := counts[w] / moments; math.Abs(b-p) > 0.005 {
				t.Errorf("%v, K %v: P(W=%d) = %.4f, brute force %.4f", c.o, c.k, w, p, b)
			}
		}
	}
}

func TestColdShareFloor(t *testing.T) {
	// Evenly spaced waves with B requests in every keep-alive window: the
	// cold share is exactly q^B.
	q := 1 - 1.0/8
	o := Aligned(20 * sec) // three waves in every 60 s window
	for _, n := range []int{5, 12, 20} {
		want := math.Pow(q, float64(3*n))
		if got := o.ColdShare(60*sec, math.Pow(q, float64(n))); math.Abs(got-want) > 1e-12 {
			t.Errorf("N %d: cold %.6g, want q^B = %.6g", n, got, want)
		}
	}
	// And the same requests per keep-alive spread unevenly do worse.
	even := Aligned(58*sec).ColdShare(60*sec, math.Pow(q, 60))
	uneven := Waves(1, 0).ColdShare(60*sec, math.Pow(q, 60))
	if !(uneven > 100*even) {
		t.Errorf("one wave a minute under the model: cold %.4f, aligned %.6f", uneven, even)
	}
}

func TestBilledBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 11))
	wave := 800 * time.Millisecond
	for _, period := range []time.Duration{58 * sec, 29 * sec, 118 * sec, 178 * sec} {
		o := Aligned(period)
		g := o.Grid()
		var sum, worst time.Duration
		noSlot := 0
		const n = 100_000
		for range n {
			s := time.Unix(1_800_000_000+60*rng.Int64N(1_000_000), 0)
			late := time.Duration(rng.Float64() * float64(o.Lateness.Max))
			inv := g.Plan(s, s.Add(late))
			if len(inv.Due) == 0 {
				noSlot++
				sum += MinBilled
				continue
			}
			d := inv.Due[len(inv.Due)-1].Sub(s.Add(late)) + wave
			sum += d
			worst = max(worst, d)
		}
		b := o.Billed(wave)
		if mean := sum / n; (mean - b.Mean).Abs() > 500*time.Millisecond {
			t.Errorf("P %v: billed mean %v, brute force %v", period, b.Mean, mean)
		}
		if worst > b.Max || b.Max-worst > 2*sec {
			t.Errorf("P %v: billed max %v, brute force %v", period, b.Max, worst)
		}
		if share := float64(noSlot) / n; math.Abs(share-b.NoSlot) > 0.01 {
			t.Errorf("P %v: no-slot share %.3f, brute force %.3f", period, b.NoSlot, share)
		}
		if b.Max > o.FunctionTimeout(0) {
			t.Errorf("P %v: billed up to %v, longer than the function timeout %v", period, b.Max, o.FunctionTimeout(0))
		}
	}
}
