package doctor

import (
	"crypto/x509"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/edgehosts"
	"github.com/cfprewarm/cfprewarm/internal/config"
	"github.com/cfprewarm/cfprewarm/probe"
)

// Defaults applied to zero fields of a Config.
const (
	DefaultPort        = 443
	DefaultPath        = "/"
	DefaultTimeout     = 10 * time.Second
	DefaultSamples     = 96 // census requests per POP, each on a new connection
	DefaultLookups     = 3
	DefaultLookupGap   = 2 * time.Second
	DefaultMinKeep     = time.Second       // the keep-alive search's range: CloudFront's
	DefaultMaxKeep     = 180 * time.Second // 1–180 s
	DefaultTolerance   = 0.10              // the search stops when it knows K within ±10%
	DefaultMaxTrials   = 12                // keep-alive trials per POP at most
	DefaultBurst       = 16                // requests of a trial's burst
	DefaultMaxWarmup   = 150               // requests of a trial's warm-up at most
	DefaultConcurrency = 64
	DefaultOriginWait  = 400 * time.Second // the longest wait for the origin to close an idle connection (> NLB's 350 s)
	DefaultBudget      = 5000
	DefaultHosts       = 16 // the fallback of a POP whose ids give no estimate
)

// Limits: Validate refuses values beyond them.
const (
	MaxPOPs    = 50
	MaxSamples = 2000
	MaxBudget  = 100_000
)

// Config describes one doctor run. Zero fields take the defaults above
// (withDefaults); check it with Validate (Run does).
type Config struct {
	// Distribution is the distribution domain, dXXXX.cloudfront.net: the
	// POPs' names are built from it. Host is the SNI and Host of every
	// request to the distribution (default: Distribution). Path is the
	// request path (origin.HostIDPath for the host identity).
	Distribution string
	Host         string
	Path         string
	// POPs are the POP codes to examine; none means the POP the
	// distribution's own name leads to (the one that answers the first
	// request).
	POPs []string
	Port int

	// Connection settings, as warm's.
	DNSServer string // host[:port]; "" means the system's resolver
	CAFile    string
	RootCAs   *x509.CertPool
	Header    http.Header
	UserAgent string
	Timeout   time.Duration
	IPVersion int            // 0, 4 or 6
	Dial      probe.DialFunc // the lab adds latency here

	// Census: Samples requests per POP on new connections, spread over the
	// POP's addresses (the ids, the estimate per address and pooled, the
	// verdict), and Lookups DNS lookups LookupGap apart.
	Samples   int
	Lookups   int
	LookupGap time.Duration
	// HostIDHeader names the response header with the edge server's
	// documented identity (cloudfront.HeaderEdgeServerIP on
	// origin.HostIDPath): the census compares it with the via ids.
	HostIDHeader string

	// The keep-alive search: trials of a warm-up (enough requests for 99%
	// of the POP's estimated hosts, MaxWarmup at most), a wait g and a
	// burst of Burst requests, g searched in [MinKeepAlive, MaxKeepAlive]
	// until K is known within Tolerance, MaxTrials trials per POP at most.
	// SkipKeepAlive leaves it out.
	SkipKeepAlive bool
	MinKeepAlive  time.Duration
	MaxKeepAlive  time.Duration
	Tolerance     float64
	MaxTrials     int
	Burst         int
	MaxWarmup     int
	Concurrency   int

	// Origin, when set, is the origin's own URL (https://host:port/path,
	// reachable from here): its idle timeout is measured directly, OriginWait
	// at most. ConfiguredKeepAlive (the distribution's setting) and
	// LBIdle (the load balancer's idle timeout), when known, complete the
	// timeout order check.
	Origin              string
	OriginWait          time.Duration
	ConfiguredKeepAlive time.Duration
	LBIdle              time.Duration

	// Budget is the most billed requests (to the distribution) the run may
	// send: a run whose plan needs more is refused before its first
	// request.
	Budget int
	// Hosts is the host count written to the hosts file for a POP whose
	// ids give no estimate.
	Hosts int

	// Progress, when set, receives a line for people as each step goes.
	Progress func(string)
	Logger   *slog.Logger
}

// withDefaults returns c with its defaults: the one place they are applied.
func (c Config) withDefaults() Config {
	c.Distribution = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(c.Distribution), "."))
	c.Host = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(c.Host), "."))
	config.Default(&c.Host, c.Distribution)
	config.Default(&c.Path, DefaultPath)
	c.POPs = cloudfront.NormalizePOPCodes(c.POPs) // validate refuses the others, quoting the rule
	config.Default(&c.Port, DefaultPort)
	config.Default(&c.Timeout, DefaultTimeout)
	config.Default(&c.Samples, DefaultSamples)
	config.Default(&c.Lookups, DefaultLookups)
	config.Default(&c.LookupGap, DefaultLookupGap)
	config.Default(&c.MinKeepAlive, DefaultMinKeep)
	config.Default(&c.MaxKeepAlive, DefaultMaxKeep)
	config.Default(&c.Tolerance, DefaultTolerance)
	config.Default(&c.MaxTrials, DefaultMaxTrials)
	config.Default(&c.Burst, DefaultBurst)
	config.Default(&c.MaxWarmup, DefaultMaxWarmup)
	config.Default(&c.Concurrency, DefaultConcurrency)
	config.Default(&c.OriginWait, DefaultOriginWait)
	config.Default(&c.Budget, DefaultBudget)
	config.Default(&c.Hosts, DefaultHosts)
	config.Default(&c.Logger, slog.New(slog.DiscardHandler))
	return c
}

