package plan

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/cfprewarm/cfprewarm/edgehosts"
	"github.com/cfprewarm/cfprewarm/schedule"
)

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

// fitPoint is one second of the penalty fit: its expected cold share x,
// its mean time-to-first-byte y, and its weight w (requests).
type fitPoint struct{ x, y, w float64 }

// Huber's tuning constant (95 % efficiency on normal errors) and the
// reweighting passes of robustFit.
const (
	huberK       = 1.345
	robustPasses = 8
)

// robustFit is the weighted least-squares fit of the points with Huber's
// weights: a second whose mean time-to-first-byte is far off the line (a
// slow origin response, a machine that stalled) counts as if it were
// huberK robust standard deviations off, so that a few such seconds cannot
// make a penalty of their own. The scale is the weighted median of the
// absolute residuals (× 1.4826); n counts the requests of every point.
func robustFit(pts []fitPoint) penaltyFit {
	h := make([]float64, len(pts)) // Huber weights
	for i := range h {
		h[i] = 1
	}
	fit := func() penaltyFit {
		var f penaltyFit
		for i, p := range pts {
			f.add(p.x, p.y, p.w*h[i])
		}
		f.n = 0
		for _, p := range pts {
			f.n += int64(p.w)
		}
		return f
	}
	f := fit()
	type res struct{ r, w float64 }
	rs := make([]res, len(pts))
	for range robustPasses {
		slope, intercept, _, ok := f.solve()
		if !ok {
			return f
		}
		var total float64
		for i, p := range pts {
			rs[i] = res{math.Abs(p.y - intercept - slope*p.x), p.w}
			total += p.w
		}
		slices.SortFunc(rs, func(a, b res) int { return cmp.Compare(a.r, b.r) })
		var seen, mad float64
		for _, r := range rs {
			if seen += r.w; seen >= total/2 {
				mad = r.r
				break
			}
		}
		scale := 1.4826 * mad
		if scale <= 0 {
			return f
		}
		for i, p := range pts {
			r := math.Abs(p.y - intercept - slope*p.x)
			h[i] = min(1, huberK*scale/max(r, 1e-300))
		}
		f = fit()
	}
	return f
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

// coldWith is the expected number of the POP's viewer requests that stay
// cold with keep-alive k (the target's or QuotaKeepAlive) when waves of n
// requests arrive on a schedule whose keep-alive window holds w waves with
// probability window[w]. A request that found none of its host's origin
// connections idle while m−1 were busy stays cold unless a wave in the
// window sent its host at least m requests, which, sent at once, left m
// connections open there: with W waves of Binomial(n, 1/H) requests to the
// host, that fails with probability P(Binomial(n, 1/H) < m)^W. For m = 1 (a
// host with no connection open) that is (1 − 1/H)^(n·W), the window's
// ColdShare of a wave's miss.
func (m model) coldWith(n int, k time.Duration, window schedule.Window) float64 {
	hosts := m.pop.Hosts
	cold := 0.0
	for busy, c := range m.at(k).need {
		if c == 0 {
			continue
		}
		below := missed(hosts, n)
		if busy > 0 {
			below = binomialCDF(n, 1/float64(hosts), busy)
		}
		cold += c * window.ColdShare(below)
	}
	return cold
}

// requestsForCold is the fewest requests per wave (at most max) with which
// coldWith is at most target; false when even max do not reach it. coldWith
// falls as n grows, so that a bisection finds it.
func (m model) requestsForCold(target float64, k time.Duration, window schedule.Window, max int) (int, bool) {
	if m.coldWith(max, k, window) > target {
		return max, false
	}
	lo, hi := 0, max // coldWith(lo) > target (or lo = 0), coldWith(hi) ≤ target
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if m.coldWith(mid, k, window) <= target {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi, true
}

// binomialCDF is P(Binomial(n, p) ≤ k).
func binomialCDF(n int, p float64, k int) float64 {
	if k >= n || p <= 0 {
		return 1
	}
	if p >= 1 {
		return 0
	}
	q := 1 - p
	pmf := math.Pow(q, float64(n))
	sum := pmf
	for j := 0; j < k; j++ {
		pmf *= float64(n-j) / float64(j+1) * p / q
		sum += pmf
	}
	return min(sum, 1)
}

// requestsFor is the fewest requests per wave that reach a share coverage
// of the POP's hosts and, when its viewers need several origin connections
// of a host at once (POP.ConnectionsPerHost), leave that many open on the
// same share of its hosts: a wave's requests to one host overlap, each
// holding a connection of its own. At most max.
func (m model) requestsFor(coverage float64, max int) int {
	h := m.pop.Hosts
	n := edgehosts.RequestsFor(h, coverage)
	if c := m.pop.ConnectionsPerHost; c > 1 && h > 1 {
		for n < max && 1-binomialCDF(n, 1/float64(h), c-1) < coverage {
			n++
		}
	}
	return min(n, max)
}
