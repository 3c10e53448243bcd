package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/cfprewarm/cfprewarm/warm"
	"github.com/cfprewarm/cfprewarm/warm/promexport"
)

// metricsFlags are warm's --metrics-listen and --healthz-window: the
// daemon's Prometheus /metrics and /healthz (package warm/promexport).
type metricsFlags struct {
	listen string
	window time.Duration
	exp    *promexport.Exporter // set by start
}

func (m *metricsFlags) register(fs *flagSet) {
	fs.StringVar(&m.listen, "metrics-listen", "", "with --every: serve Prometheus /metrics and /healthz on `ADDR` (host:port; :9090 for every interface)")
	fs.DurationVar(&m.window, "healthz-window", 0, "/healthz answers 503 when no wave succeeded (every POP answered at least once) for `D` (default 3 × --every)")
}

// check refuses the flags without a daemon to watch, and a window no
// longer than the time between runs (it would fail between two good runs).
func (m *metricsFlags) check(fs *flagSet, every time.Duration) error {
	if m.listen == "" {
		if fs.Changed("healthz-window") {
			return usagef("--healthz-window needs --metrics-listen")
		}
		return nil
	}
	if every == 0 {
		return usagef("--metrics-listen needs --every: a single run ends before anyone scrapes it")
	}
	_, port, err := net.SplitHostPort(m.listen)
	if _, perr := strconv.ParseUint(port, 10, 16); err != nil || perr != nil {
		return usagef("--metrics-listen %q: want host:port or :port", m.listen)
	}
	if !fs.Changed("healthz-window") {
		m.window = promexport.DefaultWindow(every)
	} else if m.window <= every {
		return usagef("--healthz-window %v must be longer than --every %v (3 × --every tolerates two failed runs)", m.window, every)
	}
	return nil
}

// start listens on --metrics-listen and serves until the returned stop is
// called; without the flag it does nothing.
func (m *metricsFlags) start(ctx context.Context, log *slog.Logger) (stop func(), err error) {
	if m.listen == "" {
		return func() {}, nil
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", m.listen)
	if err != nil {
		return nil, fmt.Errorf("--metrics-listen: %w", err)
	}
	m.exp = promexport.New(m.window)
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx)) // serve while the last wave finishes
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := m.exp.Serve(sctx, ln); err != nil {
			log.Error("metrics listener stopped", "addr", ln.Addr().String(), "err", err)
		}
	}()
	log.Info("serving metrics", "addr", ln.Addr().String(), "metrics", promexport.MetricsPath,
		"healthz", promexport.HealthPath, "healthz_window", m.window.String())
	return func() { cancel(); <-done }, nil
}

// observe feeds a run's result to the exporter, if there is one.
func (m *metricsFlags) observe(res *warm.Result) {
	if m.exp != nil {
		m.exp.Observe(res)
	}
}
