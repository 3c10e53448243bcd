package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cfprewarm/cfprewarm/internal/flagstyle"
	"github.com/cfprewarm/cfprewarm/origin"
	"github.com/spf13/pflag"
)

// Environment variables that only exist as environment variables: the
// secret never comes from a flag, so it stays out of process listings.
const (
	envSecret      = "ORIGIN_VERIFY_SECRET"
	flagSecretFile = "origin-verify-secret-file"
)

// envOf maps each flag to its environment variable. A flag on the command
// line wins over the variable.
var envOf = []struct{ flag, env string }{
	{"listen", "LISTEN_ADDR"},
	{"tls-cert", "TLS_CERT_FILE"},
	{"tls-key", "TLS_KEY_FILE"},
	{"idle-timeout", "IDLE_TIMEOUT"},
	{"read-header-timeout", "READ_HEADER_TIMEOUT"},
	{"read-timeout", "READ_TIMEOUT"},
	{"write-timeout", "WRITE_TIMEOUT"},
	{"drain-period", "DRAIN_PERIOD"},
	{"shutdown-timeout", "SHUTDOWN_TIMEOUT"},
	{"max-connections", "MAX_CONNECTIONS"},
	{"max-header-bytes", "MAX_HEADER_BYTES"},
	{"metrics-listen", "METRICS_LISTEN_ADDR"},
	{"metrics-max-connections", "METRICS_MAX_CONNECTIONS"},
	{"cloudfront-keepalive", "CLOUDFRONT_KEEPALIVE"},
	{"lb-idle-timeout", "LB_IDLE_TIMEOUT"},
	{"origin-verify-header", "ORIGIN_VERIFY_HEADER"},
	{flagSecretFile, "ORIGIN_VERIFY_SECRET_FILE"},
	{"log-health-checks", "LOG_HEALTH_CHECKS"},
}

// options is the parsed command line: the server's Config and the
// command's own switches.
type options struct {
	cfg     origin.Config
	version bool
}

