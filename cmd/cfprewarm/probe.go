package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/cfprewarm/cfprewarm/probe"
	"github.com/cfprewarm/cfprewarm/probe/format"
)

func init() {
	register(command{
		name:    "probe",
		summary: "time HTTPS requests phase by phase and tell whether the POP reused its origin connection",
		run:     runProbe,
	})
}

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
		formatName = fs.String("format", "human", "output: human, seed (check_url_timing.sh's line), json (lines), csv")
		noST       = fs.Bool("no-server-timing", false, "do not send 'Pragma: server-timing'")
		headers    stringList
		pop        = fs.String("pop", "", "send to one POP (e.g. HKG54-C1) through <dist>.<POP>.cloudfront.net; needs --distribution")
		dist       = fs.String("distribution", "", "distribution domain dXXXX.cloudfront.net, for --pop")
		cacert     = fs.String("cacert", "", "PEM `file` of CA certificates added to the system roots")
		fail       = fs.Bool("fail", false, "exit 1 when any probe gets a non-2xx status")
		head       = fs.Bool("head", false, "send HEAD instead of GET")
	)
	ipVersion := ipVersionFlags(fs, "connect")
	fs.IntVar(&cfg.Count, "count", 1, "number of probes")
	fs.DurationVar(&cfg.Interval, "interval", 10*time.Second, "time from the start of one probe to the start of the next")
	fs.BoolVar(&cfg.Reuse, "reuse", false, "keep one connection across the series (measures the warm viewer side)")
	fs.DurationVar(&cfg.Timeout, "timeout", 30*time.Second, "time limit of each probe")
	fs.Var((*stringList)(&cfg.Resolve), "resolve", "`host:port:addr[,addr]` pins a name to addresses, as curl (repeatable)")
	fs.Var((*stringList)(&cfg.ConnectTo), "connect-to", "`host:port:connect-host:connect-port` connects elsewhere, as curl (repeatable)")
	fs.StringVar(&cfg.DNSServer, "dns-server", "", "resolver `host[:port]` to use instead of the system's")
	fs.BoolVar(&cfg.HTTP1, "http1.1", false, "use HTTP/1.1 (default: HTTP/2 when the server offers it by ALPN)")
	fs.Var(&headers, "H", "extra request `header` 'Name: value' (repeatable)")
	fs.StringVar(&cfg.UserAgent, "user-agent", "cfprewarm/"+version, "User-Agent header")
	fs.Int64Var(&cfg.MaxBody, "max-body", 10<<20, "read at most this many body `bytes`")

	pos, err := fs.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want exactly one URL, got %d arguments (see --help)", len(pos))
	}
	cfg.URL = pos[0]
	outFormat, err := format.ParseName(*formatName)
	if err != nil {
		return usageError{err}
	}
	cfg.ServerTiming = !*noST
	if *head {
		cfg.Method = http.MethodHead
	}
	switch v, err := ipVersion(); {
	case err != nil:
		return err
	case v != 0:
		cfg.Network = fmt.Sprintf("tcp%d", v)
	}
	if cfg.Count < 1 {
		return usagef("--count must be at least 1")
	}
	if cfg.Header, err = parseHeaders(headers); err != nil {
		return usageError{err}
	}
	if (*pop == "") != (*dist == "") {
		return usagef("--pop and --distribution go together")
	}
	if *pop != "" {
		host, err := probe.POPHostname(*dist, *pop)
		if err != nil {
			return usageError{err}
		}
		// Connect to the POP's name, keep the URL's host as SNI and Host.
		cfg.ConnectTo = append([]string{"::" + host + ":"}, cfg.ConnectTo...)
	}
	if cfg.RootCAs, err = probe.LoadRootCAs(*cacert); err != nil {
		return usageError{err}
	}
	if err := cfg.Validate(); err != nil {
		return usageError{firstLine(err)}
	}

	out := format.NewWriter(stdout, outFormat)
	prog := newProgress(stderr, cfg.Count)
	results, err := probe.Run(ctx, cfg, func(r probe.Result) {
		prog.clear()
		out.Write(r)
		if !r.OK() && (outFormat == format.Seed || outFormat == format.CSV) {
			fmt.Fprintf(stderr, "probe %d failed: %s\n", r.Seq, r.Error)
		}
		prog.show(r.Seq, cfg.Interval)
	})
	prog.clear()
	if err != nil {
		return usageError{firstLine(err)}
	}
	sum := probe.Summarize(results)
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
		return exitError{code: 1, msg: fmt.Sprintf("all %d probes failed", sum.Probes)}
	case *fail && sum.Non2xx > 0:
		return exitError{code: 1, msg: fmt.Sprintf("%d of %d probes got a non-2xx status", sum.Non2xx, sum.Probes)}
	}
	return nil
}

// parseHeaders turns repeated "Name: value" flags into a header.
func parseHeaders(list []string) (http.Header, error) {
	h := http.Header{}
	for _, s := range list {
		name, value, ok := strings.Cut(s, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, fmt.Errorf("header %q: want 'Name: value'", s)
		}
		h.Add(name, strings.TrimSpace(value))
	}
	return h, nil
}

// firstLine keeps one-line errors one line: joined validation errors are
// shown separated by "; ".
func firstLine(err error) error {
	return fmt.Errorf("%s", strings.ReplaceAll(err.Error(), "\n", "; "))
}
