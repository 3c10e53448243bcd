package warm

import (
	"crypto/tls"
	"crypto/x509"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/edgehosts"
	"github.com/cfprewarm/cfprewarm/internal/buildinfo"
	"github.com/cfprewarm/cfprewarm/internal/config"
	"github.com/cfprewarm/cfprewarm/probe"
)

// Defaults applied to zero fields of a Config.
const (
	DefaultPath           = "/"
	DefaultMethod         = http.MethodGet
	DefaultRequestsPerPOP = 60
	DefaultConcurrency    = 120 // two POPs' worth of the default 60 at once
	DefaultTimeout        = 10 * time.Second
	DefaultWaves          = 1
	DefaultWaveInterval   = 20 * time.Second
	DefaultKeepAlive      = 60 * time.Second
	DefaultPort           = 443
	DefaultMaxBody        = 64 << 10

	// Sizing (Auto): see sizing.go and docs/warm.md.
	DefaultCoverage    = 0.99
	DefaultMinRequests = 8
	DefaultMaxRequests = 200
	DefaultHosts       = 16 // edge hosts assumed of a POP not measured yet
	DefaultTLSVersion  = tls.VersionTLS12
)

// Limits: Validate rejects values beyond them as absurd.
const (
	MaxPOPs           = 600
	MaxRequestsPerPOP = edgehosts.MaxRequestsPerPOP
	MaxConcurrency    = 2000
	MaxWaves          = edgehosts.MaxWaves
	MaxRequestsPerRun = 100_000 // Waves × POPs × RequestsPerPOP
	MaxTimeout        = 2 * time.Minute
	MaxWaveInterval   = time.Hour
	MaxKeepAlive      = time.Hour
	MaxBodyLimit      = 10 << 20
)

// Config describes one prewarm run. Zero fields take the defaults above
// (withDefaults, the one place they are applied); check a Config with
// Validate (NewRunner and Run do).
type Config struct {
	// Distribution is the distribution's domain, dXXXX.cloudfront.net. The
	// name of a POP is built from it: dXXXX.<POP>.cloudfront.net.
	Distribution string
	// Host is the SNI and Host of every request: a custom domain of the
	// distribution, or the distribution domain (the default).
	Host   string
	Path   string // request path and query; default "/"
	Method string // GET (default) or HEAD

	POPs           []string // POP codes such as HKG54-C1
	RequestsPerPOP int      // requests per POP per wave; default 60
	Concurrency    int      // requests in flight at most, over all POPs; default 120
	Timeout        time.Duration

	// Waves per run, WaveInterval apart (start to start). WaveInterval
	// must be shorter than KeepAlive, CloudFront's origin keep-alive
	// timeout, or the origin connections close between waves.
	Waves        int
	WaveInterval time.Duration
	KeepAlive    time.Duration

	Port      int    // default 443
	IPVersion int    // 0: IPv4 and IPv6 addresses of a POP; 4 or 6: only that family
	DNSServer string // host[:port] of the resolver; "" means the system's

	Header    http.Header // extra request headers (not Host: that is Host above)
	UserAgent string      // default UserAgent(the module version)

	// Trust roots. TLS is always verified against Host. CAFile adds a PEM
	// file to the system roots; RootCAs replaces them (the lab). Not both.
	CAFile  string
	RootCAs *x509.CertPool

	Dial    probe.DialFunc // nil means a net.Dialer; the lab injects latency here
	MaxBody int64          // response body bytes read at most; default 64 KiB

	Logger *slog.Logger // nil means slog.Default()

	// Sizing. With Auto, each POP's requests per wave are the fewest that
	// reach Coverage of its edge hosts (1 − (1 − 1/H)^N ≥ Coverage), with H
	// the POP's estimated host count (package edgehosts, from the edge host
	// ids of the responses), or KnownHosts' entry, or Hosts while neither
	// is known; at least MinRequests, at most MaxRequests. RequestsPerPOP
	// is not used then. Adapt adjusts that number wave by wave from the
	// origin-cold ratio the waves observe (sizing.go).
	Auto                     bool
	Coverage                 float64 // default 0.99
	MinRequests, MaxRequests int     // default 8 and 200
	Hosts                    int     // default 16
	KnownHosts               map[string]edgehosts.Estimate
	Adapt                    bool
	// State keeps what the waves learned about each POP (edge host ids,
	// estimates, adaptive steps) and the TLS sessions of its addresses.
	// Share one between Runners to carry it across runs (the Lambda across
	// invocations); nil means the Runner's own.
	State *State

	// ClientSubnets are more targets: for each, the distribution domain is
	// resolved with EDNS Client Subnet as for viewers in that network, and
	// the POP it leads to is warmed (a POP whose <dist>.<POP> name does not
	// resolve, or to learn where a network lands).
	ClientSubnets []netip.Prefix

	// HostIDHeader, when set, names the response header that identifies
	// the edge server (cloudfront.HeaderEdgeServerIP on the origin's
	// prewarm path, origin.HostIDPath): the answers are counted by it
	// instead of the via id.
	HostIDHeader string

	// TLSVersion is the highest TLS version offered: tls.VersionTLS12 (the
	// default: its session-ticket resumption needs no key exchange) or
	// tls.VersionTLS13. A POP that speaks only TLS 1.3 gets TLS 1.3 either
	// way. See docs/warm.md.
	TLSVersion uint16
}

