package doctor

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/edgehosts"
	"github.com/cfprewarm/cfprewarm/pace"
	"github.com/cfprewarm/cfprewarm/stats"
)

// The effective origin keep-alive K: how long a POP's edge hosts keep an
// idle origin connection, whatever closes it (CloudFront's setting, or an
// origin whose own idle timeout is shorter). A trial warms the POP's hosts
// (a warm-up wave sized for 99% of the estimated hosts), waits g, and
// sends a burst: if g < K the hosts the burst reaches still have their
// connections, if g > K none does. Where the ids name hosts, each host the
// warm-up reached is judged by the first request of the burst to reach it
// (the earliest sent): whatever the POP's pool policy, that one finds an
// idle connection exactly when the host kept one. Later requests to the
// same host say nothing: with nginx's policy they may open connections of
// their own on a warm host, with Go's they may take the connection the
// first one opened on a cold host. The host's idle time is then known
// exactly: from its last warm-up answer to that request, and the trial
// stands for the median of its hosts' (Trial.Age), not for the nominal g.
// Where the ids name no host, the trial is judged by all its answers, at
// g. The search doubles g from MinKeepAlive until a
// trial is cold (or MaxKeepAlive stays warm), then bisects geometrically
// until K is known within Tolerance (the bounds' midpoint is within that
// share of both), MaxTrials trials at most.

// warmThreshold is the share of warm hosts (or answers) above which a
// trial is warm.
const warmThreshold = 0.5

// searchPlan is the most requests and waiting a POP's search may take.
func (c Config) searchPlan() (requests int, wait time.Duration) {
	requests = c.MaxTrials * (c.MaxWarmup + c.Burst)
	g := c.MinKeepAlive
	for range c.MaxTrials {
		wait += g
		g = min(2*g, c.MaxKeepAlive)
	}
	return requests, wait
}

// warmupSize is the warm-up of a POP estimated at hosts hosts.
func (c Config) warmupSize(hosts int) int {
	return min(max(edgehosts.RequestsFor(hosts, 0.99), 8), c.MaxWarmup)
}

// searchKeepAlive finds the POP's effective keep-alive.
func (d *doctor) searchKeepAlive(ctx context.Context, p *POPReport) *KeepAlive {
	cfg := d.cfg
	k := &KeepAlive{}
	hosts := cfg.Hosts
	if p.fit.OK {
		hosts = p.fit.Best
	}
	byHost := p.fit.Verdict.NamesHosts()
	var lo, hi time.Duration // the longest warm and the shortest cold wait so far
	trial := func(g time.Duration) bool {
		t, err := d.trial(ctx, p, g, cfg.warmupSize(hosts), byHost)
		if err != nil {
			k.Why = stepError(err)
			return false
		}
		k.Trials = append(k.Trials, t)
		k.Requests += t.Requests
		if t.Warm {
			lo = max(lo, t.Age)
		} else if hi == 0 || t.Age < hi {
			hi = t.Age
		}
		d.progress(fmt.Sprintf("%s: keep-alive trial %d: %v idle → %s (%.0f%% of %s warm)", p.POP, len(k.Trials), t.Age.Round(time.Millisecond), warmText(t.Warm), 100*t.WarmShare, t.By))
		return true
	}
	for g := cfg.MinKeepAlive; len(k.Trials) < cfg.MaxTrials && hi == 0; g = min(2*g, cfg.MaxKeepAlive) {
		if !trial(g) || g >= cfg.MaxKeepAlive {
			break
		}
	}
	for len(k.Trials) < cfg.MaxTrials && lo > 0 && hi > 0 && !within(lo, hi, cfg.Tolerance) && k.Why == "" {
		if !trial(time.Duration(math.Sqrt(float64(lo) * float64(hi)))) {
			break
		}
	}
	k.WarmAt, k.ColdAt = lo, hi
	switch {
	case lo > 0 && hi > 0 && lo < hi:
		k.K, k.Known = (lo+hi)/2, true
		if !within(lo, hi, cfg.Tolerance) && k.Why == "" {
			k.Why = fmt.Sprintf("between %v and %v: the trials ran out (--max-trials) before ±%.0f%%", round(lo), round(hi), 100*cfg.Tolerance)
		}
	case lo > 0 && hi > 0:
		k.Why = fmt.Sprintf("warm after %v but cold after %v: the POP's answers are not consistent", round(lo), round(hi))
	case hi > 0 && k.Why == "":
		k.Why = fmt.Sprintf("cold even after %v, the shortest wait tried (--min-keepalive): K is shorter, or the warm-ups reached none of the hosts the bursts did", round(hi))
	case lo > 0 && k.Why == "" && lo >= cfg.MaxKeepAlive:
		k.Why = fmt.Sprintf("still warm after %v, the longest wait allowed (--max-keepalive)", round(lo))
	case lo > 0 && k.Why == "":
		k.Why = fmt.Sprintf("still warm after %v when the trials ran out (--max-trials)", round(lo))
	case k.Why == "":
		k.Why = "no trial finished"
	}
	return k
}

