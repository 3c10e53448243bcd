package lab

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/internal/config"
	"github.com/cfprewarm/cfprewarm/internal/loopback/edge"
	"github.com/cfprewarm/cfprewarm/pace"
	"github.com/cfprewarm/cfprewarm/plan"
	"github.com/cfprewarm/cfprewarm/probe"
	"github.com/cfprewarm/cfprewarm/stats"
)

// ArrivalKind is the kind of arrival process of viewer traffic at a POP.
type ArrivalKind string

const (
	Steady  ArrivalKind = "steady"  // Poisson arrivals at a constant rate
	Rare    ArrivalKind = "rare"    // the same, named for a rate well below one per keep-alive
	Bursty  ArrivalKind = "bursty"  // bursts of Size requests within Spread, the bursts Poisson at Rate
	Diurnal ArrivalKind = "diurnal" // Poisson at Rate × (1 + Amplitude · sin(2πt / Period))
	// Session: viewer sessions opened Poisson at Rate, each Size requests on
	// one kept-alive viewer connection, Gap after each response (HTTP
	// keep-alive: every request of a session lands on its edge host).
	Session ArrivalKind = "session"
)

// Arrivals is one POP's viewer traffic, in experiment time (before time
// scaling). Write it as KIND:RATE[,key=value...], RATE as N/s, N/m, N/h or
// N/<duration> (1/90s); keys size and spread (bursty), size and gap
// (session), period and amplitude (diurnal). ParseArrivals reads it, String
// writes it.
type Arrivals struct {
	Kind      ArrivalKind
	Rate      float64       // requests (bursts, sessions) per second
	Size      int           // bursty: requests per burst, default 10; session: requests per session, default 5
	Spread    time.Duration // bursty: a burst's requests within this; default 5s
	Gap       time.Duration // session: from a response to the next request; default 2s
	Period    time.Duration // diurnal: default 24h
	Amplitude float64       // diurnal: 0–1; default 0.9
}

func (a Arrivals) withDefaults() Arrivals {
	if a.Kind == Bursty {
		config.Default(&a.Size, 10)
		config.Default(&a.Spread, 5*time.Second)
	}
	if a.Kind == Session {
		config.Default(&a.Size, 5)
		config.Default(&a.Gap, 2*time.Second)
	}
	if a.Kind == Diurnal {
		config.Default(&a.Period, 24*time.Hour)
		config.Default(&a.Amplitude, 0.9)
	}
	return a
}

// String writes a in the form ParseArrivals reads.
func (a Arrivals) String() string {
	a = a.withDefaults()
	s := string(a.Kind) + ":" + formatRate(a.Rate)
	switch a.Kind {
	case Bursty:
		s += fmt.Sprintf(",size=%d,spread=%v", a.Size, a.Spread)
	case Session:
		s += fmt.Sprintf(",size=%d,gap=%v", a.Size, a.Gap)
	case Diurnal:
		s += fmt.Sprintf(",period=%v,amplitude=%g", a.Period, a.Amplitude)
	}
	return s
}

func formatRate(r float64) string {
	switch {
	case r >= 0.1:
		return strconv.FormatFloat(r, 'g', 4, 64) + "/s"
	case r*60 >= 1:
		return strconv.FormatFloat(r*60, 'g', 4, 64) + "/m"
	}
	return strconv.FormatFloat(r*3600, 'g', 4, 64) + "/h"
}

