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
)

// job is one planned request: where it goes and where its record lands.
type job struct {
	rec    *Record
	prober *probe.Prober
}

// Wave sends one wave now: it resolves every POP, sends RequestsPerPOP
// requests to each POP that resolved, spread over its addresses, at most
// Concurrency in flight, and returns the records and their statistics.
// index numbers the wave in the records. Requests not sent or cut off
// because ctx ended are marked unfinished.
func (r *Runner) Wave(ctx context.Context, index int) Wave {
	cfg := r.cfg
	w := Wave{Index: index, Start: time.Now(), POPs: make([]POPResult, len(cfg.POPs))}
	targets := resolveAll(ctx, r.resolver, cfg.DNSServer, r.names, cfg.POPs, cfg.IPVersion, cfg.Timeout)

	var jobs []job
	var probers []*probe.Prober
	for i, t := range targets {
		p := &w.POPs[i]
		*p = POPResult{POP: t.pop, Name: t.name, IPs: t.ips, Requests: make([]Record, cfg.RequestsPerPOP)}
		for s := range p.Requests {
			p.Requests[s] = Record{POP: t.pop, Wave: index, Result: probe.Result{Seq: s + 1, Start: w.Start, URL: r.url}}
		}
		if t.err != nil {
			p.ResolveError = t.err.Error()
			r.failAll(ctx, p, t)
			continue
		}
		pp := make([]*probe.Prober, len(t.ips))
		for k, ip := range t.ips {
			pr, err := probe.NewProber(r.probeConfig(ip))
			if err != nil { // cannot happen with a validated Config; reported, not hidden
				r.log.Error("prewarm: cannot prepare requests", "pop", t.pop, "ip", ip, "err", err)
			}
			pp[k] = pr
			probers = append(probers, pr)
		}
		for s := range p.Requests {
			k := s % len(t.ips)
			p.Requests[s].IP = t.ips[k]
			jobs = append(jobs, job{rec: &p.Requests[s], prober: pp[k]})
		}
	}

	r.send(ctx, jobs)
	for _, pr := range probers {
		if pr != nil {
			pr.Close()
		}
	}

	w.Duration = time.Since(w.Start)
	for i := range w.POPs {
		w.POPs[i].Stats = Summarize(w.POPs[i].Requests)
	}
	w.Total = Summarize(w.records())
	cold, _ := w.Total.OriginColdRatio().Value()
	r.log.Debug("prewarm wave done", "wave", index, "pops", len(w.POPs), "requests", w.Total.Requests,
		"errors", w.Total.Errors, "unfinished", w.Total.Unfinished, "origin_cold_ratio", cold,
		"duration", w.Duration.Round(time.Millisecond))
	return w
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

// send runs the jobs in order with at most Concurrency workers. The order is
// POP by POP, so the requests of one POP go out together and reach many of
// its edge hosts at once.
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
	if ctx.Err() != nil {
		rec.Unfinished = true
		return
	}
	if j.prober == nil {
		rec.Start = time.Now()
		rec.Fail(cloudfront.KindOther, "cannot prepare the request")
		return
	}
	res := j.prober.Probe(ctx, rec.Seq)
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
	}
}
