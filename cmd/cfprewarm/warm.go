package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/cfprewarm/cfprewarm/pace"
	"github.com/cfprewarm/cfprewarm/schedule"
	"github.com/cfprewarm/cfprewarm/warm"
	"github.com/cfprewarm/cfprewarm/warm/format"
)

const warmAbout = `
Sends each POP --requests requests, each on a new connection to an address
of <dist>.<POP>.cloudfront.net with SNI and Host set to --host, and reports
per POP and wave: requests, errors by kind, latency and the origin-cold
ratio (the share of requests that found no warm origin connection; read it
as how well the previous wave covered the POP), and the POP's edge hosts:
those seen and the estimated count, with --requests auto the number of
requests that reaches --coverage of them. --waves N sends N waves
--wave-interval apart. --every D repeats the run every D until SIGINT or
SIGTERM (the table is then one line per wave); a signal lets the wave in
progress finish, a second one aborts it. --metrics-listen ADDR serves the
daemon's Prometheus /metrics and a /healthz that fails when no wave
succeeded for --healthz-window (docs/daemon.md).
Exit status: 0 ok (or a daemon stopped by a signal), 1 when requests failed
or the run was interrupted, 2 for bad usage.`

func runWarm(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("warm", "warm [flags] DISTRIBUTION_DOMAIN --pops CODE[,CODE...] [--client-subnet CIDR]", warmAbout, stdout)
	var (
		cfg        warm.Config
		conn       connFlags
		pops       []string
		every      = fs.Duration("every", 0, "repeat the run every `D` (at least 1s; with --waves N, at least N × --wave-interval) until SIGINT/SIGTERM (0: run once)")
		formatName = fs.String("format", string(format.Table), "output: table, json (a line per run), emf (CloudWatch Embedded Metric Format lines) or summary (per-POP totals, the Lambda's response)")
		opts       format.Options
		verbose    = fs.BoolP("verbose", "v", false, "log each wave to stderr")
		sizing     sizingFlags
		metrics    metricsFlags
	)
	fs.StringSliceVar(&pops, "pops", nil, "POP `codes` such as HKG54-C1,FRA56-P3 (comma-separated, repeatable)")
	fs.StringVar(&cfg.Host, "host", "", "SNI and Host of the requests: the custom domain (default: the distribution domain)")
	fs.StringVar(&cfg.Path, "path", warm.DefaultPath, "request `path` and query")
	sizing.register(fs)
	fs.IntVar(&cfg.Concurrency, "concurrency", warm.DefaultConcurrency, "requests in flight at most, over all POPs")
	fs.IntVar(&cfg.Waves, "waves", warm.DefaultWaves, "waves per run")
	fs.DurationVar(&cfg.WaveInterval, "wave-interval", warm.DefaultWaveInterval, "time from the start of one wave to the start of the next")
	fs.DurationVar(&cfg.KeepAlive, "keepalive", warm.DefaultKeepAlive, "the distribution's origin keep-alive timeout: --wave-interval must be shorter")
	fs.IntVar(&cfg.Port, "port", warm.DefaultPort, "port of the POPs")
	fs.BoolVar(&opts.Requests, "with-requests", false, "json: include every request's record")
	fs.StringVar(&opts.Namespace, "namespace", format.DefaultNamespace, "emf: CloudWatch namespace")
	emfMetrics := fs.String("emf-metrics", string(warm.MetricsLean), "emf: which metrics per POP: lean (OriginColdRatio only, the rest per distribution: POPs + 5 custom metrics) or full (every metric per POP: 7 × POPs + 5)")
	conn.register(fs, "use the POPs' addresses", warm.UserAgent(buildInfo().Short()), warm.DefaultTimeout)
	metrics.register(fs)

	pos, err := fs.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want exactly one distribution domain (dXXXX.cloudfront.net), got %d arguments (see --help)", len(pos))
	}
	if err := checkDistribution(pos[0]); err != nil {
		return err
	}
	if err := conn.check(fs); err != nil {
		return err
	}
	if err := refuseZero(fs, "concurrency", "waves", "port", "wave-interval", "keepalive"); err != nil {
		return err
	}
	if err := sizing.apply(fs, &cfg); err != nil {
		return err
	}
	if err := checkEvery(*every, cfg); err != nil {
		return err
	}
	if msg := everyGapWarning(*every, cfg); msg != "" {
		fmt.Fprintln(stderr, "cfprewarm warm: warning: "+msg)
	}
	if err := metrics.check(fs, *every); err != nil {
		return err
	}
	name, err := format.ParseName(*formatName)
	if err != nil {
		return usageError{err}
	}
	if opts.Metrics, err = warm.ParseMetricLevel(*emfMetrics); err != nil {
		return usagef("--emf-metrics %q: %v", *emfMetrics, err)
	}
	report, err := format.New(name, opts)
	if err != nil {
		return usageError{err}
	}
	if name == format.Table && *every > 0 {
		report = format.WaveLines() // a daemon's log: one line per wave
	}
	cfg.Distribution = pos[0]
	cfg.POPs = splitList(pops)
	cfg.Method = conn.method()
	cfg.UserAgent = conn.userAgent
	cfg.Timeout = conn.timeout
	cfg.DNSServer = conn.dnsServer
	cfg.CAFile = conn.cacert
	cfg.IPVersion = conn.ipVersion()
	if cfg.Header, err = conn.header(); err != nil {
		return err
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelDebug
	}
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	runner, err := warm.NewRunner(cfg)
	if err != nil {
		return usageError{err}
	}
	stopMetrics, err := metrics.start(ctx, cfg.Logger)
	if err != nil {
		return err
	}
	defer stopMetrics()

	// A signal (ctx) stops between waves; requests in flight keep a context
	// of their own, canceled only by a second signal.
	hard, done := finishing(ctx, stderr, "cfprewarm warm: stopping after the wave in progress (signal again to abort it)")
	defer done()

	runs := pace.Constant{Interval: *every}
	if *every == 0 {
		runs.Count = 1
	}
	var last *warm.Result
	var werr error
	pace.Run(ctx, runs, func(int) bool {
		last = runner.Run(hard, ctx)
		metrics.observe(last)
		werr = errors.Join(report(stdout, last), sizing.writeHosts(runner))
		return werr == nil
	})
	switch {
	case werr != nil:
		return werr
	case last == nil:
		return exitError{code: 1, msg: "interrupted before the first run"}
	case *every > 0:
		return nil // a daemon stopped by a signal
	case last.Stopped != warm.StopNone:
		return exitError{code: 1, msg: fmt.Sprintf("stopped after %d of %d waves", len(last.Waves), last.WavesPlanned)}
	case last.Total.Errors > 0:
		return exitError{code: 1, msg: fmt.Sprintf("%d of %d requests failed", last.Total.Errors, last.Total.Requests)}
	}
	return nil
}

