package schedule

import (
	"math"
	"strings"
	"testing"
	"time"
)

// The targets for H = 8 edge hosts and a predicted cold share of
// at most 0.002: billed prewarm requests per POP-month at most the seed's
// 2.59 M with K = 60 s, at most 0.9 M with K = 180 s.
func TestRequestTargets(t *testing.T) {
	for _, c := range []struct {
		keepAlive time.Duration
		limit     float64
	}{{60 * sec, 2.59e6}, {180 * sec, 0.9e6}} {
		o := AlignedFor(c.keepAlive, DefaultMargin)
		n, ok := o.RequestsPerWave(c.keepAlive, 8, 0.002, 1000)
		if !ok {
			t.Fatalf("K %v: no size reaches 0.002", c.keepAlive)
		}
		perMonth := float64(n) * o.WavesPerMonth()
		cold := o.ColdShare(c.keepAlive, math.Pow(7.0/8, float64(n)))
		if perMonth > c.limit || cold > 0.002 {
			t.Errorf("K %v: %d requests per wave, %.0f per POP-month, cold %.5f; want at most %.0f and 0.002", c.keepAlive, n, perMonth, cold, c.limit)
		}
		if fewer := o.ColdShare(c.keepAlive, math.Pow(7.0/8, float64(n-1))); fewer <= 0.002 {
			t.Errorf("K %v: %d requests already reach the target (%.5f): not the fewest", c.keepAlive, n-1, fewer)
		}
		t.Logf("K %v, %v: %d requests per wave, %.2f M per POP-month, predicted cold %.5f", c.keepAlive, o, n, perMonth/1e6, cold)
	}
	// The seed's once-a-minute wave of 60 under the same model is far from
	// the target, and three waves a minute sized for it cost more than
	// the aligned grid.
	seed := Waves(1, 0).ColdShare(60*sec, math.Pow(7.0/8, 60))
	if seed < 0.13 || seed > 0.2 {
		t.Errorf("the seed's cold share %.3f, want 0.13–0.2", seed)
	}
	aligned := AlignedFor(60*sec, DefaultMargin)
	na, _ := aligned.RequestsPerWave(60*sec, 8, 0.002, 1000)
	three, _ := WavesFor(60*sec, DefaultMargin)
	n3, _ := three.RequestsPerWave(60*sec, 8, 0.002, 1000)
	ra, r3 := float64(na)*aligned.WavesPerMonth(), float64(n3)*three.WavesPerMonth()
	if ra >= r3 {
		t.Errorf("aligned %.0f requests a month, %v %.0f: want fewer", ra, three, r3)
	}
	t.Logf("seed cold %.3f; %v: %d per wave, %.2f M a month; aligned/plain %.3f", seed, three, n3, r3/1e6, ra/r3)
}

// Defaults that hold: for every keep-alive CloudFront accepts, the derived
// plain-rule waves and the aligned grid leave no gap over K − margin under
// the model, and the function timeout fits Lambda's 900 s.
func TestDefaultsHold(t *testing.T) {
	for k := 5 * sec; k <= 180*sec; k += sec {
		w, err := WavesFor(k, DefaultMargin)
		if err != nil {
			t.Fatalf("K %v: %v", k, err)
		}
		a := AlignedFor(k, DefaultMargin)
		for _, o := range []Option{w, a, DaemonFor(k, DefaultMargin)} {
			if err := o.Validate(); err != nil || !o.Holds(k, DefaultMargin) || o.FunctionTimeout(2*time.Minute) > 900*sec {
				t.Errorf("K %v: %v: %v, longest gap %v, timeout %v", k, o, err, o.MaxGap(), o.FunctionTimeout(2*time.Minute))
			}
		}
		if fewer := Waves(w.Waves-1, Gap(k, DefaultMargin)); w.Waves > 1 && fewer.Holds(k, DefaultMargin) {
			t.Errorf("K %v: %v holds too: %v is not the fewest", k, fewer, w)
		}
	}
	if _, err := WavesFor(2*sec, DefaultMargin); err == nil {
		t.Error("K 2 s, margin 2 s: want an error")
	}
	w, _ := WavesFor(60*sec, DefaultMargin)
	if w.Waves != 3 || w.Interval != 44*sec || w.MaxGap() != 44*sec {
		t.Errorf("K 60 s: %v, longest gap %v; want 3 waves 44 s apart", w, w.MaxGap())
	}
	// Any count from the fewest up, spread evenly, holds.
	for n := 3; n <= 10; n++ {
		if o := SpreadWaves(n, 60*sec, DefaultMargin); !o.Holds(60*sec, DefaultMargin) {
			t.Errorf("%v: longest gap %v", o, o.MaxGap())
		}
	}
}