// within reports whether the midpoint of [lo, hi] is within tol of both.
func within(lo, hi time.Duration, tol float64) bool {
	return float64(hi-lo) <= tol*float64(hi+lo)
}

func warmText(warm bool) string {
	if warm {
		return "warm"
	}
	return "cold"
}

// trial warms the POP, waits g from the end of the warm-up and sends a
// burst.
func (d *doctor) trial(ctx context.Context, p *POPReport, g time.Duration, warmup int, byHost bool) (Trial, error) {
	t := Trial{Gap: g, Age: g, By: "answers"}
	w, err := d.send.send(ctx, p.DNS.Addrs, warmup)
	p.answers = append(p.answers, w...)
	t.Requests += len(w)
	if err != nil {
		return t, err
	}
	last := map[string]time.Time{} // per host, the end of its last warm-up answer
	for _, a := range w {
		if id := a.res.CloudFront.EdgeHost(); a.ok(p.POP) && id != "" && a.end.After(last[id]) {
			last[id] = a.end
		}
	}
	if !pace.Sleep(ctx, g) {
		return t, ctx.Err()
	}
	b, err := d.send.send(ctx, p.DNS.Addrs, d.cfg.Burst)
	p.answers = append(p.answers, b...)
	t.Requests += len(b)
	if err != nil {
		return t, err
	}
	warm, known := 0, 0
	first := map[string]answer{} // per host, the burst's earliest-sent request
	for _, a := range b {
		if !a.ok(p.POP) || a.res.Origin == cloudfront.OriginUnknown {
			continue
		}
		known++
		if a.res.Origin == cloudfront.OriginWarm {
			warm++
		}
		if id := a.res.CloudFront.EdgeHost(); id != "" {
			if f, ok := first[id]; !ok || a.sent().Before(f.sent()) {
				first[id] = a
			}
		}
	}
	var ages []time.Duration
	warmHosts := 0
	for id, a := range first {
		if w, ok := last[id]; ok && byHost { // a host the warm-up did not reach says nothing
			ages = append(ages, a.sent().Sub(w))
			if a.res.Origin == cloudfront.OriginWarm {
				warmHosts++
			}
		}
	}
	if len(ages) > 0 {
		t.By, t.Age = "hosts", stats.Describe(ages).P50
		t.WarmShare = float64(warmHosts) / float64(len(ages))
		t.Warm = t.WarmShare >= warmThreshold
		return t, nil
	}
	if known == 0 {
		return t, fmt.Errorf("no answer of the burst said warm or cold (no Server-Timing?)")
	}
	t.WarmShare = float64(warm) / float64(known)
	t.Warm = t.WarmShare >= warmThreshold
	return t, nil
}