// ParseArrivals reads KIND:RATE[,key=value...].
func ParseArrivals(spec string) (Arrivals, error) {
	k, rest, _ := strings.Cut(strings.TrimSpace(spec), ":")
	kind := ArrivalKind(k)
	parts := strings.Split(rest, ",")
	a := Arrivals{Kind: kind}
	bad := func(format string, args ...any) (Arrivals, error) {
		return Arrivals{}, fmt.Errorf("traffic %q: "+format, append([]any{spec}, args...)...)
	}
	switch kind {
	case Steady, Rare, Bursty, Diurnal, Session:
	default:
		return bad("kind %q: want steady, rare, bursty, session or diurnal", kind)
	}
	rate, err := parseRate(parts[0])
	if err != nil {
		return bad("%v", err)
	}
	a.Rate = rate
	for _, kv := range parts[1:] {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		var err error
		switch {
		case k == "size" && (kind == Bursty || kind == Session):
			a.Size, err = strconv.Atoi(v)
			if err == nil && (a.Size < 1 || a.Size > 1000) {
				err = errors.New("want 1 to 1000")
			}
		case k == "spread" && kind == Bursty:
			a.Spread, err = time.ParseDuration(v)
			if err == nil && (a.Spread < 0 || a.Spread > MaxSpread) {
				err = fmt.Errorf("want 0s to %v (a burst's requests come after its start)", MaxSpread)
			}
		case k == "gap" && kind == Session:
			a.Gap, err = time.ParseDuration(v)
			if err == nil && (a.Gap < 0 || a.Gap > MaxSpread) {
				err = fmt.Errorf("want 0s to %v", MaxSpread)
			}
		case k == "period" && kind == Diurnal:
			a.Period, err = time.ParseDuration(v)
			if err == nil && (a.Period < time.Second || a.Period > MaxPeriod) {
				err = fmt.Errorf("want 1s to %v", MaxPeriod)
			}
		case k == "amplitude" && kind == Diurnal:
			a.Amplitude, err = strconv.ParseFloat(v, 64)
			if err == nil && (a.Amplitude < 0 || a.Amplitude > 1) {
				err = errors.New("want 0 to 1")
			}
		default:
			return bad("%q is not a setting of %s traffic", k, kind)
		}
		if err != nil {
			return bad("%s=%s: %v", k, v, err)
		}
	}
	a = a.withDefaults()
	if err := a.check(); err != nil {
		return bad("%v", err)
	}
	return a, nil
}

// check reports what makes an arrival process (defaults applied) one the
// lab cannot run.
func (a Arrivals) check() error {
	switch {
	case !(a.Rate >= minRate && a.Rate <= MaxRate):
		return fmt.Errorf("rate %v per second: want one a year to %d a second", a.Rate, MaxRate)
	case (a.Kind == Bursty || a.Kind == Session) && (a.Size < 1 || a.Size > 1000):
		return fmt.Errorf("size %d: want 1 to 1000", a.Size)
	case (a.Kind == Bursty || a.Kind == Session) && a.Rate*float64(a.Size) > MaxRate:
		return fmt.Errorf("%s %ss of %d: more than %d requests per second", formatRate(a.Rate), a.Kind, a.Size, MaxRate)
	case a.Kind == Session && (a.Gap < 0 || a.Gap > MaxSpread):
		return fmt.Errorf("gap %v: want 0s to %v", a.Gap, MaxSpread)
	case a.Kind == Bursty && (a.Spread < 0 || a.Spread > MaxSpread):
		return fmt.Errorf("spread %v: want 0s to %v", a.Spread, MaxSpread)
	case a.Kind == Diurnal && (a.Period < time.Second || a.Period > MaxPeriod):
		return fmt.Errorf("period %v: want 1s to %v", a.Period, MaxPeriod)
	case a.Kind == Diurnal && !(a.Amplitude >= 0 && a.Amplitude <= 1):
		return fmt.Errorf("amplitude %v: want 0 to 1", a.Amplitude)
	}
	return nil
}

// minRate is the slowest rate: one a year.
const minRate = 1.0 / (365 * 24 * 3600)

// Bounds of an arrival process: requests per second (a burst's requests
// counted), a burst's spread, a diurnal period.
const (
	MaxRate   = 1000
	MaxSpread = time.Hour
	MaxPeriod = 30 * 24 * time.Hour
)

// parseRate reads N/s, N/m, N/h or N/<duration>.
func parseRate(s string) (float64, error) {
	num, per, ok := strings.Cut(strings.TrimSpace(s), "/")
	n, err := strconv.ParseFloat(num, 64)
	if !ok || err != nil || !(n > 0) || math.IsInf(n, 0) { // NaN too
		return 0, fmt.Errorf("rate %q: want N/s, N/m, N/h or N/<duration> such as 1/90s", s)
	}
	unit := map[string]time.Duration{"s": time.Second, "m": time.Minute, "min": time.Minute, "h": time.Hour}[per]
	if unit == 0 {
		if unit, err = time.ParseDuration(per); err != nil || unit <= 0 {
			return 0, fmt.Errorf("rate %q: want N/s, N/m, N/h or N/<duration> such as 1/90s", s)
		}
	}
	r := n / unit.Seconds()
	if r > MaxRate {
		return 0, fmt.Errorf("rate %q: at most %d per second", s, MaxRate)
	}
	if r < minRate {
		return 0, fmt.Errorf("rate %q: at least one a year", s)
	}
	return r, nil
}

