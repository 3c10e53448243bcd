package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/doctor"
	"github.com/cfprewarm/cfprewarm/doctor/format"
	"github.com/cfprewarm/cfprewarm/edgehosts"
	"github.com/cfprewarm/cfprewarm/internal/config"
)

const doctorAbout = `
Measures on your distribution what plan and warm assume and CloudFront does
not document: whether CloudFront answers, with Server-Timing, through which
upstream layer (EDGE, REC, Origin Shield); per POP the DNS answers (count,
TTL, stable), what the via ids name (per host, per request, constant, per
address, per connection, chained), the edge hosts per address and pooled,
shared or split by address; the effective origin keep-alive (warm-up, wait,
burst, searched); the cold penalty and the origin RTT it implies; with
--origin URL the origin's own idle timeout and the timeout order (the
origin closing before CloudFront's keep-alive). Every request is billed: the
most the run may send is printed before the first one and must fit --budget.
--hosts-out writes the measured hosts and keep-alive for plan --hosts-file
and warm --hosts-file. Ctrl-C prints what is known. Exit status: 0 with a
report, 1 when interrupted or nothing answered, 2 for bad usage or a plan
over the budget. See docs/doctor.md.`

func runDoctor(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("doctor", "doctor [flags] [URL]   (https://dXXXX.cloudfront.net/path, or --distribution D --pops CODES)", doctorAbout, stdout)
	var (
		cfg        doctor.Config
		conn       connFlags
		pops       []string
		hostsOut   string
		formatName = fs.String("format", string(format.Text), "output: text or json")
	)
	fs.StringVar(&cfg.Distribution, "distribution", "", "the distribution `domain` dXXXX.cloudfront.net (default: the URL's host, when it is one)")
	fs.StringVar(&cfg.Host, "host", "", "SNI and Host of the requests (default: the URL's host, else the distribution)")
	fs.StringVar(&cfg.Path, "path", "", "request `path` (default: the URL's, else /; the origin's "+"/cfprewarm/host-id with --host-id-header)")
	fs.StringSliceVar(&pops, "pops", nil, "POP `codes` to examine (default: the POP the distribution's name leads to)")
	fs.IntVar(&cfg.Port, "port", 0, "port of the POPs (default: the URL's, else 443)")
	fs.IntVar(&cfg.Samples, "samples", doctor.DefaultSamples, "census requests per POP, each on a new connection")
	fs.IntVar(&cfg.Lookups, "lookups", doctor.DefaultLookups, "DNS lookups per POP")
	fs.DurationVar(&cfg.LookupGap, "lookup-gap", doctor.DefaultLookupGap, "time between a POP's lookups")
	fs.StringVar(&cfg.HostIDHeader, "host-id-header", "", "compare the via ids with this response `header` (the edge server's identity, "+cloudfront.HeaderEdgeServerIP+")")
	fs.BoolVar(&cfg.SkipKeepAlive, "skip-keepalive", false, "leave out the keep-alive search (its waits and most of the requests)")
	fs.DurationVar(&cfg.MinKeepAlive, "min-keepalive", doctor.DefaultMinKeep, "the keep-alive search's first wait")
	fs.DurationVar(&cfg.MaxKeepAlive, "max-keepalive", doctor.DefaultMaxKeep, "the keep-alive search's longest wait")
	fs.IntVar(&cfg.MaxTrials, "max-trials", doctor.DefaultMaxTrials, "keep-alive trials per POP at most")
	fs.IntVar(&cfg.Burst, "burst", doctor.DefaultBurst, "requests of a trial's burst")
	fs.IntVar(&cfg.MaxWarmup, "max-warmup", doctor.DefaultMaxWarmup, "requests of a trial's warm-up at most")
	fs.StringVar(&cfg.Origin, "origin", "", "the origin's own `URL` (https://host:port/path, reachable from here): time its idle timeout")
	fs.DurationVar(&cfg.OriginWait, "origin-wait", doctor.DefaultOriginWait, "the longest wait for the origin to close an idle connection")
	fs.DurationVar(&cfg.ConfiguredKeepAlive, "keepalive", 0, "the distribution's configured origin keep-alive, for the timeout order check")
	fs.DurationVar(&cfg.LBIdle, "lb-idle", 0, "the load balancer's idle timeout, for the timeout order check")
	fs.IntVar(&cfg.Budget, "budget", doctor.DefaultBudget, "billed requests the run may send at most; a plan over it is refused before the first request")
	fs.IntVar(&cfg.Hosts, "hosts", doctor.DefaultHosts, "hosts file: the host count of a POP whose ids give no estimate")
	fs.StringVar(&hostsOut, "hosts-out", "", "write the measured hosts and keep-alive to `FILE` (the hosts file plan and warm --hosts-file read)")
	fs.IntVar(&cfg.Concurrency, "concurrency", doctor.DefaultConcurrency, "requests in flight at most")
	conn.register(fs, "use the POPs' addresses", doctor.UserAgent(buildInfo().Short()), doctor.DefaultTimeout)

	pos, err := fs.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usagef("want at most one URL, got %d arguments (see --help)", len(pos))
	}
	if err := conn.check(fs); err != nil {
		return err
	}
	if conn.head {
		return usagef("-I/--head: doctor sends GET requests only")
	}
	if err := refuseZero(fs, "samples", "lookups", "max-trials", "burst", "max-warmup", "budget", "hosts", "concurrency",
		"min-keepalive", "max-keepalive", "origin-wait", "port"); err != nil {
		return err
	}
	if len(pos) == 1 {
		if err := doctorURL(pos[0], fs, &cfg); err != nil {
			return err
		}
	}
	if cfg.Distribution == "" {
		return usagef("give the distribution: a URL on dXXXX.cloudfront.net, or --distribution with a custom domain's URL")
	}
	cfg.POPs = splitList(pops)
	cfg.DNSServer, cfg.CAFile, cfg.UserAgent, cfg.Timeout, cfg.IPVersion = conn.dnsServer, conn.cacert, conn.userAgent, conn.timeout, conn.ipVersion()
	if cfg.Header, err = conn.header(); err != nil {
		return err
	}
	name, err := format.ParseName(*formatName)
	if err != nil {
		return usageError{err}
	}
	report, _ := format.New(name)
	if hostsOut != "" {
		if err := checkOutFile("--hosts-out", hostsOut); err != nil {
			return err
		}
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err}
	}
	plan := doctor.PlanOf(cfg)
	fmt.Fprintf(stderr, "cfprewarm doctor: at most %d billed requests (budget %d), and up to %v of waiting\n",
		plan.Requests, cfg.Budget, plan.Wait.Round(time.Second))
	cfg.Progress = func(msg string) { fmt.Fprintf(stderr, "cfprewarm doctor: %s\n", msg) }
	r, err := doctor.Run(ctx, cfg)
	var over *doctor.OverBudgetError
	switch {
	case errors.As(err, &over):
		return usageError{err}
	case errors.Is(err, config.ErrInvalid):
		return usageError{err}
	case err != nil:
		return err
	}
	werr := report(stdout, r)
	if hostsOut != "" && len(r.POPs) > 0 {
		if err := edgehosts.WriteFile(hostsOut, r.HostsFile(cfg.Hosts)); err != nil {
			werr = errors.Join(werr, fmt.Errorf("--hosts-out: %w", err))
		} else {
			fmt.Fprintf(stderr, "cfprewarm doctor: wrote %s (plan --hosts-file, warm --hosts-file)\n", hostsOut)
		}
	}
	switch {
	case werr != nil:
		return werr
	case r.Interrupted:
		return exitError{code: 1, msg: "interrupted: the report holds what was measured"}
	case r.CloudFront == nil || r.CloudFront.Error != "" || len(r.POPs) == 0:
		return exitError{code: 1, msg: "nothing answered: see the report"}
	}
	return nil
}

// doctorURL takes the distribution, host, port and path from the URL,
// where flags do not set them.
func doctorURL(raw string, fs *flagSet, cfg *doctor.Config) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Hostname() == "" {
		return usagef("URL %q: want https://host[:port]/path", raw)
	}
	host := strings.ToLower(u.Hostname())
	if !fs.Changed("host") {
		cfg.Host = host
	}
	if !fs.Changed("distribution") && strings.HasSuffix(host, cloudfront.DomainSuffix) {
		cfg.Distribution = host
	}
	if !fs.Changed("port") && u.Port() != "" {
		cfg.Port, _ = strconv.Atoi(u.Port())
	}
	if !fs.Changed("path") && u.Path != "" {
		cfg.Path = u.RequestURI()
	}
	return nil
}
