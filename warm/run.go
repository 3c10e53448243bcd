package warm

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/edgehosts"
	"github.com/cfprewarm/cfprewarm/pace"
	"github.com/cfprewarm/cfprewarm/probe"
	"github.com/cfprewarm/cfprewarm/stats"
)

// Runner runs prewarm waves for one validated Config. Keep one across runs
// (cfprewarm warm --every): the CA file is read once.
type Runner struct {
	cfg      Config
	resolver *net.Resolver
	roots    *x509.CertPool
	names    map[string]string // POP code → DNS name
	url      string
	log      *slog.Logger
	state    *State

	mu      sync.Mutex
	probers map[proberKey]*keptProber // kept across waves (probers.go)
}

// NewRunner applies the defaults, validates cfg, reads the CA file,
// prepares the POP names and checks the requests can be prepared.
func NewRunner(cfg Config) (*Runner, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	r := &Runner{
		cfg:      cfg,
		resolver: probe.NewResolver(cfg.DNSServer),
		roots:    cfg.RootCAs,
		names:    make(map[string]string, len(cfg.POPs)),
		log:      cfg.Logger,
		state:    cfg.State,
		probers:  map[proberKey]*keptProber{},
	}
	if r.state == nil {
		r.state = NewState()
	}
	if cfg.CAFile != "" {
		roots, err := probe.LoadRootCAs(cfg.CAFile)
		if err != nil {
			return nil, err // "CA file: ..." says what it is
		}
		r.roots = roots
	}
	for _, pop := range cfg.POPs {
		name, err := cloudfront.POPHostname(cfg.Distribution, pop)
		if err != nil { // validate checked both parts
			return nil, fmt.Errorf("warm: %w", err)
		}
		r.names[pop] = name
	}
	hostport := cfg.Host
	if cfg.Port != 443 {
		hostport = net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	}
	r.url = "https://" + hostport + cfg.Path
	// The probers of the waves differ only in their address: preparing one
	// now checks the probe configuration once, so that theirs cannot fail.
	p, err := probe.NewProber(r.probeConfig(netip.IPv6Loopback()))
	if err != nil {
		return nil, fmt.Errorf("warm: %w", err)
	}
	p.Close()
	return r, nil
}

// Config returns the configuration with its defaults filled in.
func (r *Runner) Config() Config { return r.cfg }

// HostsFile returns what the waves so far learned of the POPs' edge hosts,
// as the hosts file (State.HostsFile).
func (r *Runner) HostsFile() edgehosts.File { return r.state.HostsFile(r.cfg.KnownHosts, r.cfg.Hosts) }

// Run runs a prewarm with cfg: NewRunner, then Runner.Run with no separate
// stop. The error is non-nil only when the configuration is invalid (a
// *config.Error) or the CA file cannot be read; failed requests are in the
// Result.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	r, err := NewRunner(cfg)
	if err != nil {
		return nil, err
	}
	return r.Run(ctx, nil), nil
}

// Run runs the configured waves, WaveInterval apart from start to start
// (pace.Constant: a wave that overran its interval delays the next one;
// waves never overlap). A wave starts only if its requests can have their
// full timeout before ctx's deadline.
//
// A run is stopped through contexts only. When ctx ends, requests in flight
// are abandoned and marked unfinished. When stop (which may be nil) ends,
// no further wave starts but the wave in progress finishes. Run returns
// what finished, with Stopped saying why fewer waves ran than planned.
func (r *Runner) Run(ctx, stop context.Context) *Result {
	return r.run(ctx, stop, time.Now(), pace.Constant{Interval: r.cfg.WaveInterval, Count: r.cfg.Waves}, r.cfg.Waves, r.cfg.WaveInterval/4)
}

// RunAt runs one wave at each of the given times, in order (the slots of
// an aligned schedule: package schedule), instead of Waves × WaveInterval.
// A time already past starts its wave at once. It stops as Run does; with
// no time it returns an empty Result at once.
func (r *Runner) RunAt(ctx, stop context.Context, at []time.Time) *Result {
	start := time.Now()
	offsets := make(pace.Offsets, len(at))
	for i, t := range at {
		offsets[i] = t.Sub(start)
	}
	return r.run(ctx, stop, start, offsets, len(at), time.Second)
}

// duePacer is a pacer that says when each hit is due.
type duePacer interface {
	pace.Pacer
	Due(n int) time.Duration
}

// run runs the waves p paces, planned of them, warning about a wave that
// starts more than lateBy after its time.
func (r *Runner) run(ctx, stop context.Context, start time.Time, p duePacer, planned int, lateBy time.Duration) *Result {
	cfg := r.cfg
	res := &Result{
		Distribution: cfg.Distribution,
		Host:         cfg.Host,
		Path:         cfg.Path,
		Method:       cfg.Method,
		Port:         cfg.Port,
		HostIDHeader: cfg.HostIDHeader,
		Start:        start,
		WavesPlanned: planned,
	}
	sched, cancel := r.schedule(ctx, stop)
	defer cancel()
	err := pace.Run(sched, p, func(n int) bool {
		if late := time.Since(res.Start) - p.Due(n); n > 1 && late > lateBy {
			r.log.Warn("prewarm wave starts late: the previous wave took longer than the time between waves",
				"wave", n, "late", late.Round(time.Millisecond), "wave_interval", cfg.WaveInterval)
		}
		res.Waves = append(res.Waves, r.Wave(ctx, n))
		return true
	})
	switch {
	case err == nil:
	case ctx.Err() != nil:
		res.Stopped = stopReason(ctx)
	case stop != nil && stop.Err() != nil:
		res.Stopped = StopStopped
	default: // the schedule's own deadline: no wave fits before ctx's
		res.Stopped = StopDeadline
	}
	if res.Stopped != StopNone {
		r.log.Info("prewarm run stopped early", "reason", string(res.Stopped), "waves_done", len(res.Waves), "waves_planned", planned)
	}
	res.Duration = stats.Seconds(time.Since(res.Start))
	res.Total = summarize(res.Waves...)
	if res.Stopped == StopNone && res.Total.Unfinished > 0 && ctx.Err() != nil {
		res.Stopped = stopReason(ctx)
	}
	return res
}

// schedule is the context waves are started under: it ends with ctx, with
// stop, and one request timeout before ctx's deadline, so that a wave only
// starts when its requests can have their full timeout.
func (r *Runner) schedule(ctx, stop context.Context) (context.Context, context.CancelFunc) {
	sched, cancel := context.WithCancel(ctx)
	if dl, ok := ctx.Deadline(); ok {
		var cancelDL context.CancelFunc
		sched, cancelDL = context.WithDeadline(sched, dl.Add(-r.cfg.Timeout))
		prev := cancel
		cancel = func() { cancelDL(); prev() }
	}
	if stop != nil {
		unhook := context.AfterFunc(stop, cancel)
		prev := cancel
		cancel = func() { unhook(); prev() }
	}
	return sched, cancel
}

func stopReason(ctx context.Context) StopReason {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return StopDeadline
	}
	return StopCanceled
}
