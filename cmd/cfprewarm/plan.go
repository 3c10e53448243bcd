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
	"github.com/cfprewarm/cfprewarm/edgehosts"
	"github.com/cfprewarm/cfprewarm/internal/atomicfile"
	"github.com/cfprewarm/cfprewarm/internal/config"
	"github.com/cfprewarm/cfprewarm/plan"
	"github.com/cfprewarm/cfprewarm/plan/format"
)

const planAbout = `
Reads the distribution's CloudFront access logs (standard logs in W3C form,
gzip or not; v2 JSON or Parquet; real-time logs with --fields) from files,
directories, globs, - (standard input) or s3://bucket/prefix, or a per-second
counts file (--counts, e.g. from the Athena query in docs/plan.md), and says
per POP how many requests find no warm origin connection today, with the
target keep-alive alone, and with prewarming (the model follows each viewer
connection to its edge host, by c-ip and c-port, and each host's pool of
origin connections; the prewarmer's own requests, and those of
--exclude-user-agent, warm but are not viewers); which POPs are worth warming
(value for money: --min-gain-per-dollar) and, in words, why or why not; with
how many requests per wave (sized for --target-cold), on which schedule, from
which AWS region, and the whole monthly bill (CloudFront requests and
responses, Lambda, the scheduler, CloudWatch) beside the other options
(aligned Lambda, waves Lambda, daemon, at 60 s and 180 s keep-alive) and the
seed's 60 requests a minute. Outputs:
the table, JSON, the "prewarm" list for infra/cdk.json, the Lambda's
environment, or 'cfprewarm warm' command lines. Unreadable lines are counted
per file and the rest is read. Exit status: 0 with a plan, 1 when no usable
line was found, 2 for bad usage. The model: docs/plan.md.`