// WithDefaults returns a copy with zero fields set to their defaults and
// codes, method, names and client subnets normalized, as NewRunner and
// Validate see it: for a front end that needs the effective values (the
// Lambda's ceiling) without applying warm's defaults a second time.
func (c Config) WithDefaults() Config { return c.withDefaults() }

// withDefaults is WithDefaults: the one place warm's defaults are applied.
func (c Config) withDefaults() Config {
	c.Distribution = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(c.Distribution), "."))
	c.Host = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(c.Host), "."))
	config.Default(&c.Host, c.Distribution)
	config.Default(&c.Path, DefaultPath)
	c.Method = strings.ToUpper(c.Method)
	config.Default(&c.Method, DefaultMethod)
	c.POPs = cloudfront.NormalizePOPCodes(c.POPs) // validate refuses the others, quoting the rule
	config.Default(&c.RequestsPerPOP, DefaultRequestsPerPOP)
	config.Default(&c.Concurrency, DefaultConcurrency)
	config.Default(&c.Timeout, DefaultTimeout)
	config.Default(&c.Waves, DefaultWaves)
	config.Default(&c.WaveInterval, DefaultWaveInterval)
	config.Default(&c.KeepAlive, DefaultKeepAlive)
	config.Default(&c.Port, DefaultPort)
	config.Default(&c.MaxBody, DefaultMaxBody)
	config.Default(&c.UserAgent, UserAgent(moduleVersion()))
	config.Default(&c.Logger, slog.Default())
	config.Default(&c.Coverage, DefaultCoverage)
	config.Default(&c.MinRequests, DefaultMinRequests)
	config.Default(&c.MaxRequests, DefaultMaxRequests)
	config.Default(&c.Hosts, DefaultHosts)
	config.Default(&c.TLSVersion, DefaultTLSVersion)
	subnets := make([]netip.Prefix, 0, len(c.ClientSubnets))
	for _, s := range c.ClientSubnets {
		subnets = append(subnets, s.Masked())
	}
	c.ClientSubnets = subnets
	return c
}

// UserAgent is the User-Agent the prewarmer sends: it names the tool and its
// version so an origin's logs can tell prewarm requests from users.
func UserAgent(version string) string { return buildinfo.PrewarmUserAgent(version) }

// moduleVersion is the version of the main module the binary was built
// from ("dev+<commit>" for a development build), or "dev".
func moduleVersion() string { return buildinfo.Read("").Short() }