// times draws the arrivals of d, as offsets from the start, in order.
func (a Arrivals) times(rng *rand.Rand, d time.Duration) []time.Duration {
	a = a.withDefaults()
	end := d.Seconds()
	var out []float64
	switch a.Kind {
	case Bursty:
		for t := rng.ExpFloat64() / a.Rate; t < end; t += rng.ExpFloat64() / a.Rate {
			for range a.Size {
				if u := t + rng.Float64()*a.Spread.Seconds(); u < end {
					out = append(out, u)
				}
			}
		}
	case Diurnal:
		// Thinning: draw at the peak rate, keep each with rate(t)/peak.
		peak := a.Rate * (1 + a.Amplitude)
		for t := rng.ExpFloat64() / peak; t < end; t += rng.ExpFloat64() / peak {
			r := a.Rate * (1 + a.Amplitude*math.Sin(2*math.Pi*t/a.Period.Seconds()))
			if rng.Float64()*peak < r {
				out = append(out, t)
			}
		}
	default:
		for t := rng.ExpFloat64() / a.Rate; t < end; t += rng.ExpFloat64() / a.Rate {
			out = append(out, t)
		}
	}
	sort.Float64s(out)
	ds := make([]time.Duration, len(out))
	for i, t := range out {
		ds[i] = time.Duration(t * float64(time.Second))
	}
	return ds
}

// newProber builds a POP's viewer; tests replace it to make one fail.
var newProber = probe.NewProber

// runSession is one viewer session: a.Size requests on one kept-alive
// connection (a prober of its own with Reuse), a.Gap (time-scaled by k)
// after each response. n numbers the session.
func runSession(ctx context.Context, pc probe.Config, a Arrivals, k float64, n int, record func(probe.Result)) {
	pc.Reuse = true
	p, err := newProber(pc)
	if err != nil {
		record(probe.Result{Error: err.Error()})
		return
	}
	defer p.Close()
	for j := range a.Size {
		if j > 0 && !pace.Sleep(ctx, scaled(a.Gap, k)) {
			return
		}
		record(p.Probe(ctx, n*a.Size+j))
	}
}

// Defaults of a traffic run: the "traffic" profile's short links and 64
// edge hosts per POP keep requests that overlap on one host rare even at
// time scale 40 (docs/plan.md, "Limits").
const (
	DefaultTrafficProfile   = "traffic"
	DefaultTrafficDuration  = 20 * time.Minute
	DefaultTrafficTimeScale = 40
	DefaultTrafficHosts     = 64
	DefaultTrafficKeepAlive = 60 * time.Second
	// TrafficDistributionID names the log files, as a distribution ID
	// names CloudFront's (the AWS documentation's example ID).
	TrafficDistributionID = "EDFDVBD6EXAMPLE"
)

// DefaultTraffic is a mix on a profile's first five POPs, from mostly warm
// to always cold: steady 2.5/s, steady 0.7/s, diurnal, bursty and rare.
func DefaultTraffic(p Profile) map[string]Arrivals {
	mix := []Arrivals{
		{Kind: Steady, Rate: 2.5},
		{Kind: Steady, Rate: 0.7},
		{Kind: Diurnal, Rate: 0.5, Period: 10 * time.Minute, Amplitude: 0.9},
		{Kind: Bursty, Rate: 1.0 / 90, Size: 20, Spread: 10 * time.Second},
		{Kind: Rare, Rate: 1.0 / 60},
	}
	out := map[string]Arrivals{}
	for i, pop := range p.POPs() {
		if i < len(mix) {
			out[pop] = mix[i].withDefaults()
		}
	}
	return out
}

// TrafficConfig describes a run of viewer traffic on the lab's POPs that
// writes CloudFront standard logs.
type TrafficConfig struct {
	Profile string              // default DefaultTrafficProfile
	Traffic map[string]Arrivals // POP → its viewers; default DefaultTraffic
	// Duration is the experiment time to cover (real time is Duration/TimeScale).
	Duration   time.Duration
	TimeScale  float64
	KeepAlive  time.Duration // CloudFront's origin keep-alive, unscaled
	OriginIdle time.Duration // the origin's idle timeout, unscaled; default 75s
	Hosts      int           // edge hosts per POP
	Seed       int64         // arrivals and host assignment; 0 picks one
	// LogDir receives the access logs (required).
	LogDir   string
	OnStatus func(msg string)
}