// parseOptions builds the options from defaults, then the environment, then
// args (GNU style, package flagstyle). Problems with values are returned
// together; --help prints the usage to stdout and returns pflag.ErrHelp.
func parseOptions(args []string, getenv func(string) string, readFile func(string) ([]byte, error), stdout io.Writer) (options, error) {
	opts := options{cfg: origin.DefaultConfig()}
	cfg := &opts.cfg
	var secretFile string

	fs := pflag.NewFlagSet("current-time-app", pflag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned; --help is printed below
	fs.Usage = func() {}
	fs.SortFlags = false
	fs.StringVar(&cfg.Addr, "listen", cfg.Addr, "listen `address` host:port")
	fs.StringVar(&cfg.CertFile, "tls-cert", "", "TLS certificate `file` (PEM); with --tls-key turns on TLS 1.2+, HTTP/2 and HTTP/1.1")
	fs.StringVar(&cfg.KeyFile, "tls-key", "", "TLS private key `file` (PEM)")
	fs.Var(durationValue{&cfg.IdleTimeout}, "idle-timeout", "close keep-alive connections after this `duration` idle; must be longer than --cloudfront-keepalive and shorter than --lb-idle-timeout")
	fs.Var(durationValue{&cfg.ReadHeaderTimeout}, "read-header-timeout", "`duration` allowed for the TLS handshake and for each request's headers (at least "+origin.MinTimeout.String()+")")
	fs.Var(durationValue{&cfg.ReadTimeout}, "read-timeout", "`duration` allowed to read a whole request, headers and body; a body that never comes is cut off after it (at least the read-header timeout)")
	fs.Var(durationValue{&cfg.WriteTimeout}, "write-timeout", "`duration` allowed from the end of the request headers to the end of the response (at least "+origin.MinTimeout.String()+")")
	fs.Var(drainValue{&cfg.DrainPeriod}, "drain-period", "on SIGTERM/SIGINT, `duration` to keep serving with /healthz failing and Connection: close on every response, before shutting down (match the load balancer's deregistration delay; 0: no drain, shut down at once)")
	fs.Var(durationValue{&cfg.ShutdownTimeout}, "shutdown-timeout", "after the drain period, `duration` allowed to finish in-flight requests (drain + shutdown below ECS's stopTimeout, 30s by default)")
	fs.IntVar(&cfg.MaxConnections, "max-connections", cfg.MaxConnections, "maximum open client connections (about 20 KB each when idle, up to about 80 KB while a request's headers arrive); beyond it new connections wait until one closes; lowered to fit the open-file limit")
	fs.IntVar(&cfg.MaxHeaderBytes, "max-header-bytes", cfg.MaxHeaderBytes, "maximum `bytes` of a request's line and headers (24 KiB to 1 MiB; CloudFront sends at most 20,480); a longer request gets 431")
	fs.StringVar(&cfg.MetricsAddr, "metrics-listen", "", "serve /metrics on this `address` host:port only, not on --listen (for a port only the VPC reaches)")
	fs.IntVar(&cfg.MetricsMaxConnections, "metrics-max-connections", cfg.MetricsMaxConnections, "maximum open connections to --metrics-listen; beyond it new ones wait")
	fs.Var(durationValue{&cfg.CloudFrontKeepAlive}, "cloudfront-keepalive", "the distribution's origin keep-alive timeout `duration`, to check the timeout order (0: not checked)")
	fs.Var(durationValue{&cfg.LoadBalancerIdle}, "lb-idle-timeout", "the load balancer's idle timeout `duration`, to check the timeout order (0: not checked; NLB default 350s, ALB 60s)")
	fs.StringVar(&cfg.VerifyHeader, "origin-verify-header", cfg.VerifyHeader, "header `name` that must carry the origin-verify secret")
	fs.StringVar(&secretFile, flagSecretFile, "", "read the origin-verify secret from this `file` (or set $"+envSecret+"); no secret: verification off")
	fs.BoolVar(&cfg.LogHealthChecks, "log-health-checks", false, "include /healthz requests in the access log")
	fs.BoolVar(&opts.version, "version", false, "print the version and exit")
	for _, e := range envOf {
		fs.Lookup(e.flag).Usage += " [$" + e.env + "]"
	}

	var errs []error
	envGiven := map[string]bool{}
	for _, e := range envOf {
		v := getenv(e.env)
		if v == "" {
			continue
		}
		envGiven[e.flag] = true
		if err := fs.Lookup(e.flag).Value.Set(v); err != nil {
			errs = append(errs, fmt.Errorf("invalid value %q for $%s: %w", v, e.env, err))
		}
	}
	if err := parseAll(fs, args, &errs); errors.Is(err, pflag.ErrHelp) {
		printUsage(stdout, fs)
		return opts, err
	}
	given := func(name string) bool { return envGiven[name] || fs.Changed(name) }
	errs = append(errs, refuseDefaulting(fs, envGiven)...)

	secret, err := readSecret(getenv(envSecret), secretFile, readFile)
	if err != nil {
		errs = append(errs, err)
	}
	cfg.VerifySecret = secret
	if secret == "" && err == nil && given("origin-verify-header") && cfg.VerifyHeader != "" {
		errs = append(errs, fmt.Errorf("origin-verify header %q given without a secret: set $%s or --%s", cfg.VerifyHeader, envSecret, flagSecretFile))
	}
	return opts, errors.Join(errs...)
}

// defaulting are the flags whose zero or empty value the origin's Config
// replaces with the default: given explicitly, it is refused rather than
// silently becoming the default (--drain-period 0, --cloudfront-keepalive 0
// and --lb-idle-timeout 0 have meanings of their own and are not here).
var defaulting = []string{
	"listen", "idle-timeout", "read-header-timeout", "read-timeout", "write-timeout", "shutdown-timeout",
	"max-connections", "max-header-bytes", "metrics-max-connections", "origin-verify-header",
}

// refuseDefaulting returns a problem for each flag of defaulting given
// (on the command line, or else in the environment) with a zero or empty
// value, naming what to change.
func refuseDefaulting(fs *pflag.FlagSet, envGiven map[string]bool) []error {
	var errs []error
	for _, name := range defaulting {
		f := fs.Lookup(name)
		if v := f.Value.String(); v != "" && v != "0" || !fs.Changed(name) && !envGiven[name] {
			continue
		}
		value, want := "0", "want at least 1"
		switch f.Value.Type() {
		case "duration":
			want = "want a positive duration"
		case "string":
			value, want = `""`, "want a value"
		}
		given := "--" + name + " " + value
		if !fs.Changed(name) {
			given = "$" + envName(name) + "=" + value
		}
		errs = append(errs, fmt.Errorf("%s: %s (or leave it out for the default, %s)", given, want, f.DefValue))
	}
	return errs
}

// envName is the environment variable of flag name.
func envName(name string) string {
	for _, e := range envOf {
		if e.flag == name {
			return e.env
		}
	}
	return ""
}

// parseAll parses args and, unlike FlagSet.Parse, goes on after a bad
// value or an unknown flag, so that every problem is reported at once
// (appended to errs). The argument after an unknown flag is skipped when it
// is not a flag itself: it was most likely that flag's value. A stray
// argument is a problem too. It returns pflag.ErrHelp for --help and -h,
// nil otherwise.
func parseAll(fs *pflag.FlagSet, args []string, errs *[]error) error {
	fs.ParseErrorsAllowlist.UnknownFlagsHandling = pflag.PassUnknownFlagToArgs
	err := fs.ParseAll(flagstyle.Normalize(fs, args), func(f *pflag.Flag, value string) error {
		if err := fs.Set(f.Name, value); err != nil {
			*errs = append(*errs, err)
		}
		return nil
	})
	switch {
	case errors.Is(err, pflag.ErrHelp):
		return err
	case err != nil: // a flag without its value: the last argument
		*errs = append(*errs, err)
	}
	rest := fs.Args()
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if !strings.HasPrefix(a, "-") || a == "-" {
			*errs = append(*errs, fmt.Errorf("unexpected argument %q", a))
			continue
		}
		name, _, hasValue := strings.Cut(a, "=")
		*errs = append(*errs, fmt.Errorf("unknown flag: %s", name))
		if !hasValue && i+1 < len(rest) && !strings.HasPrefix(rest[i+1], "-") {
			i++
		}
	}
	return nil
}

