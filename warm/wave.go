package warm

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/probe"
	"github.com/cfprewarm/cfprewarm/stats"
)

// job is one planned request: where it goes and where its record lands.
type job struct {
	rec    *Record
	prober *keptProber
	lead   chan struct{}   // a leader closes it when done
	after  <-chan struct{} // a follower waits for its leader
}

// Wave sends one wave now: it resolves every POP (and client subnet),
// sizes each POP's requests (sizing.go), spreads them over the POP's
// addresses, sends them with at most Concurrency in flight, learns from
// the answers and returns the records and their statistics. index numbers
// the wave in the records. Requests not sent or cut off because ctx ended
// are marked unfinished.
//
// An address whose prober holds no TLS session yet gets one request first
// (a leader; leaders go first), and the other requests to that address wait
// for its TLS handshake (at most a quarter of the timeout), so that they
// resume its session instead of all doing full handshakes at once.
func (r *Runner) Wave(ctx context.Context, index int) Wave {
	cfg := r.cfg
	w := Wave{Index: index, Start: time.Now()}
	targets := resolveAll(ctx, r.resolver, cfg.DNSServer, r.names, cfg.POPs, cfg.IPVersion, cfg.Timeout)
	if len(cfg.ClientSubnets) > 0 {
		targets = append(targets, resolveSubnets(ctx, cfg, cfg.Timeout)...)
	}
	w.POPs = make([]POPResult, len(targets))

	var leaders, jobs []job
	used := map[proberKey]*keptProber{}
	for i, t := range targets {
		p := &w.POPs[i]
		key := t.pop
		if t.subnet != "" {
			key = t.subnet
		}
		sz := r.state.hosts.plan(key, t.pop, cfg)
		*p = POPResult{POP: key, ClientSubnet: t.subnet, Name: t.name, IPs: t.ips, Sizing: sz, Requests: make([]Record, sz.Requests)}
		for s := range p.Requests {
			p.Requests[s] = Record{POP: t.pop, Wave: index, Result: probe.Result{Seq: s + 1, Start: w.Start, URL: r.url}}
		}
		if t.err != nil {
			p.ResolveError = t.err.Error()
			r.failAll(ctx, p, t)
			continue
		}
		kept := make([]*keptProber, len(t.ips))
		lead := make([]chan struct{}, len(t.ips))
		for k, ip := range t.ips {
			pk := proberKey{key, ip}
			kept[k] = r.prober(pk)
			used[pk] = kept[k]
		}
		for s := range p.Requests {
			k := s % len(t.ips)
			p.Requests[s].IP = t.ips[k]
			j := job{rec: &p.Requests[s], prober: kept[k], after: lead[k]}
			if s < len(t.ips) && !kept[k].resumable(cfg.Host) {
				lead[k] = make(chan struct{})
				j.lead = lead[k]
				leaders = append(leaders, j)
				continue
			}
			jobs = append(jobs, j)
		}
	}
	r.send(ctx, append(leaders, jobs...))
	r.keepProbers(used)

	w.Duration = stats.Seconds(time.Since(w.Start))
	for i := range w.POPs {
		w.POPs[i] = r.learn(w.POPs[i], w.Start)
	}
	w.Total = summarize(w)
	cold, _ := w.Total.OriginColdRatio().Value()
	r.log.Debug("prewarm wave done", "wave", index, "pops", len(w.POPs), "requests", w.Total.Requests,
		"errors", w.Total.Errors, "unfinished", w.Total.Unfinished, "origin_cold_ratio", cold,
		"duration", time.Duration(w.Duration).Round(time.Millisecond))
	return w
}

// learn returns a POP's result completed after its wave: a client-subnet
// target takes the POP that answered it, the statistics are counted, and
// what the answers from the target POP say of their edge hosts (their ids,
// or Config.HostIDHeader's values, with their origin states) goes to the
// State's host model, whose observation (estimate, verdict, reach)
// completes the sizing.
func (r *Runner) learn(p POPResult, start time.Time) POPResult {
	if p.ClientSubnet != "" {
		if by := answeredBy(p.Requests); by != "" {
			p.POP = by
			for i := range p.Requests {
				p.Requests[i].POP = by
			}
		}
	}
	p.Stats = Summarize(p.Requests)
	if p.ResolveError == "" {
		r.state.hosts.learn(p.Target(), p.POP, observations(p.POP, p.Requests, r.cfg.HostIDHeader), start, r.cfg).fill(&p.Sizing)
	}
	return p
}

// failAll records the planned requests of a POP whose name did not
// resolve: each fails with kind dns, as it would have on its own lookup, so
// the POP's error rate is 100%.
func (r *Runner) failAll(ctx context.Context, p *POPResult, t target) {
	unfinished := ctx.Err() != nil
	if !unfinished {
		r.log.Warn("prewarm: POP name does not resolve", "pop", t.pop, "name", t.name, "err", t.err)
	}
	for s := range p.Requests {
		rec := &p.Requests[s]
		rec.Timings = probe.Timings{NameLookup: t.lookup, Connect: t.lookup, AppConnect: t.lookup, StartTransfer: t.lookup, Total: t.lookup}
		rec.Phase = probe.PhaseDNS
		rec.Fail(cloudfront.KindDNS, fmt.Sprintf("%s: %v", probe.PhaseDNS, t.err))
		rec.Unfinished = unfinished
	}
}

// send runs the jobs in order with at most Concurrency workers: the
// leaders first, then POP by POP, so the requests of one POP go out
// together and reach many of its edge hosts at once.
func (r *Runner) send(ctx context.Context, jobs []job) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(r.cfg.Concurrency, len(jobs)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(jobs) {
					return
				}
				r.do(ctx, jobs[i])
			}
		})
	}
	wg.Wait()
}

// do sends one request and fills in its record.
func (r *Runner) do(ctx context.Context, j job) {
	rec := j.rec
	if j.after != nil {
		wait := time.NewTimer(r.cfg.Timeout / 4)
		select {
		case <-j.after:
		case <-wait.C: // the leader's handshake hangs: go on
		case <-ctx.Done():
		}
		wait.Stop()
	}
	var opts []probe.Option
	if j.lead != nil {
		var once sync.Once
		release := func() { once.Do(func() { close(j.lead) }) }
		defer release()
		opts = append(opts, probe.AfterHandshake(release))
	}
	if ctx.Err() != nil {
		rec.Unfinished = true
		return
	}
	res := j.prober.p.Probe(ctx, rec.Seq, opts...)
	if res.OK() && res.Status >= 500 {
		res.Fail(cloudfront.KindStatus5xx, fmt.Sprintf("HTTP status %d", res.Status))
	}
	rec.Result = res
	if rec.Failed() && ctx.Err() != nil {
		rec.Unfinished = true // cut off by the end of the run, not the POP's fault
	}
}

// probeConfig is the probe of one POP address: SNI and Host are the
// configured host, the connection goes to ip.
func (r *Runner) probeConfig(ip netip.Addr) probe.Config {
	cfg := r.cfg
	return probe.Config{
		URL:          r.url,
		Method:       cfg.Method,
		Header:       cfg.Header,
		ServerTiming: true,
		UserAgent:    cfg.UserAgent,
		Address:      netip.AddrPortFrom(ip, uint16(cfg.Port)).String(),
		RootCAs:      r.roots,
		Timeout:      cfg.Timeout,
		MaxBody:      cfg.MaxBody,
		Dial:         cfg.Dial,
		HTTP1:        true, // a new connection per request: HTTP/2 would only cost more
		HostIDHeader: cfg.HostIDHeader,
		TLS:          r.tlsTuning(),
	}
}
