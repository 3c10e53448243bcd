package doctor

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/internal/buildinfo"
	"github.com/cfprewarm/cfprewarm/internal/config"
	"github.com/cfprewarm/cfprewarm/probe"
)

// Plan is what a run may send and wait at most, known before its first
// request: the identification request, per POP the census, the
// kept-connection check and the keep-alive search.
type Plan struct {
	Requests int
	Wait     time.Duration // the keep-alive searches' waits, at most
}

// PlanOf returns the plan of cfg (with its defaults): the number printed
// before the first request and checked against the budget. Without POPs
// the plan counts the one the distribution's name leads to.
func PlanOf(cfg Config) Plan {
	c := cfg.withDefaults()
	pops := max(len(c.POPs), 1)
	per := c.Samples + keptRequests
	var wait time.Duration
	if !c.SkipKeepAlive {
		r, w := c.searchPlan()
		per += r
		wait = time.Duration(pops) * w
	}
	return Plan{Requests: 1 + pops*per, Wait: wait + time.Duration(pops*(c.Lookups-1))*c.LookupGap}
}

// OverBudgetError refuses a run whose plan needs more requests than its
// budget, before any request.
type OverBudgetError struct {
	Plan   Plan
	Budget int
}

func (e *OverBudgetError) Error() string {
	return fmt.Sprintf("the run may send %d billed requests, more than --budget %d: raise --budget, or examine fewer POPs, lower --samples, --max-trials or --max-warmup, or --skip-keepalive", e.Plan.Requests, e.Budget)
}

// doctor is one run.
type doctor struct {
	cfg   Config
	send  *sender
	roots *x509.CertPool
}

// UserAgent is the User-Agent of doctor's requests: it names the tool and
// its version, so that an origin's logs (and plan's prewarm filter) tell
// them from viewers.
func UserAgent(version string) string {
	if version == "" {
		version = "dev"
	}
	return "cfprewarm/" + version + " (doctor; +https://github.com/cfprewarm/cfprewarm)"
}

// Run examines the distribution: what answers, each POP's DNS, edge host
// ids and host count, the effective keep-alive, the cold penalty, and the
// origin's idle timeout with the timeout order. The error is non-nil only
// for an invalid configuration (a *config.Error), a plan over the budget
// (*OverBudgetError) or an unreadable CA file: nothing was sent then.
// When ctx ends the run stops and the report holds what was known
// (Interrupted).
func Run(ctx context.Context, cfg Config) (*Report, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	plan := PlanOf(cfg)
	if plan.Requests > cfg.Budget {
		return nil, &OverBudgetError{Plan: plan, Budget: cfg.Budget}
	}
	d := &doctor{cfg: cfg, roots: cfg.RootCAs}
	if cfg.CAFile != "" {
		roots, err := probe.LoadRootCAs(cfg.CAFile)
		if err != nil {
			return nil, err
		}
		d.roots = roots
	}
	config.Default(&d.cfg.UserAgent, UserAgent(buildinfo.Read("").Short()))
	d.cfg.RootCAs, d.cfg.CAFile = d.roots, ""
	d.send = &sender{cfg: d.cfg, limit: plan.Requests, probers: map[netip.Addr]*probe.Prober{}, url: d.cfg.URL()}
	check, err := probe.NewProber(d.send.probeConfig()) // the probers of the run differ only in address
	if err != nil {
		return nil, fmt.Errorf("doctor: %w", err)
	}
	check.Close()
	defer d.send.close()

	r := &Report{Distribution: cfg.Distribution, Host: cfg.Host, Path: cfg.Path, Port: cfg.Port, Start: time.Now(),
		Budget: Budget{Limit: cfg.Budget, Planned: plan.Requests, MaxWait: plan.Wait}}
	var wg sync.WaitGroup
	if cfg.Origin != "" { // it waits for the origin's close: beside the rest
		wg.Go(func() {
			d.progress("origin: timing the idle timeout of " + cfg.Origin)
			r.Origin = d.originIdle(ctx)
		})
	}
	d.progress("identifying " + d.send.url)
	r.CloudFront = d.identify(ctx)
	pops := cfg.POPs
	if len(pops) == 0 && r.CloudFront.POP != "" {
		pops = []string{r.CloudFront.POP}
	}
	for _, code := range pops {
		if ctx.Err() != nil {
			break
		}
		r.POPs = append(r.POPs, d.examine(ctx, code))
	}
	wg.Wait()
	var k time.Duration
	for _, p := range r.POPs {
		if p.KeepAlive != nil && p.KeepAlive.Known && (k == 0 || p.KeepAlive.K < k) {
			k = p.KeepAlive.K
		}
	}
	r.Order = orderCheck(cfg, k, r.Origin)
	r.Budget.Sent = d.send.Sent()
	r.Duration = time.Since(r.Start)
	r.Interrupted = ctx.Err() != nil
	return r, nil
}

// examine runs the steps of one POP, as far as they go.
func (d *doctor) examine(ctx context.Context, code string) POPReport {
	p := POPReport{POP: code}
	name, err := cloudfront.POPHostname(d.cfg.Distribution, code)
	if err != nil {
		p.Error = err.Error()
		return p
	}
	p.Name = name
	d.progress(code + ": resolving " + name)
	if p.DNS = d.lookupPOP(ctx, name); p.DNS.Error != "" {
		p.Error = p.DNS.Error
		return p
	}
	d.progress(fmt.Sprintf("%s: census of %d requests over %d addresses", code, d.cfg.Samples, p.DNS.Count))
	if err := d.census(ctx, &p); err != nil {
		p.Error = stepError(err)
		p.Penalty = penalty(code, p.answers)
		return p
	}
	if !d.cfg.SkipKeepAlive {
		d.progress(code + ": searching the effective keep-alive")
		p.KeepAlive = d.searchKeepAlive(ctx, &p)
	}
	p.Penalty = penalty(code, p.answers)
	return p
}

// stepError says why a step stopped.
func stepError(err error) string {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return "interrupted"
	}
	return err.Error()
}

func (d *doctor) progress(msg string) {
	if d.cfg.Progress != nil {
		d.cfg.Progress(msg)
	}
}
