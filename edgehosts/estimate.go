package edgehosts

import (
	"fmt"
	"math"
)

// The estimator. A prewarm request opens a new connection, and a POP hands
// each new connection to one of its H edge hosts; the model is that it
// picks uniformly at random (the lab's emulator does; CloudFront does not
// say). After n responses that named their host (the id in via), d
// distinct hosts were seen. Under the model the likelihood of H depends on
// the data only through n and d:
//
//	L(H) = H! / (H−d)! / H^n        (H ≥ d)
//
// so d is sufficient and pooling the responses of several waves loses
// nothing. This is the coupon-collector (occupancy) model within a wave,
// and across waves the equal-catchability capture–recapture model M0 with
// sampling with replacement: a "recapture" is an id seen again, in the
// same wave or an earlier one. The Lincoln–Petersen estimator on two waves
// is a less efficient special case. Ĥ is the maximum-likelihood integer,
// and the confidence interval is the likelihood-ratio interval
// {H : 2·(ln L(Ĥ) − ln L(H)) ≤ χ²₁(level)}, which stays sensible for small
// samples and unlike a normal approximation is never below d.
//
// When no id repeats (d = n) the likelihood grows without bound: the ids
// are per request rather than per host, or the POP has far more hosts than
// were sampled (about n²/2 or more). Either way there is no estimate.

// Method names the estimator in a hosts file.
const Method = "mle-occupancy"

// MinResponses is the fewest responses with an id that an estimate needs.
const MinResponses = 20

// DefaultLevel is the confidence level of the interval.
const DefaultLevel = 0.95

// Fit is the estimate from n responses naming d distinct hosts.
type Fit struct {
	Responses int // n: responses that named their edge host
	Distinct  int // d: distinct edge host ids among them
	// OK is false when there is no estimate, or the ids cannot be trusted
	// to name hosts (Verdict.Suspect); Why says why.
	OK   bool
	Why  string
	Best int // Ĥ, the maximum-likelihood host count
	// Low and High bound Ĥ at Level (likelihood ratio).
	Low, High int
	Level     float64

	// Verdict says what the ids seem to name (verdict.go). EstimateHosts
	// tells per-host, per-request, constant and unknown apart from n and d
	// alone; Judge, which sees where each answer came from, also per
	// address, per connection and chained.
	Verdict Verdict
	// Layout is how the ids relate to the POP's addresses (Judge only).
	Layout Layout
	// Addrs is the estimate of each POP address on its own (Judge only),
	// in address order.
	Addrs []AddrFit
	// Hops is the most CloudFront entries one via held (Judge only): 2 or
	// more means the origin is itself behind CloudFront.
	Hops int
}

// EstimateHosts estimates the host count of a POP from n responses naming
// d distinct edge hosts, with a confidence interval at level (0 means
// DefaultLevel).
func EstimateHosts(n, d int, level float64) Fit {
	if level <= 0 || level >= 1 {
		level = DefaultLevel
	}
	f := Fit{Responses: n, Distinct: d, Level: level, Verdict: VerdictUnknown}
	switch {
	case n <= 0 || d <= 0:
		f.Why = "no response named its edge host (no via header with a CloudFront id)"
		return f
	case d > n:
		f.Why = fmt.Sprintf("%d distinct ids in %d responses cannot be", d, n)
		return f
	case d == 1 && n >= MinResponses:
		// One id however many connections: it names no host (or a POP
		// of one host, which nothing here could tell from a constant).
		f.Verdict = VerdictConstant
		f.Why = fmt.Sprintf("constant: one edge host id in %d responses names no host (suspect)", n)
		return f
	case d == n && n >= MinResponses:
		f.Verdict = VerdictPerRequest
		f.Why = fmt.Sprintf("per request: no edge host id repeated in %d responses: the ids are per request, or the POP has far more hosts than requests", n)
		return f
	case d == n || n < MinResponses:
		f.Why = fmt.Sprintf("%d responses are too few (at least %d, with repeated ids)", n, MinResponses)
		return f
	}
	f.Verdict = VerdictPerHost
	ll := func(h int) float64 { return logLikelihood(n, d, h) }
	// ln L rises, then falls: the MLE is the last H whose step up is
	// positive. Bisect on the sign of the step.
	lo, hi := d, MaxHosts // d ≥ 2: step(lo+1) > 0; find the last H with ll(H) > ll(H-1)
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		if ll(mid) > ll(mid-1) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	f.Best = lo
	limit := ll(f.Best) - chiSquare1(level)/2
	// Low: the smallest H in [d, Best] with ll(H) ≥ limit (ll rises there).
	lo, hi = d, f.Best
	for lo < hi {
		mid := lo + (hi-lo)/2
		if ll(mid) >= limit {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	f.Low = lo
	// High: the largest H in [Best, MaxHosts] with ll(H) ≥ limit (ll falls there).
	lo, hi = f.Best, MaxHosts
	if ll(MaxHosts) >= limit {
		f.Verdict = VerdictUnknown
		f.Why = fmt.Sprintf("too few repeated ids among %d responses: the POP may have %d or more hosts", n, MaxHosts)
		return f
	}
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		if ll(mid) >= limit {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	f.High = lo
	f.OK = true
	return f
}

// logLikelihood is ln L(H) = ln H! − ln (H−d)! − n ln H, or −Inf for H < d.
func logLikelihood(n, d, h int) float64 {
	if h < d || h < 1 {
		return math.Inf(-1)
	}
	a, _ := math.Lgamma(float64(h + 1))
	b, _ := math.Lgamma(float64(h - d + 1))
	return a - b - float64(n)*math.Log(float64(h))
}

// chiSquare1 is the level quantile of the χ² distribution with one degree
// of freedom: the square of the normal quantile at (1+level)/2.
func chiSquare1(level float64) float64 {
	z := normalQuantile((1 + level) / 2)
	return z * z
}

// normalQuantile inverts the standard normal distribution by bisection.
func normalQuantile(p float64) float64 {
	lo, hi := -10.0, 10.0
	for range 100 {
		mid := (lo + hi) / 2
		if 0.5*math.Erfc(-mid/math.Sqrt2) < p {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// Coverage is the probability that n requests reach a given one of h
// hosts: 1 − (1 − 1/h)^n, the share of the POP's hosts a wave of n warms
// (in expectation).
func Coverage(h, n int) float64 {
	if h <= 0 || n <= 0 {
		return 0
	}
	return 1 - math.Pow(1-1/float64(h), float64(n))
}

// RequestsFor is the smallest n with Coverage(h, n) ≥ coverage (0 < coverage < 1).
func RequestsFor(h int, coverage float64) int {
	if h <= 1 {
		return 1
	}
	n := int(math.Ceil(math.Log(1-coverage) / math.Log(1-1/float64(h))))
	for n > 1 && Coverage(h, n-1) >= coverage { // floating point: the smallest
		n--
	}
	for Coverage(h, n) < coverage {
		n++
	}
	return n
}
