package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/probe"
	"github.com/cfprewarm/cfprewarm/probe/format"
)

const probeAbout = `
Sends one request (or --count N, --interval apart), each on a new TCP+TLS
connection like one curl call, and prints curl-style cumulative timings with
what CloudFront says: x-amz-cf-pop, x-amz-cf-id and, from Server-Timing,
whether the POP reused its origin connection (cdn-upstream-connect=0: warm).
Ctrl-C ends a series early and still prints the summary.
Exit status: 0 ok, 1 when every probe failed (or, with --fail, any non-2xx),
2 for bad usage.`

func runProbe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("probe", "probe [flags] URL", probeAbout, stdout)
	var (
		cfg        probe.Config
		conn       connFlags
		formatName = fs.String("format", "human", "output: human, check-url-timing (check_url_timing.sh's line; alias seed), json (lines), csv")
		noST       = fs.Bool("no-server-timing", false, "do not send 'Pragma: server-timing'")
		pop        = fs.String("pop", "", "send to one POP (e.g. HKG54-C1) through <dist>.<POP>.cloudfront.net; needs --distribution")
		dist       = fs.String("distribution", "", "distribution domain dXXXX.cloudfront.net, for --pop")
		fail       = fs.Bool("fail", false, "exit 1 when any probe gets a non-2xx status")
	)
	fs.IntVar(&cfg.Count, "count", 1, "number of probes")
	fs.DurationVar(&cfg.Interval, "interval", 10*time.Second, "time from the start of one probe to the start of the next")
	fs.BoolVar(&cfg.Reuse, "reuse", false, "keep one connection across the series (measures the warm viewer side)")
	fs.StringArrayVar(&cfg.Resolve, "resolve", nil, "`host:port:addr[,addr]` pins a name to addresses, as curl (repeatable)")
	fs.StringArrayVar(&cfg.ConnectTo, "connect-to", nil, "`host:port:connect-host:connect-port` connects elsewhere, as curl (repeatable)")
	fs.BoolVar(&cfg.HTTP1, "http1.1", false, "use HTTP/1.1 (default: HTTP/2 when the server offers it by ALPN)")
	fs.Int64Var(&cfg.MaxBody, "max-body", probe.DefaultMaxBody, "read at most this many body `bytes`")
	conn.register(fs, "connect", "cfprewarm/"+buildInfo().Short(), probe.DefaultTimeout)

	pos, err := fs.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want exactly one URL, got %d arguments (see --help)", len(pos))
	}
	if err := conn.check(fs); err != nil {
		return err
	}
	if cfg.Count < 1 {
		return usagef("--count must be at least 1")
	}
	if err := refuseZero(fs, "max-body"); err != nil {
		return err
	}
	outFormat, err := format.ParseName(*formatName)
	if err != nil {
		return usageError{err}
	}
	cfg.URL = pos[0]
	cfg.ServerTiming = !*noST
	cfg.Method = conn.method()
	cfg.UserAgent = conn.userAgent
	cfg.Timeout = conn.timeout
	cfg.DNSServer = conn.dnsServer
	if v := conn.ipVersion(); v != 0 {
		cfg.Network = fmt.Sprintf("tcp%d", v)
	}
	if cfg.Header, err = conn.header(); err != nil {
		return err
	}
	if (*pop == "") != (*dist == "") {
		return usagef("--pop and --distribution go together")
	}
	if *pop != "" {
		host, err := cloudfront.POPHostname(*dist, *pop)
		if err != nil {
			return usageError{err}
		}
		// Connect to the POP's name, keep the URL's host as SNI and Host.
		cfg.ConnectTo = append([]string{"::" + host + ":"}, cfg.ConnectTo...)
	}
	if cfg.RootCAs, err = probe.LoadRootCAs(conn.cacert); err != nil {
		return usageError{err}
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err}
	}

	out := format.NewWriter(stdout, outFormat)
	prog := newProgress(stderr, cfg.Count)
	var tally probe.Tally
	results, err := probe.Run(ctx, cfg, func(r probe.Result) {
		prog.clear()
		out.Write(r)
		tally.Add(r, *pop)
		if !r.OK() && (outFormat == format.CheckURLTiming || outFormat == format.CSV) {
			fmt.Fprintf(stderr, "probe %d failed: %s\n", r.Seq, r.Error)
		}
		prog.show(r.Seq, cfg.Interval)
	})
	prog.clear()
	if err != nil {
		return usageError{err}
	}
	sum := tally.Summary()
	if cfg.Count > 1 {
		switch outFormat {
		case format.JSON:
			format.WriteSummaryJSON(stdout, cfg.URL, sum)
		case format.Human:
			format.WriteSummary(stdout, cfg.URL, sum)
		default: // keep stdout machine-readable
			format.WriteSummary(stderr, cfg.URL, sum)
		}
	}
	switch {
	case len(results) == 0:
		return exitError{code: 1, msg: "interrupted before the first probe finished"}
	case sum.OK == 0:
		return exitError{code: 1, msg: fmt.Sprintf("all %d probes failed", sum.Requests)}
	case *fail && sum.Non2xx > 0:
		return exitError{code: 1, msg: fmt.Sprintf("%d of %d probes got a non-2xx status", sum.Non2xx, sum.Requests)}
	}
	return nil
}