// Validate checks every field (after defaults) and returns all problems
// at once as a *config.Error, or nil.
func (c Config) Validate() error { return c.withDefaults().validate() }

func (c Config) validate() error {
	var p config.Problems
	if c.Distribution == "" {
		p.Add("distribution: required (the distribution domain, e.g. d111111abcdef8.cloudfront.net)")
	} else if _, err := cloudfront.DistributionLabel(c.Distribution); err != nil || !strings.HasSuffix(c.Distribution, cloudfront.DomainSuffix) {
		p.Add("distribution %q: want the distribution domain, e.g. d111111abcdef8.cloudfront.net", c.Distribution)
	}
	if c.Host != "" && !cloudfront.ValidHostname(c.Host) {
		p.Add("host %q: want a DNS name such as api.example.com", c.Host)
	}
	if !strings.HasPrefix(c.Path, "/") || strings.ContainsAny(c.Path, " \t\r\n#") {
		p.Add("path %q: want a request path starting with /", c.Path)
	}
	if len(c.POPs) > MaxPOPs {
		p.Add("POPs: %d is more than the limit of %d", len(c.POPs), MaxPOPs)
	}
	seen := map[string]bool{}
	for _, code := range c.POPs {
		if _, err := cloudfront.NormalizePOPCode(code); err != nil {
			p.AddErr(err)
		} else if seen[code] {
			p.Add("POP %s: listed twice", code)
		}
		seen[code] = true
	}
	p.Range("port", c.Port, 1, 65535)
	p.Range("samples", c.Samples, edgehosts.MinResponses, MaxSamples)
	p.Range("lookups", c.Lookups, 1, 20)
	p.Range("max trials", c.MaxTrials, 2, 40)
	p.Range("burst", c.Burst, 4, 500)
	p.Range("max warm-up", c.MaxWarmup, 8, 1000)
	p.Range("concurrency", c.Concurrency, 1, 2000)
	p.Range("budget", c.Budget, 1, MaxBudget)
	p.Range("hosts", c.Hosts, 1, edgehosts.MaxHosts)
	if c.MinKeepAlive <= 0 || c.MaxKeepAlive <= c.MinKeepAlive {
		p.Add("keep-alive search range %v–%v: want 0 < min < max", c.MinKeepAlive, c.MaxKeepAlive)
	}
	if !(c.Tolerance > 0 && c.Tolerance < 1) {
		p.Add("tolerance %v: want more than 0 and less than 1, e.g. 0.1", c.Tolerance)
	}
	if c.IPVersion != 0 && c.IPVersion != 4 && c.IPVersion != 6 {
		p.Add("IP version %d: want 4, 6 or 0 (both)", c.IPVersion)
	}
	if c.DNSServer != "" {
		_, err := probe.DNSServerAddr(c.DNSServer)
		p.AddErr(err)
	}
	if c.HostIDHeader != "" && !cloudfront.ValidToken(c.HostIDHeader) {
		p.Add("host id header %q: not a valid header name", c.HostIDHeader)
	}
	for _, err := range cloudfront.HeaderErrors(c.Header) {
		p.AddErr(err)
	}
	if c.CAFile != "" && c.RootCAs != nil {
		p.Add("CA file and root CAs: set one, not both")
	}
	if c.Origin != "" {
		if _, err := originAddr(c.Origin); err != nil {
			p.AddErr(err)
		}
	}
	if c.ConfiguredKeepAlive < 0 || c.LBIdle < 0 || c.OriginWait <= 0 || c.Timeout <= 0 || c.LookupGap < 0 {
		p.Add("durations must not be negative (keep-alive, load balancer idle, origin wait, timeout, lookup gap)")
	}
	return p.Err("doctor configuration")
}

// URL is the distribution URL the requests name.
func (c Config) URL() string {
	hostport := c.Host
	if c.Port != 443 {
		hostport = net.JoinHostPort(c.Host, strconv.Itoa(c.Port))
	}
	return "https://" + hostport + c.Path
}

// originAddr checks the origin URL and returns its host:port.
func originAddr(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Hostname() == "" {
		return "", fmt.Errorf("origin %q: want https://host[:port]/path", raw)
	}
	port := u.Port()
	if port == "" {
		port = "443"
	}
	return net.JoinHostPort(u.Hostname(), port), nil
}
