package warm

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/cfprewarm/cfprewarm/probe"
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
}

// NewRunner validates cfg, reads the CA file and prepares the POP names.
func NewRunner(cfg Config) (*Runner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	r := &Runner{
		cfg:      cfg,
		resolver: probe.NewResolver(cfg.DNSServer),
		roots:    cfg.RootCAs,
		names:    make(map[string]string, len(cfg.POPs)),
		log:      cfg.Logger,
	}
	if cfg.CAFile != "" {
		roots, err := probe.LoadRootCAs(cfg.CAFile)
		if err != nil {
			return nil, err // "CA file: ..." says what it is
		}
		r.roots = roots
	}
	for _, pop := range cfg.POPs {
		name, err := probe.POPHostname(cfg.Distribution, pop)
		if err != nil { // Validate checked both parts
			return nil, fmt.Errorf("warm: %w", err)
		}
		r.names[pop] = name
	}
	hostport := cfg.Host
	if cfg.Port != 443 {
		hostport = net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	}
	r.url = "https://" + hostport + cfg.Path
	return r, nil
}

// Config returns the configuration with its defaults filled in.
func (r *Runner) Config() Config { return r.cfg }

// Run runs a prewarm with cfg: NewRunner, then Runner.Run without a stop
// channel. The error is non-nil only when the configuration is invalid (a
// *ConfigError) or the CA file cannot be read; failed requests are in the
// Result.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	r, err := NewRunner(cfg)
	if err != nil {
		return nil, err
	}
	return r.Run(ctx, nil), nil
}

// Run runs the configured waves, WaveInterval apart from start to start
// (a wave that overran its interval delays the next one; waves never
// overlap). A wave starts only if its requests can have their full timeout
// before ctx's deadline. When ctx ends, requests in flight are abandoned
// and marked unfinished; closing stop (which may be nil) only prevents
// further waves, so the wave in progress finishes. Run returns what
// finished, with Stopped saying why fewer waves ran than planned.
func (r *Runner) Run(ctx context.Context, stop <-chan struct{}) *Result {
	cfg := r.cfg
	res := &Result{
		Distribution: cfg.Distribution,
		Host:         cfg.Host,
		Path:         cfg.Path,
		Method:       cfg.Method,
		Port:         cfg.Port,
		Start:        time.Now(),
		WavesPlanned: cfg.Waves,
	}
	for i := range cfg.Waves {
		at := res.Start.Add(time.Duration(i) * cfg.WaveInterval)
		if reason := r.waitFor(ctx, stop, at, i+1); reason != StopNone {
			res.Stopped = reason
			r.log.Info("prewarm run stopped early", "reason", string(reason), "waves_done", i, "waves_planned", cfg.Waves)
			break
		}
		res.Waves = append(res.Waves, r.Wave(ctx, i+1))
	}
	res.Duration = time.Since(res.Start)
	res.Total = Summarize(res.requests())
	if res.Stopped == StopNone && res.Total.Unfinished > 0 && ctx.Err() != nil {
		res.Stopped = stopReason(ctx)
	}
	return res
}

// waitFor waits until at, the planned start of wave n, and says whether the
// wave may start.
func (r *Runner) waitFor(ctx context.Context, stop <-chan struct{}, at time.Time, n int) StopReason {
	select {
	case <-stop:
		return StopStopped
	default:
	}
	if ctx.Err() != nil {
		return stopReason(ctx)
	}
	start := at
	if now := time.Now(); start.Before(now) {
		start = now
		if late := now.Sub(at); n > 1 && late > r.cfg.WaveInterval/4 {
			r.log.Warn("prewarm wave starts late: the previous wave took longer than the wave interval",
				"wave", n, "late", late.Round(time.Millisecond), "wave_interval", r.cfg.WaveInterval)
		}
	}
	if dl, ok := ctx.Deadline(); ok && start.Add(r.cfg.Timeout).After(dl) {
		return StopDeadline
	}
	d := time.Until(start)
	if d <= 0 {
		return StopNone
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return stopReason(ctx)
	case <-stop:
		return StopStopped
	case <-timer.C:
		return StopNone
	}
}

func stopReason(ctx context.Context) StopReason {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return StopDeadline
	}
	return StopCanceled
}
