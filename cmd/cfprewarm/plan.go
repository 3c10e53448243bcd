package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/cfprewarm/cfprewarm/accesslog"
	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/edgehosts"
	"github.com/cfprewarm/cfprewarm/internal/atomicfile"
	"github.com/cfprewarm/cfprewarm/plan"
	"github.com/cfprewarm/cfprewarm/plan/format"
)

const planAbout = `
Reads the distribution's CloudFront access logs (standard logs in W3C form,
gzip or not; v2 JSON or Parquet; real-time logs with --fields) from files,
directories, globs, - (standard input) or s3://bucket/prefix, or a per-second
counts file (--counts, e.g. from the Athena query in docs/plan.md), and says
per POP how many requests find no warm origin connection today, with the
target keep-alive alone, and with prewarming; which POPs are worth warming,
with how many requests per wave, on which schedule, from which AWS region, at
what monthly cost beside the seed's and today's default schedules. Outputs:
the table, JSON, the "prewarm" list for infra/cdk.json, the Lambda's
environment, or 'cfprewarm warm' command lines. Unreadable lines are counted
per file and the rest is read. Exit status: 0 with a plan, 1 when no usable
line was found, 2 for bad usage. The model: docs/plan.md.`

func runPlan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("plan", "plan [flags] LOGS...   (files, directories, globs, -, s3://bucket/prefix)", planAbout, stdout)
	var (
		cfg                          plan.Config
		read                         accesslog.Config
		fields, methods, results     []string
		prefixes                     []string
		from, to, dist, host, path   string
		counts, countsOut, hostsFile string
		pricesFile, formatName       string
		jitter, minGain              time.Duration
		minCold                      float64
		progressOut                  = stderr
	)
	// Inputs.
	fs.StringVar(&counts, "counts", "", "plan from a per-second counts `FILE` (CSV: pop,second,requests[,ttfb_n,ttfb_sum]) instead of logs")
	fs.StringSliceVar(&fields, "fields", nil, "field `names` of headerless tab-separated logs (real-time logs, v2 plain), in order")
	fs.StringVar(&read.S3.Endpoint, "s3-endpoint", "", "`URL` of an S3-compatible store (default: AWS)")
	fs.StringVar(&read.S3.Region, "s3-region", "", "the bucket's `region` (default: the AWS configuration's)")
	fs.IntVar(&read.Workers, "workers", 0, "files read at once (0: one per CPU)")
	// Filters.
	fs.StringVar(&dist, "distribution", "", "the distribution domain dXXXX.cloudfront.net: keep only its requests, and name it in the outputs (default: the logs' cs(Host); with --counts it only names)")
	fs.StringVar(&host, "host", "", "the custom domain viewers use: keep only requests with this Host, and use it as the prewarm Host (default: the logs' x-host-header; with --counts it only names)")
	fs.StringSliceVar(&prefixes, "path-prefix", nil, "keep requests whose path starts with one of these `prefixes` (the dynamic API), comma-separated")
	fs.StringSliceVar(&methods, "method", nil, "keep these `methods` only, e.g. GET,POST")
	fs.StringSliceVar(&results, "result-type", nil, "keep these x-edge-result-type `values` only, e.g. Miss,RefreshHit (requests that reached the origin)")
	fs.StringVar(&from, "from", "", "keep requests from this `time` on (RFC 3339 or YYYY-MM-DD, UTC)")
	fs.StringVar(&to, "to", "", "keep requests before this `time` (RFC 3339 or YYYY-MM-DD, UTC)")
	// The model.
	fs.DurationVar(&cfg.KeepAlive, "keepalive", plan.DefaultKeepAlive, "the distribution's origin keep-alive today, when the logs were written")
	fs.DurationVar(&cfg.TargetKeepAlive, "target-keepalive", plan.DefaultTargetKeepAlive, "the keep-alive to plan with (CloudFront: up to 60s, 180s with a quota increase)")
	fs.IntVar(&cfg.Hosts, "hosts", plan.DefaultHosts, "edge hosts per POP not in --hosts-file")
	fs.StringVar(&hostsFile, "hosts-file", "", "edge hosts per POP from `FILE` (cfprewarm warm --hosts-out, or a pop,hosts CSV)")
	fs.Float64Var(&cfg.Coverage, "coverage", plan.DefaultCoverage, "share of a POP's edge hosts one wave must reach")
	fs.DurationVar(&cfg.OriginRTT, "origin-rtt", 0, "POP↔origin round trip, for POPs whose logs cannot tell the cold penalty (2 round trips)")
	fs.DurationVar(&jitter, "schedule-jitter", plan.DefaultJitter, "how late the scheduler may fire the Lambda (EventBridge: up to 60s; 0 for on time)")
	// Cost.
	fs.StringVar(&pricesFile, "prices", "", "unit prices from `FILE` (JSON, keys of plan/prices.json), over the built-in ones")
	fs.IntVar(&cfg.MemoryMiB, "lambda-memory", plan.DefaultMemoryMiB, "the prewarm Lambda's memory in `MiB`")
	fs.DurationVar(&cfg.CPUPerRequest, "cpu-per-request", plan.DefaultCPUPerRequest, "the prewarm engine's CPU time per request (go test -bench Wave ./bench/wave/)")
	// Selection.
	fs.DurationVar(&minGain, "min-gain", plan.DefaultMinGain, "warm a POP only if prewarming removes at least this much viewer waiting per day (0: whatever it removes)")
	fs.Float64Var(&minCold, "min-cold", plan.DefaultMinCold, "leave a POP to the keep-alive when fewer of its requests than this share stay cold with it (0: warm whatever the share)")
	fs.Float64Var(&cfg.MinGainPerDollar, "min-gain-per-dollar", 0, "warm a POP only if prewarming removes at least this many `seconds` of waiting per dollar")
	fs.IntVar(&cfg.MaxPOPs, "max-pops", 0, "warm at most this many POPs, the best first (0: no limit)")
	// Output.
	fs.StringVar(&formatName, "format", string(format.Table), "output: table, json, cdk (infra/cdk.json's prewarm list), lambda-env, warm-cmd")
	fs.StringVar(&path, "path", "", "request path of the prewarm requests in the outputs (default: the --path-prefix when there is one, else /)")
	fs.StringVar(&countsOut, "counts-out", "", "also write the per-second counts of the logs to `FILE` (the form --counts reads)")

	inputs, err := fs.parse(args)
	if err != nil {
		return err
	}
	outFormat, err := format.ParseName(formatName)
	if err != nil {
		return usageError{err}
	}
	if err := refuseZero(fs, "keepalive", "target-keepalive", "hosts", "coverage", "lambda-memory"); err != nil {
		return err
	}
	switch {
	case counts != "" && len(inputs) > 0:
		return usagef("give logs or --counts FILE, not both")
	case counts == "" && len(inputs) == 0:
		return usagef("name the logs to read (files, directories, globs, - or s3://bucket/prefix), or give --counts FILE (see --help)")
	case counts != "" && countsOut != "":
		return usagef("--counts-out writes the counts of logs: it does not go with --counts")
	}
	if counts != "" {
		// A counts file has only POP, second and time-to-first-byte: these
		// filters belong in the query that made it.
		for _, name := range []string{"path-prefix", "method", "result-type", "fields", "s3-endpoint", "s3-region", "workers"} {
			if fs.Changed(name) {
				return usagef("--%s reads logs: it does not go with --counts (filter in the query that made the counts file)", name)
			}
		}
	}
	if dist != "" {
		if _, err := cloudfront.DistributionLabel(dist); err != nil {
			return usageError{err}
		}
	}
	cfg.Jitter = jitter
	if jitter == 0 {
		cfg.Jitter = plan.NoJitter
	}
	cfg.MinGain = minGain
	if minGain == 0 {
		cfg.MinGain = plan.NoMinGain
	}
	cfg.MinCold = minCold
	if minCold == 0 {
		cfg.MinCold = plan.NoMinCold
	}
	if cfg.From, err = parseWhen(from, "--from"); err != nil {
		return err
	}
	if cfg.To, err = parseWhen(to, "--to"); err != nil {
		return err
	}
	if err := readInput(hostsFile, func(r io.Reader) (err error) { cfg.HostsByPOP, err = edgehosts.Read(r); return err }); err != nil {
		return usageError{err}
	}
	if k, ok := edgehosts.KeepAliveOf(cfg.HostsByPOP); ok && !fs.Changed("keepalive") {
		cfg.KeepAlive = k // measured by cfprewarm doctor
	}
	if err := readInput(pricesFile, func(r io.Reader) (err error) { cfg.Prices, err = plan.ReadPrices(r); return err }); err != nil {
		return usageError{err}
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err}
	}

	rep := format.Report{Distribution: dist, Host: host, Path: path}
	var c *plan.Counts
	if counts != "" {
		f, err := os.Open(counts)
		if err != nil {
			return usageError{err}
		}
		var st plan.CountsStats
		c, st, err = plan.ReadCounts(f, cfg.From, cfg.To)
		f.Close()
		if err != nil {
			return exitError{code: 1, msg: err.Error()}
		}
		rep.Counts = &st
	} else {
		read.Inputs = inputs
		read.Fields = splitList(fields)
		read.Filter = accesslog.Filter{From: cfg.From, To: cfg.To, PathPrefix: prefixes, Methods: splitList(methods), ResultTypes: splitList(results)}
		for _, h := range []string{dist, host} {
			if h != "" {
				read.Filter.Hosts = append(read.Filter.Hosts, h)
			}
		}
		var prog accesslog.Progress
		read.Progress = &prog
		stopProgress := showReadProgress(progressOut, &prog)
		var sum accesslog.Summary
		c, sum, err = plan.FromLogs(ctx, read)
		stopProgress()
		var ie *accesslog.InputError
		switch {
		case errors.As(err, &ie):
			return usageError{err}
		case err != nil && !errors.Is(err, context.Canceled):
			return exitError{code: 1, msg: err.Error()}
		case err != nil:
			return exitError{code: 1, msg: "interrupted"}
		}
		rep.Logs = &sum
		if sum.Records == 0 {
			return exitError{code: 1, msg: noRecords(sum)}
		}
		logDist, logHost := c.Names()
		if rep.Distribution == "" {
			rep.Distribution = logDist
		}
		if rep.Host == "" && logHost != rep.Distribution {
			rep.Host = logHost
		}
		if countsOut != "" {
			if err := atomicfile.Write(countsOut, func(w io.Writer) error { return plan.WriteCounts(w, c) }); err != nil {
				return err
			}
		}
	}
	if rep.Path == "" && len(prefixes) == 1 {
		rep.Path = prefixes[0]
	}
	p, err := plan.Make(c, cfg)
	if err != nil {
		return exitError{code: 1, msg: err.Error()}
	}
	rep.Plan = p
	return format.Write(stdout, outFormat, rep)
}

