package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cfprewarm/cfprewarm/internal/flagstyle"
	"github.com/spf13/pflag"

	"github.com/cfprewarm/cfprewarm/cloudfront"
)

// errHelp is returned (wrapped in usageError) when the user asked for --help;
// it exits 0 after the usage text was printed.
var errHelp = usageError{pflag.ErrHelp}

// flagSet is a GNU-style flag set (--long, -s) that never exits, keeps parse
// errors to one line (the caller prints them) and prints the full usage only
// for --help.
type flagSet struct {
	*pflag.FlagSet
	synopsis string // "probe [flags] URL"
	about    string // a paragraph printed under the synopsis
	out      io.Writer
}

func newFlagSet(name, synopsis, about string, out io.Writer) *flagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.SortFlags = false
	return &flagSet{FlagSet: fs, synopsis: synopsis, about: about, out: out}
}

func (f *flagSet) printUsage() {
	fmt.Fprintf(f.out, "Usage: cfprewarm %s\n\n", f.synopsis)
	if f.about != "" {
		fmt.Fprintf(f.out, "%s\n\n", strings.TrimSpace(f.about))
	}
	fmt.Fprintln(f.out, "Flags:")
	flagstyle.PrintFlags(f.out, f.FlagSet)
}

// parse parses args (flags may follow positional arguments: cfprewarm probe
// URL --count 5; "--" ends the flags) and maps errors to usage errors. A
// long flag written with one dash (-count 5, as Go's flag package takes it)
// is read as --count (flagstyle.Normalize).
func (f *flagSet) parse(args []string) ([]string, error) {
	args = flagstyle.Normalize(f.FlagSet, args)
	if err := f.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			f.printUsage()
			return nil, errHelp
		}
		return nil, usageError{f.explain(err)}
	}
	return f.Args(), nil
}

// explain adds to an unknown long flag the flag it most likely meant:
// "unknown flag --pop: did you mean --pops?".
func (f *flagSet) explain(err error) error {
	var ne *pflag.NotExistError
	if !errors.As(err, &ne) || !strings.HasPrefix(err.Error(), "unknown flag: --") {
		return err
	}
	var names []string
	f.VisitAll(func(fl *pflag.Flag) { names = append(names, fl.Name) })
	name := ne.GetSpecifiedName()
	return fmt.Errorf("unknown flag --%s%s", name, didYouMean(name, names, "--"))
}

// refuseZero makes an explicit 0 for any of the named flags a usage error:
// zero means "the default" to the libraries, on the command line it is a
// mistake.
func refuseZero(fs *flagSet, names ...string) error {
	for _, name := range names {
		if !fs.Changed(name) {
			continue
		}
		switch fs.Lookup(name).Value.String() {
		case "0", "0s", "0.0":
			return usagef("--%s must not be 0", name)
		}
	}
	return nil
}

// checkDistribution refuses anything but a distribution domain, naming
// what to give instead: the domain of a URL, or --host for a custom
// domain. It keeps the engine's checks from also blaming --host, which
// defaults to the distribution.
func checkDistribution(s string) error {
	if label, err := cloudfront.DistributionLabel(s); err == nil {
		if !strings.HasSuffix(s, cloudfront.DomainSuffix) {
			return usagef("%q: give the distribution domain as %s", s, label+cloudfront.DomainSuffix)
		}
		return nil
	}
	if u, err := url.Parse(s); err == nil && u.Scheme != "" && u.Host != "" {
		if label, err := cloudfront.DistributionLabel(u.Hostname()); err == nil {
			return usagef("%q is a URL: give the distribution domain alone, %s", s, label+cloudfront.DomainSuffix)
		}
	}
	return usagef("%q: want the distribution domain, e.g. d111111abcdef8.cloudfront.net (a custom domain goes to --host)", s)
}

// connFlags are the connection flags probe and warm share, with curl's
// short forms where curl has one.
type connFlags struct {
	dnsServer string
	cacert    string
	headers   []string
	userAgent string
	timeout   time.Duration
	head      bool
	v4, v6    bool
	insecure  bool
}

// register defines the flags; what says what -4/-6 restrict ("connect").
func (c *connFlags) register(fs *flagSet, what, userAgent string, timeout time.Duration) {
	fs.StringVar(&c.dnsServer, "dns-server", "", "resolver `host[:port]` to use instead of the system's")
	fs.StringVar(&c.cacert, "cacert", "", "PEM `file` of CA certificates added to the system roots")
	fs.BoolVarP(&c.insecure, "insecure", "k", false, "refused: TLS is always verified (give the CA with --cacert)")
	fs.StringArrayVarP(&c.headers, "header", "H", nil, "extra request `header` 'Name: value' (repeatable)")
	fs.StringVarP(&c.userAgent, "user-agent", "A", userAgent, "User-Agent header")
	fs.DurationVarP(&c.timeout, "timeout", "m", timeout, "time limit of each request (curl's --max-time)")
	fs.BoolVarP(&c.head, "head", "I", false, "send HEAD instead of GET")
	fs.BoolVarP(&c.v4, "ipv4", "4", false, what+" over IPv4 only")
	fs.BoolVarP(&c.v6, "ipv6", "6", false, what+" over IPv6 only")
}

// check refuses what the connection flags cannot mean.
func (c *connFlags) check(fs *flagSet) error {
	switch {
	case c.insecure:
		return usagef("-k/--insecure is refused: cfprewarm always verifies TLS; add your CA with --cacert FILE")
	case c.v4 && c.v6:
		return usagef("-4 and -6 exclude each other")
	case fs.Changed("dns-server") && strings.TrimSpace(c.dnsServer) == "":
		return usagef("--dns-server is empty: give a resolver host[:port], or leave the flag out for the system's")
	}
	return refuseZero(fs, "timeout")
}

// ipVersion is 0 (both), 4 or 6.
func (c *connFlags) ipVersion() int {
	switch {
	case c.v4:
		return 4
	case c.v6:
		return 6
	}
	return 0
}

// method is GET, or HEAD with -I.
func (c *connFlags) method() string {
	if c.head {
		return http.MethodHead
	}
	return http.MethodGet
}

// header turns the repeated "Name: value" flags into a header.
func (c *connFlags) header() (http.Header, error) {
	h := http.Header{}
	for _, s := range c.headers {
		name, value, ok := strings.Cut(s, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, usagef("header %q: want 'Name: value'", s)
		}
		h.Add(name, strings.TrimSpace(value))
	}
	return h, nil
}

// splitList splits comma-separated values of a repeatable flag, dropping
// empty items and spaces.
func splitList(values []string) []string {
	var out []string
	for _, v := range values {
		for item := range strings.SplitSeq(v, ",") {
			if item = strings.TrimSpace(item); item != "" {
				out = append(out, item)
			}
		}
	}
	return out
}
