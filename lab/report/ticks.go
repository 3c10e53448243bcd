package report

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// ticks places about n labelled ticks on round values (1, 2, 2.5 or 5
// times a power of ten), with an unlabelled minor tick between each pair;
// the plotting library's default gives only about three.
type ticks struct{ n int }

var _ plot.Ticker = ticks{}

// Ticks returns the tick marks in [lo, hi].
func (t ticks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return nil
	}
	step := niceStep((hi - lo) / float64(max(t.n, 1)))
	prec := decimals(step)
	var out []plot.Tick
	first := math.Ceil(lo/step-1e-9) * step
	for i := 0; ; i++ {
		v := first + float64(i)*step
		if v > hi+step*1e-9 {
			break
		}
		out = append(out, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', prec, 64)})
		if minor := v + step/2; minor <= hi {
			out = append(out, plot.Tick{Value: minor})
		}
	}
	if minor := first - step/2; minor >= lo {
		out = append(out, plot.Tick{Value: minor})
	}
	return out
}

// niceStep rounds x up to 1, 2, 2.5 or 5 times a power of ten.
func niceStep(x float64) float64 {
	e := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*e >= x*(1-1e-12) {
			return m * e
		}
	}
	return 10 * e
}

// decimals is the number of decimals that shows every multiple of step
// exactly: 0 for 200, 1 for 0.1, 2 for 0.25.
func decimals(step float64) int {
	for p := range 9 {
		v := step * math.Pow(10, float64(p))
		if math.Abs(v-math.Round(v)) < 1e-6*v {
			return p
		}
	}
	return 9
}