// minEvery is the shortest --every: a typo such as 20ms would otherwise send
// hundreds of billed requests a second.
const minEvery = time.Second

// everyGapWarning says when `--every` leaves a gap between waves longer
// than the keep-alive less schedule.DefaultMargin: the runs go on a steady
// clock, so the longest gap is the schedule model's for --waves waves
// --wave-interval apart every D with no lateness; "" when it holds.
func everyGapWarning(every time.Duration, cfg warm.Config) string {
	if every == 0 {
		return ""
	}
	c := cfg.WithDefaults()
	o := schedule.Waves(c.Waves, c.WaveInterval)
	o.Rate, o.Lateness = every, schedule.Lateness{}
	if o.Holds(c.KeepAlive, schedule.DefaultMargin) {
		return ""
	}
	return fmt.Sprintf("--every %v leaves up to %v between waves, more than --keepalive %v less %v: origin connections close between runs (use --every %v or less)",
		every, o.MaxGap(), c.KeepAlive, schedule.DefaultMargin, schedule.Gap(c.KeepAlive, schedule.DefaultMargin))
}

// checkEvery refuses a repeat interval below minEvery or, with several
// waves, shorter than waves × wave interval: the next run's first wave
// would come sooner than the wave interval after this run's last (runs
// never overlap: a late one delays the next). With one wave the wave
// interval plays no part and every is the interval between waves. 0 means
// run once.
func checkEvery(every time.Duration, cfg warm.Config) error {
	if every == 0 {
		return nil
	}
	if every < minEvery {
		return usagef("--every %v: want at least %v (or leave it out to run once)", every, minEvery)
	}
	if waves := cfg.Waves; waves > 1 {
		if run := time.Duration(waves) * cfg.WaveInterval; every < run {
			return usagef("--every %v is shorter than the run it repeats (%d waves × --wave-interval %v): give --every %v or more", every, waves, cfg.WaveInterval, run)
		}
	}
	return nil
}