func (c TrafficConfig) withDefaults() TrafficConfig {
	config.Default(&c.Profile, DefaultTrafficProfile)
	config.Default(&c.Duration, DefaultTrafficDuration)
	config.Default(&c.TimeScale, DefaultTrafficTimeScale)
	config.Default(&c.KeepAlive, DefaultTrafficKeepAlive)
	config.Default(&c.OriginIdle, 75*time.Second)
	config.Default(&c.Hosts, DefaultTrafficHosts)
	if len(c.Traffic) == 0 {
		if p, err := LookupProfile(c.Profile); err == nil {
			c.Traffic = DefaultTraffic(p)
		}
	}
	return c
}

// Validate reports every problem of the configuration.
func (c TrafficConfig) Validate() error { return c.withDefaults().validate() }

func (c TrafficConfig) validate() error {
	var p config.Problems
	prof, err := LookupProfile(c.Profile)
	p.AddErr(err)
	for _, pop := range sortedPOPs(c.Traffic) {
		if err == nil && !slices.Contains(prof.POPs(), pop) {
			p.Add("traffic at %s: profile %s has POPs %s", pop, prof.Name, strings.Join(prof.POPs(), ", "))
		}
		if err := c.Traffic[pop].withDefaults().check(); err != nil {
			p.Add("traffic at %s: %v", pop, err)
		}
	}
	if c.Duration < time.Minute || c.Duration > 30*24*time.Hour {
		p.Add("duration %v: want 1m to 720h of experiment time", c.Duration)
	}
	if c.TimeScale < 1 || c.TimeScale > 1000 {
		p.Add("time scale %v: want 1 to 1000", c.TimeScale)
	}
	if c.KeepAlive < time.Second || c.KeepAlive > 180*time.Second {
		p.Add("keep-alive %v: want 1s to 180s", c.KeepAlive)
	}
	p.Range("hosts", c.Hosts, 1, edge.MaxHosts)
	if c.LogDir == "" {
		p.Add("no log directory")
	}
	return p.Err("lab traffic configuration")
}

func sortedPOPs(m map[string]Arrivals) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TrafficPOP is what one POP's viewers measured.
type TrafficPOP struct {
	POP      string
	Arrivals Arrivals
	Requests int // sent
	OK       int // answered
	Errors   int
	// Cold is the cold share measured through Server-Timing: of the
	// answers that said, those with cdn-upstream-connect > 0.
	Cold stats.Ratio
}

// TrafficReport is a traffic run's result.
type TrafficReport struct {
	Profile   string
	Start     time.Time // experiment time of the start (the logs' clock)
	Duration  time.Duration
	TimeScale float64
	KeepAlive time.Duration
	Hosts     int
	Seed      int64
	POPs      []TrafficPOP
	LogFiles  []string
}

