package plan

import (
	"math"
	"slices"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/edgehosts"
	"github.com/cfprewarm/cfprewarm/stats"
)

// model is what the planner knows of a POP before any prewarming: the POP
// as its logs and the model describe it (traffic, host count, region and
// price, cold shares today and with the target keep-alive alone, cold
// penalty), and the numbers the pricing works from.
type model struct {
	pop       POP     // the fields known before prewarming
	coldB     float64 // expected cold requests with the target keep-alive alone
	coldQuota float64 // the same with QuotaKeepAlive, for the options priced at it
	penalty   float64 // a cold request's extra time-to-first-byte, seconds
	base      float64 // warm time-to-first-byte, seconds
}

// observed is what a POP's logs say under the model, before its penalty
// (which may come from every POP's logs) is known.
type observed struct {
	pop              POP // traffic, host count, airport, cold shares (a) and (b)
	coldB, coldQuota float64
	fit              penaltyFit
}

// models returns the model of every POP, in code order, and the penalty
// fitted on every POP's logs (0 when they cannot tell it).
func (pl planner) models(t source) ([]model, float64) {
	codes := t.counts.POPs()
	obs := make([]observed, len(codes))
	for i, code := range codes {
		obs[i] = pl.observe(code, t.counts.pops[code], t.days)
	}
	pooled := pooledPenalty(obs)
	out := make([]model, len(obs))
	for i, o := range obs {
		out[i] = pl.model(o, pooled)
	}
	return out, pooled
}

// observe describes a POP's traffic and applies the model to it: the
// expected cold requests of every second under today's keep-alive (a) and
// the target keep-alive alone (b), and the penalty fit of its
// time-to-first-byte on its cold share (a).
func (pl planner) observe(code string, s *series, days float64) observed {
	cfg := pl.cfg
	pop := POP{Code: code, Hosts: cfg.Hosts, HostsFrom: edgehosts.FromAssumed}
	if e, ok := cfg.HostsByPOP[code]; ok {
		pop.Hosts, pop.HostsFrom = e.Hosts, edgehosts.FromHostsFile
	}
	if a, ok := LookupPOP(code); ok && cloudfront.ValidPOPCode(code) {
		pop.City, pop.Region, pop.Geography = a.City, a.Region, a.Geography
		pop.Price = cfg.Prices.CloudFrontPer10000[a.Geography]
	}
	secs := s.seconds()
	describeTraffic(&pop, secs, days)
	if s.hist != nil {
		pop.TTFBP50 = stats.Seconds(s.hist.quantile(0.5))
		pop.TTFBP90 = stats.Seconds(s.hist.quantile(0.9))
	}

	coldA := expectedCold(secs, cfg.KeepAlive.Seconds(), pop.Hosts)
	coldB := expectedCold(secs, cfg.TargetKeepAlive.Seconds(), pop.Hosts)
	var f penaltyFit
	var sumA, sumB float64
	for i, sec := range secs {
		sumA += coldA[i]
		sumB += coldB[i]
		if sec.ttfbN > 0 {
			f.add(coldA[i]/float64(sec.n), float64(sec.ttfbUS)/float64(sec.ttfbN)/1e6, float64(sec.ttfbN))
		}
	}
	n := float64(pop.Requests)
	pop.Cold.Current, pop.Cold.KeepAlive = sumA/n, sumB/n
	o := observed{pop: pop, coldB: sumB, coldQuota: sumB, fit: f}
	if cfg.TargetKeepAlive != QuotaKeepAlive {
		o.coldQuota = 0
		for _, c := range expectedCold(secs, QuotaKeepAlive.Seconds(), pop.Hosts) {
			o.coldQuota += c
		}
	}
	return o
}

// coldAt is the POP's expected cold requests with keep-alive k alone: case
// (b) at the target keep-alive, or at QuotaKeepAlive.
func (m model) coldAt(k time.Duration) float64 {
	if k == QuotaKeepAlive {
		return m.coldQuota
	}
	return m.coldB
}

// describeTraffic sets what the logs say of a POP's traffic before the
// model: requests, active hours, rates and the gaps between requests.
func describeTraffic(pop *POP, secs []second, days float64) {
	hours := map[int64]bool{}
	var gaps []int64 // per request, seconds since the previous one
	var prev int64 = math.MinInt64
	for _, sec := range secs {
		pop.Requests += int64(sec.n)
		hours[floorDiv(sec.unix, 3600)] = true
		if prev != math.MinInt64 {
			gaps = append(gaps, sec.unix-prev)
		}
		for range sec.n - 1 {
			gaps = append(gaps, 0)
		}
		prev = sec.unix
	}
	pop.ActiveHours = len(hours)
	if days > 0 {
		pop.RequestsPerDay = float64(pop.Requests) / days
	}
	if pop.ActiveHours > 0 {
		pop.RatePerHour = float64(pop.Requests) / float64(pop.ActiveHours)
	}
	if n := float64(len(gaps)); n > 0 {
		var g Gaps
		for _, gap := range gaps {
			switch {
			case gap == 0:
				g.SameSecond++
			case gap <= 5:
				g.UpTo5s++
			case gap <= 60:
				g.UpTo60s++
			case gap <= 300:
				g.UpTo5m++
			default:
				g.Longer++
			}
		}
		g.SameSecond /= n
		g.UpTo5s /= n
		g.UpTo60s /= n
		g.UpTo5m /= n
		g.Longer /= n
		slices.Sort(gaps)
		g.Median = stats.Seconds(time.Duration(gaps[len(gaps)/2]) * time.Second)
		pop.Gaps = g
	}
}

// pooledPenalty is the within-POP fit of every POP's logs together (each
// POP's own mean taken out), or 0 when it is not trusted.
func pooledPenalty(obs []observed) float64 {
	var sxx, sxy, syy float64
	var n, k int64
	for _, o := range obs {
		if o.fit.sw > 0 {
			x, xy, y := o.fit.centered()
			sxx, sxy, syy = sxx+x, sxy+xy, syy+y
			n += o.fit.n
			k += o.fit.k - 1 // one mean per POP taken out
		}
	}
	if sxx > 1e-12 && k > 2 {
		if slope := sxy / sxx; trusted(slope, slopeError(sxx, sxy, syy, k), n) {
			return slope
		}
	}
	return 0
}

// model completes an observed POP with its cold penalty: its own logs'
// when they tell it, else two origin round trips when the configuration
// gives one, else the pooled penalty, else unknown; and its warm
// time-to-first-byte, today's mean less the cold share times the penalty.
func (pl planner) model(o observed, pooled float64) model {
	m := model{pop: o.pop, coldB: o.coldB, coldQuota: o.coldQuota}
	slope, _, se, ok := o.fit.solve()
	switch {
	case ok && trusted(slope, se, o.fit.n):
		m.penalty, m.pop.PenaltyFrom = slope, PenaltyLogs
	case pl.cfg.OriginRTT > 0:
		m.penalty, m.pop.PenaltyFrom = 2*pl.cfg.OriginRTT.Seconds(), PenaltyOriginRTT
	case pooled > 0:
		m.penalty, m.pop.PenaltyFrom = pooled, PenaltyPooled
	}
	m.pop.Penalty = seconds(m.penalty)
	if o.fit.sw > 0 {
		mean := o.fit.sy / o.fit.sw
		m.pop.TTFBMean = seconds(mean)
		m.base = max(mean-m.pop.Cold.Current*m.penalty, 0)
	}
	return m
}