func TestFunctionTimeout(t *testing.T) {
	for _, c := range []struct {
		o       Option
		request time.Duration
		want    time.Duration
	}{
		// The window ends 70 + 60 s after the scheduled time; an invocation
		// may start at once: 130 s, a request timeout, the 10 s margin.
		{Aligned(58 * sec), 10 * sec, 150 * sec},
		{Aligned(178 * sec), 10 * sec, 150 * sec},
		{Waves(3, 44*sec), 10 * sec, 108 * sec},
		{Waves(3, 20*sec), 10 * sec, 60 * sec},
		{Waves(1, 0), 10 * sec, 20 * sec},
		{Waves(2, 1500*time.Millisecond), 250 * time.Millisecond, 12 * sec}, // 11.75 s, rounded up
	} {
		if got := c.o.FunctionTimeout(c.request); got != c.want {
			t.Errorf("%v, request timeout %v: %v, want %v", c.o, c.request, got, c.want)
		}
	}
}

func TestWavesPerMonth(t *testing.T) {
	for _, c := range []struct {
		o           Option
		hour, month float64
		invocations float64
	}{
		{Aligned(60 * sec), 60, 43_200, 43_200},
		{Aligned(180 * sec), 20, 14_400, 43_200},
		{Waves(3, 44*sec), 180, 129_600, 43_200},
		{Daemon(30 * sec), 120, 86_400, 0},
	} {
		if h, m, i := c.o.WavesPerHour(), c.o.WavesPerMonth(), c.o.InvocationsPerMonth(); math.Abs(h-c.hour) > 1e-9 || math.Abs(m-c.month) > 1e-6 || i != c.invocations {
			t.Errorf("%v: %v an hour, %v a month, %v invocations; want %v, %v, %v", c.o, h, m, i, c.hour, c.month, c.invocations)
		}
	}
}

func TestValidateAndKinds(t *testing.T) {
	for _, o := range []Option{Aligned(500 * time.Millisecond), Waves(0, sec), Waves(2, 0), Daemon(0), {}, {Kind: KindAligned, Period: sec, Rate: sec, Lateness: Lateness{Min: 2 * sec, Max: sec}}} {
		if err := o.Validate(); err == nil {
			t.Errorf("%+v: valid", o)
		}
	}
	for _, o := range []Option{Aligned(58 * sec), Waves(1, 0), Waves(3, 44*sec), Daemon(sec)} {
		if err := o.Validate(); err != nil {
			t.Errorf("%v: %v", o, err)
		}
	}
	for _, k := range []Kind{KindAligned, KindWaves, KindDaemon} {
		b, err := k.MarshalText()
		var back Kind
		if err != nil || back.UnmarshalText(b) != nil || back != k {
			t.Errorf("%v: %s %v → %v", k, b, err, back)
		}
	}
	if _, err := ParseKind("rule"); err == nil || !strings.Contains(err.Error(), "aligned, waves or daemon") {
		t.Errorf("ParseKind(rule): %v", err)
	}
}

// TestAlignedPer: n waves per keep-alive − margin, on whole seconds.
func TestAlignedPer(t *testing.T) {
	sec := time.Second
	for _, c := range []struct {
		n    int
		k    time.Duration
		want time.Duration
	}{{1, 60 * sec, 58 * sec}, {2, 60 * sec, 29 * sec}, {3, 60 * sec, 19 * sec}, {2, 61 * sec, 29 * sec}, {1, 180 * sec, 178 * sec}, {0, 60 * sec, 58 * sec}, {100, 60 * sec, sec}} {
		if o := AlignedPer(c.n, c.k, DefaultMargin); o.Kind != KindAligned || o.Period != c.want || !o.Holds(c.k, DefaultMargin) {
			t.Errorf("AlignedPer(%d, %v): %+v, want period %v", c.n, c.k, o, c.want)
		}
	}
}
