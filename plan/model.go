package plan

import "math"

// lagShare is the probability that a request lag whole seconds before
// another one's second arrived less than k seconds before it, when both
// sit anywhere in their second, uniformly and independently: the
// difference of two uniform positions is triangular on (−1, 1).
func lagShare(lag int64, k float64) float64 {
	d := k - float64(lag)
	switch {
	case d >= 1:
		return 1
	case d >= 0:
		return 1 - (1-d)*(1-d)/2
	case d > -1:
		return (1 + d) * (1 + d) / 2
	}
	return 0
}

// expectedCold returns, for every second of secs (in time order), the
// expected number of its requests that find no warm origin connection,
// under the model of docs/plan.md: a POP of hosts edge hosts, each new
// viewer connection on one at random, a host's origin connection kept k
// seconds after its last request. A request with n requests in the k
// seconds before it is cold with probability (1 − 1/H)^n; within a second,
// requests are in random order and anywhere in the second.
func expectedCold(secs []second, k float64, hosts int) []float64 {
	q := 1 - 1/float64(hosts)
	out := make([]float64, len(secs))
	full := int64(math.Floor(k - 1)) // lags 1..full lie wholly inside the window
	full = max(full, 0)
	var lnq float64
	if q > 0 {
		lnq = math.Log(q)
	}
	// The lags at the window's edge count in part.
	type edge struct {
		lag int64
		lnf float64 // log of the factor each of its requests contributes
	}
	var edges []edge
	for lag := full + 1; float64(lag) < k+1; lag++ {
		if p := lagShare(lag, k); p > 0 {
			edges = append(edges, edge{lag, math.Log(1 - p*(1-q))})
		}
	}
	var window uint64 // requests in the seconds [s−full, s−1]
	lo := 0
	for i, s := range secs {
		if i > 0 {
			window += uint64(secs[i-1].n)
		}
		for lo < i && secs[lo].unix < s.unix-full {
			window -= uint64(secs[lo].n)
			lo++
		}
		logP := 0.0
		cold := false
		if window > 0 {
			if q == 0 {
				cold = true // one host and a request in the window: always warm
			}
			logP += float64(window) * lnq
		}
		for j := lo - 1; j >= 0 && j >= lo-len(edges)-1; j-- {
			lag := s.unix - secs[j].unix
			for _, e := range edges {
				if e.lag == lag {
					logP += float64(secs[j].n) * e.lnf
				}
			}
		}
		if cold {
			continue // out[i] stays 0
		}
		// The requests of the second itself: the x-th has x before it.
		same := float64(s.n)
		if q < 1 {
			same = (1 - math.Pow(q, float64(s.n))) / (1 - q)
		}
		out[i] = math.Exp(logP) * same
	}
	return out
}

// penaltyFit estimates a cold request's extra time-to-first-byte by
// weighted least squares of each second's mean time-to-first-byte on its
// expected cold share (weight: its requests): the slope is the penalty,
// the intercept the warm time.
type penaltyFit struct {
	sw, sx, sy, sxx, sxy, syy float64
	n                         int64 // requests
	k                         int64 // seconds
}

func (f *penaltyFit) add(x, y, w float64) {
	f.sw += w
	f.sx += w * x
	f.sy += w * y
	f.sxx += w * x * x
	f.sxy += w * x * y
	f.syy += w * y * y
	f.n += int64(w)
	f.k++
}

// centered returns the sums of squares and products about the means.
func (f *penaltyFit) centered() (sxx, sxy, syy float64) {
	if f.sw == 0 {
		return 0, 0, 0
	}
	return f.sxx - f.sx*f.sx/f.sw, f.sxy - f.sx*f.sy/f.sw, f.syy - f.sy*f.sy/f.sw
}

// solve returns the slope, the intercept and the slope's standard error.
func (f *penaltyFit) solve() (slope, intercept, se float64, ok bool) {
	sxx, sxy, syy := f.centered()
	if sxx <= 1e-12 || f.k < 3 {
		return 0, 0, 0, false
	}
	slope = sxy / sxx
	return slope, (f.sy - slope*f.sx) / f.sw, slopeError(sxx, sxy, syy, f.k), true
}

// slopeError is the standard error of a least-squares slope from centered
// sums over k points.
func slopeError(sxx, sxy, syy float64, k int64) float64 {
	rss := max(syy-sxy*sxy/sxx, 0)
	return math.Sqrt(rss / float64(k-2) / sxx)
}

// A fit the planner trusts: enough requests, a positive standard error (a
// time-to-first-byte that never varies fits any slope, rounding noise
// included, with no error at all), a slope of at least minFitPenalty (a
// penalty below a millisecond is no penalty a viewer notices, and below
// it the slope may be only the rounding of the logs' milliseconds) and at
// least four standard errors above 0.
const (
	minFitRequests = 20
	minFitZ        = 4
	minFitPenalty  = 0.001 // seconds
)

func trusted(slope, se float64, n int64) bool {
	return n >= minFitRequests && se > 0 && slope >= minFitPenalty && slope >= minFitZ*se
}
