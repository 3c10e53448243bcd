package plan

import (
	"maps"
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
	pop        POP     // the fields known before prewarming
	alone      alone   // with the target keep-alive alone, case (b)
	aloneQuota alone   // the same with QuotaKeepAlive, for the options priced at it
	penalty    float64 // a cold request's extra time-to-first-byte, seconds
	base       float64 // warm time-to-first-byte, seconds
}

// observed is what a POP's logs say under the model, before its penalty
// (which may come from every POP's logs) is known.
type observed struct {
	pop               POP // traffic, host count, airport, cold shares (a) and (b)
	alone, aloneQuota alone
	fit               penaltyFit
}

// models returns the model of every POP with viewer requests, in code
// order, and the penalty fitted on every POP's logs (0 when they cannot
// tell it).
//
// Under PoolReuse a request that finds no idle connection waits for a busy
// one that frees before a new one would be up: the model needs the time a
// new connection takes, which is the cold penalty. The POPs are played
// with two origin round trips first; then, where the logs tell a penalty
// (the POP's own, else all POPs'), once more with it.
func (pl planner) models(t source) ([]model, float64) {
	var obs []observed
	for _, code := range t.counts.POPs() {
		if o, ok := pl.observe(code, t.counts.pops[code], t, pl.cfg.dial().Seconds()); ok {
			obs = append(obs, o)
		}
	}
	pooled := pooledPenalty(obs)
	if pl.cfg.OriginPool == PoolReuse {
		for i, o := range obs {
			dial := pooled
			if slope, _, se, ok := o.fit.solve(); ok && trusted(slope, se, o.fit.n) {
				dial = slope
			}
			if dial > 0 {
				obs[i], _ = pl.observe(o.pop.Code, t.counts.pops[o.pop.Code], t, dial)
			}
		}
		pooled = pooledPenalty(obs)
	}
	out := make([]model, len(obs))
	for i, o := range obs {
		out[i] = pl.model(o, pooled)
	}
	return out, pooled
}

// observe describes a POP's traffic and plays the model over it (runPools:
// viewer connections, each edge host's origin connection pool, the logs'
// prewarm requests) under today's keep-alive (a) and the target
// keep-alive alone (b): the expected cold requests of every second, what
// the cold ones of (b) would need of a wave, the connections per host the
// viewers need at once, and the penalty fit of the time-to-first-byte on
// the cold share (a). dial is the time a new origin connection takes
// under PoolReuse (0 under PoolOpen). ok is false for a POP without viewer
// requests (only prewarm requests): nothing to plan.
func (pl planner) observe(code string, s *series, t source, dial float64) (observed, bool) {
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
	describeTraffic(&pop, secs, t.days, t.to.Unix())
	if pop.Requests == 0 {
		return observed{}, false
	}
	if s.hist != nil {
		pop.TTFBP50 = stats.Seconds(s.hist.quantile(0.5))
		pop.TTFBP90 = stats.Seconds(s.hist.quantile(0.9))
	}

	a := runPools(code, secs, cfg.KeepAlive.Seconds(), pop.Hosts, dial)
	b := runPools(code, secs, cfg.TargetKeepAlive.Seconds(), pop.Hosts, dial)
	pts := make([]fitPoint, 0, len(secs))
	for i, sec := range secs {
		if sec.ttfbN > 0 && sec.n > 0 {
			pts = append(pts, fitPoint{a.cold[i] / float64(sec.n), float64(sec.ttfbUS) / float64(sec.ttfbN) / 1e6, float64(sec.ttfbN)})
		}
	}
	f := robustFit(pts)
	n := float64(pop.Requests)
	sumB := b.colds()
	pop.Cold.Current, pop.Cold.KeepAlive = a.colds()/n, sumB/n
	pop.BusyCold = max(sumB-b.need[0], 0) / n
	pop.ConnectionsPerHost = b.connectionsFor(n, 1-cfg.TargetCold)
	o := observed{pop: pop, alone: alone{sumB, b.need}, fit: f}
	o.aloneQuota = o.alone
	if cfg.TargetKeepAlive != QuotaKeepAlive {
		q := runPools(code, secs, QuotaKeepAlive.Seconds(), pop.Hosts, dial)
		o.aloneQuota = alone{q.colds(), q.need}
	}
	return o, true
}

// alone is what a keep-alive alone leaves cold on a POP: the expected cold
// viewer requests, and need[m−1], the part of them that found m−1 of their
// host's origin connections busy and none idle (poolRun.need): what a wave
// must leave open on a host to warm them.
type alone struct {
	cold float64
	need []float64
}

// at is what keep-alive k alone leaves cold on the POP: case (b) at the
// target keep-alive, or at QuotaKeepAlive.
func (m model) at(k time.Duration) alone {
	if k == QuotaKeepAlive {
		return m.aloneQuota
	}
	return m.alone
}

// coldAt is the POP's expected cold requests with keep-alive k alone.
func (m model) coldAt(k time.Duration) float64 { return m.at(k).cold }

// describeTraffic sets what the logs say of a POP's traffic before the
// model: requests (viewers' and prewarm), viewer connections, active
// hours, rates and the gaps between requests. end is the end of the
// period (Unix seconds). It holds nothing per request: a counts file's
// second may stand for billions.
func describeTraffic(pop *POP, secs []second, days float64, end int64) {
	gaps := map[int64]uint64{} // requests by the seconds since the POP's previous one
	var opened uint64
	var active int64 // seconds within an hour after a request
	var prev int64 = math.MinInt64
	for _, sec := range secs {
		pop.PrewarmRequests += int64(sec.prewarm)
		if sec.n == 0 {
			continue
		}
		pop.Requests += int64(sec.n)
		opened += sec.newViewers
		if prev != math.MinInt64 {
			gaps[sec.unix-prev]++
			active += min(sec.unix-prev, 3600)
		}
		if sec.n > 1 {
			gaps[0] += sec.n - 1
		}
		prev = sec.unix
	}
	if prev != math.MinInt64 {
		active += min(max(end-prev, 1), 3600)
	}
	pop.ActiveHours = float64(active) / 3600
	if opened > 0 {
		pop.RequestsPerConnection = float64(pop.Requests) / float64(opened)
	}
	if days > 0 {
		pop.RequestsPerDay = float64(pop.Requests) / days
	}
	if pop.ActiveHours > 0 {
		pop.RatePerHour = float64(pop.Requests) / pop.ActiveHours
	}
	var total uint64
	var g Gaps
	for gap, count := range gaps {
		n := float64(count)
		total += count
		switch {
		case gap == 0:
			g.SameSecond += n
		case gap <= 5:
			g.UpTo5s += n
		case gap <= 60:
			g.UpTo60s += n
		case gap <= 300:
			g.UpTo5m += n
		default:
			g.Longer += n
		}
	}
	if total == 0 {
		return
	}
	n := float64(total)
	g.SameSecond /= n
	g.UpTo5s /= n
	g.UpTo60s /= n
	g.UpTo5m /= n
	g.Longer /= n
	var seen uint64
	for _, gap := range slices.Sorted(maps.Keys(gaps)) {
		if seen += gaps[gap]; seen > total/2 {
			g.Median = stats.Seconds(time.Duration(gap) * time.Second)
			break
		}
	}
	pop.Gaps = g
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
	m := model{pop: o.pop, alone: o.alone, aloneQuota: o.aloneQuota}
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