// readSecret returns the origin-verify secret from the environment or from
// a file (one trailing newline removed), never both.
func readSecret(fromEnv, file string, readFile func(string) ([]byte, error)) (string, error) {
	switch {
	case file == "":
		return fromEnv, nil
	case fromEnv != "":
		return "", fmt.Errorf("origin-verify secret given twice: set $%s or --%s, not both", envSecret, flagSecretFile)
	}
	b, err := readFile(file)
	if err != nil {
		return "", fmt.Errorf("origin-verify secret file: %w", err)
	}
	secret := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	if secret == "" {
		return "", fmt.Errorf("origin-verify secret file %s is empty", file)
	}
	return secret, nil
}

func printUsage(w io.Writer, fs *pflag.FlagSet) {
	fmt.Fprintf(w, `Usage: current-time-app [flags]

The sample CloudFront origin: GET / answers "Current date and time: <RFC1123 UTC>",
/healthz answers health checks, /metrics exposes Prometheus metrics (on
--metrics-listen when given). Access log: JSON on stdout. SIGTERM/SIGINT start the
drain (/healthz 503, Connection: close on every response), then a graceful
shutdown and exit 0; a second signal exits at once.

Every flag can be given as the environment variable in brackets; the flag wins.
Durations are Go durations (75s, 2m). The secret comes only from $%s or a file.

Flags:
`, envSecret)
	flagstyle.PrintFlags(w, fs)
}

// durationValue is a pflag.Value for a time.Duration that shows no
// default when the default is 0 (not checked, or not set).
type durationValue struct{ d *time.Duration }

func (durationValue) Type() string { return "duration" }

func (v durationValue) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*v.d = d
	return nil
}

func (v durationValue) String() string {
	if v.d == nil || *v.d == 0 {
		return ""
	}
	return v.d.String()
}

// drainValue is --drain-period: a duration, of which 0 means no drain at
// all (origin.NoDrain) rather than the default, since a zero
// Config.DrainPeriod takes the default. A negative one is refused.
type drainValue struct{ d *time.Duration }

func (drainValue) Type() string { return "duration" }

func (v drainValue) Set(s string) error {
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return err
	case d < 0:
		return errors.New("negative: want 0 (no drain) or more")
	case d == 0:
		d = origin.NoDrain
	}
	*v.d = d
	return nil
}

func (v drainValue) String() string {
	if v.d != nil && *v.d == origin.NoDrain {
		return "0s"
	}
	return durationValue(v).String()
}