// readInput calls read with the file at path, unless path is empty.
func readInput(path string, read func(io.Reader) error) error {
	if path == "" {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return read(f)
}

// parseWhen reads an RFC 3339 time or a YYYY-MM-DD date (UTC).
func parseWhen(s, flag string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05", time.DateOnly} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, usagef("%s %q: want RFC 3339 (2026-11-01T00:00:00Z) or a date (2026-11-01)", flag, s)
}

// noRecords says why no line could be used.
func noRecords(s accesslog.Summary) string {
	var b strings.Builder
	fmt.Fprintf(&b, "no usable request in %d files (%d lines, %d unreadable, %d left out by the filters)", len(s.Files), s.Lines, s.Bad, s.Filtered)
	for i, f := range s.Problems() {
		if i == 5 {
			fmt.Fprintf(&b, "\n  ... and %d more files", len(s.Problems())-5)
			break
		}
		fmt.Fprintf(&b, "\n  %s", describeFileProblem(f))
	}
	return b.String()
}

// describeFileProblem says in one line what was wrong with a file: why it
// was cut short, else its first bad line.
func describeFileProblem(f accesslog.FileStats) string {
	why := f.Error
	if why == "" && len(f.Examples) > 0 {
		why = f.Examples[0]
	}
	if f.Bad > 0 {
		why += fmt.Sprintf(" (%d bad lines)", f.Bad)
	}
	return f.Name + ": " + why
}

// showReadProgress draws "read X of Y MB" on w while logs are read, when w
// is a terminal; the returned function erases it.
func showReadProgress(w io.Writer, p *accesslog.Progress) func() {
	prog := newProgress(w, 0)
	if !prog.on {
		return func() {}
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				prog.clear()
				return
			case <-t.C:
				read, total := p.Read.Load(), p.Total.Load()
				msg := fmt.Sprintf("reading logs: %.1f MB", float64(read)/1e6)
				if total > 0 {
					msg += fmt.Sprintf(" of %.1f MB (%.0f%%)", float64(total)/1e6, 100*float64(read)/float64(total))
				}
				prog.status(msg + fmt.Sprintf(", %d lines", p.Lines.Load()))
			}
		}
	}()
	return func() { close(done); <-stopped }
}
