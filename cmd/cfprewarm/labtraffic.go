package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cfprewarm/cfprewarm/accesslog"
	"github.com/cfprewarm/cfprewarm/lab"
	"github.com/cfprewarm/cfprewarm/plan"
)

const labTrafficAbout = `
Sends viewer traffic to the lab's emulated POPs, each POP its own arrival
process (--traffic POP=KIND:RATE[,key=value]: steady:2/s, rare:1/10m,
bursty:1/5m,size=20,spread=10s, diurnal:0.5/s,period=24h,amplitude=0.9,
session:1/m,size=5,gap=2s), every request on a new connection like a real
viewer's (a session's on one kept-alive connection), time-scaled like the
lab's scenarios. The POPs write CloudFront standard logs into --logs
(33-field W3C, gzip, hourly files per POP, times and durations in
experiment time), and the viewers measure through Server-Timing which
requests found no warm origin connection. At the end 'cfprewarm plan'
reads the logs and its predicted cold share is printed beside the
measured one, with the plan command that predicts it.`

func runLabTraffic(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("lab traffic", "lab traffic --logs DIR [flags]", labTrafficAbout, stdout)
	var (
		cfg     lab.TrafficConfig
		traffic []string
	)
	fs.StringVar(&cfg.LogDir, "logs", "", "write the access logs into `DIR` (created if missing; required)")
	fs.StringVar(&cfg.Profile, "profile", lab.DefaultTrafficProfile, "geography: "+strings.Join(lab.ProfileNames(), ", "))
	fs.StringArrayVar(&traffic, "traffic", nil, "`POP=KIND:RATE[,key=value...]` one POP's viewers (repeatable; default: a mix on the profile's POPs)")
	fs.DurationVar(&cfg.Duration, "duration", lab.DefaultTrafficDuration, "experiment time to cover, before time scaling")
	fs.Float64Var(&cfg.TimeScale, "time-scale", lab.DefaultTrafficTimeScale, "divide every timeout and interval by `K` (never the round-trip times)")
	fs.DurationVar(&cfg.KeepAlive, "keepalive", lab.DefaultTrafficKeepAlive, "CloudFront's origin keep-alive, before time scaling")
	fs.IntVar(&cfg.Hosts, "hosts", lab.DefaultTrafficHosts, "edge hosts per POP, each with its own origin connection pool")
	fs.Int64Var(&cfg.Seed, "seed", 0, "random `seed` of the arrivals and the edge hosts' draws (0: a random one, printed)")
	pos, err := fs.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if cfg.LogDir == "" {
		return usagef("--logs DIR is required: where the POPs write their access logs")
	}
	if err := checkEmptyDir("--logs", cfg.LogDir); err != nil {
		return err
	}
	if err := refuseZero(fs, "duration", "time-scale", "keepalive", "hosts"); err != nil {
		return err
	}
	for _, t := range traffic {
		pop, spec, ok := strings.Cut(t, "=")
		if !ok {
			return usagef("--traffic %q: want POP=KIND:RATE, e.g. HKG62-C1=steady:1/s", t)
		}
		a, err := lab.ParseArrivals(spec)
		if err != nil {
			return usageError{err}
		}
		if cfg.Traffic == nil {
			cfg.Traffic = map[string]lab.Arrivals{}
		}
		cfg.Traffic[strings.ToUpper(strings.TrimSpace(pop))] = a
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err}
	}
	cfg.OnStatus = func(msg string) { fmt.Fprintf(stderr, "lab traffic: %s\n", msg) }

	// A signal (ctx) stops the traffic; the logs written so far are still
	// read, under a context of their own that a second signal cancels.
	hard, done := finishing(ctx, stderr, "cfprewarm lab traffic: stopping; the logs written so far are read (signal again to skip)")
	defer done()

	start := time.Now()
	rep, err := lab.RunTraffic(ctx, cfg)
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	predicted := map[string]float64{}
	var sum accesslog.Summary
	if len(rep.LogFiles) > 0 {
		// This run's files only: nothing else is in the directory, but
		// something could be put there while the run lasts.
		p, perr := plan.Run(hard, plan.Input{Logs: accesslog.Config{Inputs: rep.LogFiles}}, rep.PlanConfig())
		var none *plan.NoRequestsError
		switch {
		case errors.As(perr, &none):
			sum = none.Logs
			fmt.Fprintf(stderr, "cfprewarm lab traffic: the logs have no usable request: no prediction\n")
		case perr != nil:
			fmt.Fprintf(stderr, "cfprewarm lab traffic: plan: %v\n", perr)
		default:
			sum = *p.Logs
			for _, pop := range p.POPs {
				predicted[pop.Code] = pop.Cold.Current
			}
		}
		for _, f := range sum.Problems() {
			fmt.Fprintf(stderr, "cfprewarm lab traffic: reading the logs: %s\n", describeFileProblem(f))
		}
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "POP\ttraffic\trequests\terrors\tcold (Server-Timing)\tcold (plan, from the logs)\terror\t")
	for _, tp := range rep.POPs {
		m, known := tp.Cold.Value()
		pred, ok := predicted[tp.POP]
		switch {
		case known && ok:
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.3f\t%.3f\t%+.3f\t\n", tp.POP, tp.Arrivals, tp.Requests, tp.Errors, m, pred, pred-m)
		default:
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t-\t-\t-\t\n", tp.POP, tp.Arrivals, tp.Requests, tp.Errors)
		}
	}
	tw.Flush()
	fmt.Fprintf(stdout, "\n%d log files, %d lines in %s (experiment time from %s); done in %s\n", len(rep.LogFiles), sum.Records,
		cfg.LogDir, rep.Start.Format(time.RFC3339), time.Since(start).Round(100*time.Millisecond))
	fmt.Fprintf(stdout, "plan from them: %s\n", rep.PlanCommand(cfg.LogDir))
	if err != nil {
		return exitError{code: 1, msg: "interrupted: the logs cover the requests sent"}
	}
	return nil
}
