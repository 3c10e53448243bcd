package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/cfprewarm/cfprewarm/warm"
)

func init() {
	register(command{
		name:    "warm",
		summary: "prewarm CloudFront POPs' origin connections (once, or --every D as a daemon)",
		run:     runWarm,
	})
}

const warmAbout = `
Sends each POP --requests requests, each on a new connection to an address
of <dist>.<POP>.cloudfront.net with SNI and Host set to --host, and reports
per POP and wave: requests, errors by kind, latency and the origin-cold
ratio (the share of requests that found no warm origin connection; read it
as how well the previous wave covered the POP). --waves N sends N waves
--wave-interval apart. --every D repeats the run every D until SIGINT or
SIGTERM; a signal lets the wave in progress finish, a second one aborts it.
Exit status: 0 ok (or a daemon stopped by a signal), 1 when requests failed
or the run was interrupted, 2 for bad usage.`

func runWarm(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("warm", "warm [flags] DISTRIBUTION_DOMAIN --pops CODE[,CODE...]", warmAbout, stdout)
	var (
		cfg        warm.Config
		pops       stringList
		headers    stringList
		head       = fs.Bool("head", false, "send HEAD instead of GET")
		every      = fs.Duration("every", 0, "repeat the run every `D` until SIGINT/SIGTERM (0: run once)")
		formatName = fs.String("format", "table", "output: table, json (a line per run) or emf (CloudWatch Embedded Metric Format lines)")
		withReqs   = fs.Bool("with-requests", false, "json: include every request's record")
		namespace  = fs.String("namespace", warm.DefaultNamespace, "emf: CloudWatch namespace")
		verbose    = fs.Bool("v", false, "log each wave to stderr")
	)
	ipVersion := ipVersionFlags(fs, "use the POPs' addresses")
	fs.Var(&pops, "pops", "POP `codes` such as HKG54-C1,FRA56-P3 (comma-separated, repeatable)")
	fs.StringVar(&cfg.Host, "host", "", "SNI and Host of the requests: the custom domain (default: the distribution domain)")
	fs.StringVar(&cfg.Path, "path", warm.DefaultPath, "request `path` and query")
	fs.IntVar(&cfg.RequestsPerPOP, "requests", warm.DefaultRequestsPerPOP, "requests per POP per wave")
	fs.IntVar(&cfg.Concurrency, "concurrency", warm.DefaultConcurrency, "requests in flight at most, over all POPs")
	fs.DurationVar(&cfg.Timeout, "timeout", warm.DefaultTimeout, "time limit of each request")
	fs.IntVar(&cfg.Waves, "waves", warm.DefaultWaves, "waves per run")
	fs.DurationVar(&cfg.WaveInterval, "wave-interval", warm.DefaultWaveInterval, "time from the start of one wave to the start of the next")
	fs.DurationVar(&cfg.KeepAlive, "keepalive", warm.DefaultKeepAlive, "the distribution's origin keep-alive timeout: --wave-interval must be shorter")
	fs.IntVar(&cfg.Port, "port", warm.DefaultPort, "port of the POPs")
	fs.StringVar(&cfg.DNSServer, "dns-server", "", "resolver `host[:port]` to use instead of the system's")
	fs.Var(&headers, "H", "extra request `header` 'Name: value' (repeatable)")
	fs.StringVar(&cfg.CAFile, "cacert", "", "PEM `file` of CA certificates added to the system roots")
	fs.StringVar(&cfg.UserAgent, "user-agent", warm.UserAgent(version), "User-Agent header")

	pos, err := fs.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want exactly one distribution domain (dXXXX.cloudfront.net), got %d arguments (see --help)", len(pos))
	}
	cfg.Distribution = pos[0]
	for _, p := range pops {
		cfg.POPs = append(cfg.POPs, strings.Split(p, ",")...)
	}
	if *head {
		cfg.Method = http.MethodHead
	}
	if cfg.IPVersion, err = ipVersion(); err != nil {
		return err
	}
	if *every < 0 {
		return usagef("--every %v must not be negative", *every)
	}
	// Zero means "the default" to the library; on the command line it is a mistake.
	for _, f := range []struct {
		name string
		zero bool
	}{{"requests", cfg.RequestsPerPOP == 0}, {"concurrency", cfg.Concurrency == 0}, {"waves", cfg.Waves == 0},
		{"timeout", cfg.Timeout == 0}, {"port", cfg.Port == 0}, {"wave-interval", cfg.WaveInterval == 0}, {"keepalive", cfg.KeepAlive == 0}} {
		if f.zero {
			return usagef("--%s must not be 0", f.name)
		}
	}
	write, err := warmWriter(*formatName, *withReqs, *namespace)
	if err != nil {
		return err
	}
	if cfg.Header, err = parseHeaders(headers); err != nil {
		return usageError{err}
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

	// A signal (ctx) stops between waves; requests in flight keep a context
	// of their own, canceled only by a second signal.
	hard, abort := context.WithCancel(context.WithoutCancel(ctx))
	defer abort()
	go abortOnSecondSignal(ctx, hard, abort, stderr)

	var last *warm.Result
	for n := 1; ; n++ {
		start := time.Now()
		last = runner.Run(hard, ctx.Done())
		if err := write(stdout, last); err != nil {
			return err
		}
		if *every == 0 || ctx.Err() != nil {
			break
		}
		next := time.NewTimer(time.Until(start.Add(*every)))
		select {
		case <-ctx.Done():
		case <-next.C:
		}
		next.Stop()
	}
	switch {
	case *every > 0:
		return nil // a daemon stopped by a signal
	case last.Stopped != warm.StopNone:
		return exitError{code: 1, msg: fmt.Sprintf("stopped after %d of %d waves", len(last.Waves), last.WavesPlanned)}
	case last.Total.Errors > 0:
		return exitError{code: 1, msg: fmt.Sprintf("%d of %d requests failed", last.Total.Errors, last.Total.Requests)}
	}
	return nil
}

// warmWriter returns the reporter of the --format.
func warmWriter(name string, withRequests bool, namespace string) (func(io.Writer, *warm.Result) error, error) {
	switch name {
	case "table":
		return warm.WriteTable, nil
	case "json":
		return func(w io.Writer, r *warm.Result) error { return warm.WriteJSON(w, r, withRequests) }, nil
	case "emf":
		return func(w io.Writer, r *warm.Result) error {
			return warm.WriteEMF(w, r, warm.EMFOptions{Namespace: namespace})
		}, nil
	}
	return nil, usagef("--format %q: want table, json or emf", name)
}

// abortOnSecondSignal says, once ctx is done (the first signal), that the
// wave in progress finishes, and aborts it on a second SIGINT or SIGTERM.
// Signals are counted from the start, so a quick double Ctrl-C is not lost.
func abortOnSecondSignal(ctx, hard context.Context, abort context.CancelFunc, stderr io.Writer) {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	done := ctx.Done()
	for n := 0; ; {
		select {
		case <-hard.Done():
			return
		case <-done:
			done = nil
			fmt.Fprintln(stderr, "cfprewarm warm: stopping after the wave in progress (signal again to abort it)")
		case <-sigs:
			if n++; n >= 2 {
				abort()
				return
			}
		}
	}
}