// RunTraffic brings up the lab, sends every POP its viewers' requests (the
// real probe, one new connection each, so each lands on a random edge
// host) on the time-scaled arrival times, and writes the POPs' access logs
// with experiment-time timestamps: the logs of the traffic the run stands
// for, and beside them the cold share each POP really had.
func RunTraffic(ctx context.Context, cfg TrafficConfig) (TrafficReport, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return TrafficReport{}, err
	}
	prof, _ := LookupProfile(cfg.Profile)
	if cfg.Seed == 0 {
		cfg.Seed = rand.Int64N(1<<31) + 1
	}
	k := cfg.TimeScale
	realStart := time.Now()
	expStart := realStart.UTC().Truncate(time.Second)
	clock := func(t time.Time) time.Time {
		return expStart.Add(time.Duration(float64(t.Sub(realStart)) * k))
	}
	logs, err := edge.NewAccessLog(cfg.LogDir, TrafficDistributionID, Distribution, clock)
	if err != nil {
		return TrafficReport{}, fmt.Errorf("lab: %w", err)
	}
	env, err := Start(ctx, EnvConfig{
		Profile: prof, Hosts: cfg.Hosts, Seed: uint64(cfg.Seed), AccessLog: logs,
		KeepAlive: scaled(cfg.KeepAlive, k), OriginIdle: scaled(cfg.OriginIdle, k),
	})
	if err != nil {
		logs.Close()
		return TrafficReport{}, err
	}
	rep := TrafficReport{Profile: prof.Name, Start: expStart, Duration: cfg.Duration, TimeScale: k,
		KeepAlive: cfg.KeepAlive, Hosts: cfg.Hosts, Seed: cfg.Seed}
	if cfg.OnStatus != nil {
		cfg.OnStatus(fmt.Sprintf("profile %s, %v of traffic at time scale %g (%v), keep-alive %v, %d edge hosts per POP, seed %d",
			prof.Name, cfg.Duration, k, scaled(cfg.Duration, k).Round(time.Second), cfg.KeepAlive, cfg.Hosts, cfg.Seed))
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	pops := sortedPOPs(cfg.Traffic)
	rep.POPs = make([]TrafficPOP, len(pops))
	var perr error
	// The POPs run under runCtx, canceled when one cannot start: the POPs
	// already started stop at once rather than after their whole duration.
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	for i, pop := range pops {
		a := cfg.Traffic[pop]
		rep.POPs[i] = TrafficPOP{POP: pop, Arrivals: a}
		pc := env.ProbeConfig()
		pc.Address = net.JoinHostPort(env.POPAddr(pop).String(), strconv.Itoa(env.Port))
		// Each request is a new connection (it lands on a random edge
		// host) but need not be a new key exchange: resumed TLS 1.2
		// sessions keep the viewers' CPU from slowing the POPs and the
		// origin, whose timing is what the logs are read for.
		pc.TLS = probe.TLSTuning{Sessions: tls.NewLRUClientSessionCache(64), MaxVersion: tls.VersionTLS12, Curves: []tls.CurveID{tls.X25519}}
		prober, err := newProber(pc)
		if err != nil {
			perr = fmt.Errorf("lab: viewers of %s: %w", pop, err)
			cancel()
			break
		}
		defer prober.Close()
		rng := rand.New(rand.NewPCG(uint64(cfg.Seed), uint64(i)))
		at := a.times(rng, cfg.Duration)
		for j := range at {
			at[j] = scaled(at[j], k)
		}
		record := func(r probe.Result) {
			mu.Lock()
			defer mu.Unlock()
			tp := &rep.POPs[i]
			tp.Requests++
			switch {
			case !r.OK():
				tp.Errors++
			default:
				tp.OK++
				switch r.Origin {
				case cloudfront.OriginCold:
					tp.Cold = tp.Cold.Add(stats.Ratio{Part: 1, Whole: 1})
				case cloudfront.OriginWarm:
					tp.Cold = tp.Cold.Add(stats.Ratio{Whole: 1})
				}
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var inflight sync.WaitGroup
			pace.Run(runCtx, pace.Offsets(at), func(n int) bool {
				inflight.Add(1)
				go func() {
					defer inflight.Done()
					if a.Kind == Session {
						runSession(runCtx, pc, a, k, n, record)
						return
					}
					record(prober.Probe(runCtx, n))
				}()
				return true
			})
			inflight.Wait()
		}()
	}
	wg.Wait()
	cerr := env.Close()
	lerr := logs.Close()
	rep.LogFiles = logs.Files()
	sort.Strings(rep.LogFiles)
	return rep, errors.Join(perr, ctx.Err(), cerr, lerr)
}

// PlanConfig is the planner's configuration for a run's logs: the run's
// keep-alive and edge hosts, its origin round trip in experiment time (the
// profile's times the time scale, as the logs' durations are), and the
// emulator's origin pool policy (Go's net/http: a request that finds no
// idle connection takes one another request frees before its own is up,
// plan.PoolReuse).
func (r TrafficReport) PlanConfig() plan.Config {
	cfg := plan.DefaultConfig()
	cfg.KeepAlive, cfg.Hosts = r.KeepAlive, r.Hosts
	if p, err := LookupProfile(r.Profile); err == nil {
		cfg.OriginRTT = time.Duration(float64(p.OriginLink.RTT) * r.TimeScale)
	}
	if cfg.OriginRTT > 0 {
		cfg.OriginPool = plan.PoolReuse
	}
	return cfg
}

// PlanCommand is the `cfprewarm plan` command that plans from the run's
// logs in dir as PlanConfig does.
func (r TrafficReport) PlanCommand(dir string) string {
	cfg := r.PlanConfig()
	args := []string{"cfprewarm", "plan", dir, "--keepalive", flagDuration(cfg.KeepAlive), "--hosts", strconv.Itoa(cfg.Hosts)}
	if cfg.OriginRTT > 0 {
		args = append(args, "--origin-rtt", flagDuration(cfg.OriginRTT), "--origin-pool", string(cfg.OriginPool))
	}
	return strings.Join(args, " ")
}

// flagDuration writes a duration for a flag: whole seconds as 60s, others
// as Go writes them (80ms).
func flagDuration(d time.Duration) string {
	if d%time.Second == 0 {
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	return d.String()
}