func runPlan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("plan", "plan [flags] LOGS...   (files, directories, globs, -, s3://bucket/prefix)", planAbout, stdout)
	var (
		cfg                          = plan.DefaultConfig()
		in                           plan.Input
		fields, methods, results     []string
		from, to                     string
		counts, countsOut, hostsFile string
		pricesFile, formatName       string
		metrics                      string
	)
	// Inputs.
	fs.StringVar(&counts, "counts", "", "plan from a per-second counts `FILE` (CSV: pop,second,requests[,ttfb_n,ttfb_sum,gap,prewarm,busy_n,busy_sum]) instead of logs")
	fs.StringSliceVar(&fields, "fields", nil, "field `names` of headerless tab-separated logs (real-time logs, v2 plain), in order")
	fs.StringVar(&in.Logs.S3.Endpoint, "s3-endpoint", "", "`URL` of an S3-compatible store (default: AWS)")
	fs.StringVar(&in.Logs.S3.Region, "s3-region", "", "the bucket's `region` (default: the AWS configuration's)")
	fs.IntVar(&in.Logs.Workers, "workers", 0, "files read at once (0: one per CPU)")
	// Filters.
	fs.StringVar(&in.Target.Distribution, "distribution", "", "the distribution domain dXXXX.cloudfront.net: keep only its requests, and name it in the outputs (default: the logs' cs(Host); with --counts it only names)")
	fs.StringVar(&in.Target.Host, "host", "", "the custom domain viewers use: keep only requests with this Host, and use it as the prewarm Host (default: the logs' x-host-header; with --counts it only names)")
	fs.StringSliceVar(&in.Logs.Filter.PathPrefix, "path-prefix", nil, "keep requests whose path starts with one of these `prefixes` (the dynamic API), comma-separated")
	fs.StringSliceVar(&methods, "method", nil, "keep these `methods` only, e.g. GET,POST")
	fs.StringSliceVar(&results, "result-type", nil, "keep these x-edge-result-type `values` only, e.g. Miss,RefreshHit (requests that reached the origin)")
	fs.StringVar(&from, "from", "", "keep requests from this `time` on (RFC 3339 or YYYY-MM-DD, UTC)")
	fs.StringVar(&to, "to", "", "keep requests before this `time` (RFC 3339 or YYYY-MM-DD, UTC)")
	// The model.
	fs.DurationVar(&cfg.KeepAlive, "keepalive", cfg.KeepAlive, "the distribution's origin keep-alive today, when the logs were written")
	fs.DurationVar(&cfg.TargetKeepAlive, "target-keepalive", cfg.TargetKeepAlive, "the keep-alive to plan with (CloudFront: up to 60s, 180s with a quota increase)")
	fs.IntVar(&cfg.Hosts, "hosts", cfg.Hosts, "edge hosts per POP not in --hosts-file")
	fs.StringVar(&hostsFile, "hosts-file", "", "edge hosts per POP from `FILE` (cfprewarm warm --hosts-out, or a pop,hosts CSV)")
	fs.Float64Var(&cfg.TargetCold, "target-cold", cfg.TargetCold, "the viewers' expected cold share per POP to size the waves for (requests per wave, waves per keep-alive)")
	fs.Float64Var(&cfg.MinCoverage, "coverage", cfg.MinCoverage, "a floor on the share of a POP's edge hosts each wave reaches (0: none, --target-cold alone sizes)")
	fs.DurationVar(&cfg.OriginRTT, "origin-rtt", 0, "POP↔origin round trip, for POPs whose logs cannot tell the cold penalty (2 round trips)")
	fs.StringArrayVar(&cfg.Traffic.PrewarmAgents, "exclude-user-agent", nil, "requests whose User-Agent matches `PATTERN` are a prewarmer's: they warm, they are not viewers (repeatable; =TEXT exactly, a glob with * or ?, else text to find; - for none); cfprewarm's own always are")
	fs.StringVar((*string)(&cfg.OriginPool), "origin-pool", string(cfg.OriginPool), "what an edge host does for a request that finds no idle origin connection (`POLICY`): open (opens one at once, cold) or reuse (takes one another request frees before its own is up; needs --origin-rtt)")
	fs.DurationVar(&cfg.Traffic.ViewerIdle, "viewer-idle", cfg.Traffic.ViewerIdle, "requests of one c-ip, c-port and POP less than this apart share a viewer connection and its edge host (0: never)")
	// Cost.
	fs.StringVar(&pricesFile, "prices", "", "unit prices from `FILE` (JSON, keys of plan/prices.json), over the built-in ones")
	fs.IntVar(&cfg.MemoryMiB, "lambda-memory", cfg.MemoryMiB, "the prewarm Lambda's memory in `MiB`")
	fs.DurationVar(&cfg.CPUPerRequest, "cpu-per-request", cfg.CPUPerRequest, "the prewarm engine's CPU time per request (go test -bench Wave ./bench/wave/)")
	fs.StringVar(&metrics, "metrics", string(cfg.Metrics), "the Lambda's metric level, for the CloudWatch bill: lean (per POP only what its alarm needs) or full")
	fs.IntVar(&cfg.ResponseBytes, "response-bytes", cfg.ResponseBytes, "a prewarm response's size in `bytes`, for the data transfer bill (default: the logs' mean sc-bytes, else this)")
	// Selection.
	fs.DurationVar(&cfg.MinGain, "min-gain", cfg.MinGain, "warm a POP only if prewarming removes at least this much viewer waiting per day (0: whatever it removes)")
	fs.Float64Var(&cfg.MinCold, "min-cold", cfg.MinCold, "leave a POP to the keep-alive when fewer of its requests than this share stay cold with it (0: warm whatever the share)")
	fs.Float64Var(&cfg.MinGainPerDollar, "min-gain-per-dollar", cfg.MinGainPerDollar, "warm a POP only if each dollar of its monthly bill removes at least this many `seconds` of waiting a month (180: $20 per hour of waiting; 0: whatever it costs)")
	fs.IntVar(&cfg.MaxPOPs, "max-pops", 0, "warm at most this many POPs, the best first (0: no limit)")
	// Output.
	fs.StringVar(&formatName, "format", string(format.Table), "output: table, json, cdk (infra/cdk.json's prewarm list), lambda-env, warm-cmd")
	fs.StringVar(&in.Target.Path, "path", "", "request path of the prewarm requests in the outputs (default: the --path-prefix when there is one, else /)")
	fs.StringVar(&countsOut, "counts-out", "", "also write the per-second counts of the logs to `FILE` (the form --counts reads)")

	var err error
	if in.Logs.Inputs, err = fs.parse(args); err != nil {
		return err
	}
	outFormat, err := format.ParseName(formatName)
	if err != nil {
		return usageError{err}
	}
	if cfg.Metrics, err = plan.ParseMetricLevel(metrics); err != nil {
		return usageError{err}
	}
	cfg.ResponseBytesFromLogs = !fs.Changed("response-bytes")
	switch {
	case counts != "" && len(in.Logs.Inputs) > 0:
		return usagef("give logs or --counts FILE, not both")
	case counts == "" && len(in.Logs.Inputs) == 0:
		return usagef("name the logs to read (files, directories, globs, - or s3://bucket/prefix), or give --counts FILE (see --help)")
	case counts != "" && countsOut != "":
		return usagef("--counts-out writes the counts of logs: it does not go with --counts")
	}
	if counts != "" {
		// A counts file has only POP, second and time-to-first-byte: these
		// filters belong in the query that made it.
		for _, name := range []string{"path-prefix", "method", "result-type", "fields", "s3-endpoint", "s3-region", "workers", "exclude-user-agent", "viewer-idle"} {
			if fs.Changed(name) {
				return usagef("--%s reads logs: it does not go with --counts (filter in the query that made the counts file)", name)
			}
		}
	}
	in.Logs.Fields = splitList(fields)
	in.Logs.Filter.Methods, in.Logs.Filter.ResultTypes = splitList(methods), splitList(results)
	if in.From, err = parseWhen(from, "--from"); err != nil {
		return err
	}
	if in.To, err = parseWhen(to, "--to"); err != nil {
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
	if counts != "" {
		f, err := os.Open(counts)
		if err != nil {
			return usageError{err}
		}
		defer f.Close()
		in.CountsFile = f
	}

	stopProgress := func() {}
	if in.CountsFile == nil {
		in.Logs.Progress = new(accesslog.Progress)
		stopProgress = showReadProgress(stderr, in.Logs.Progress)
	}
	p, err := plan.Run(ctx, in, cfg)
	stopProgress()
	var inputErr *accesslog.InputError
	var none *plan.NoRequestsError
	switch {
	case errors.Is(err, config.ErrInvalid), errors.As(err, &inputErr):
		return usageError{err}
	case errors.As(err, &none):
		return exitError{code: 1, msg: noRecords(none)}
	case errors.Is(err, context.Canceled):
		return exitError{code: 1, msg: "interrupted"}
	case err != nil:
		return exitError{code: 1, msg: err.Error()}
	}
	if countsOut != "" {
		if err := atomicfile.Write(countsOut, func(w io.Writer) error { return plan.WriteCounts(w, p.Counts) }); err != nil {
			return err
		}
	}
	return format.Write(stdout, outFormat, p)
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

// noRecords says why no line could be used, file by file.
func noRecords(e *plan.NoRequestsError) string {
	var b strings.Builder
	b.WriteString(e.Error())
	s := e.Logs
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
				prog.status(readProgressLine(p))
			}
		}
	}()
	return func() { close(done); <-stopped }
}
