package origin

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/internal/config"
)

// Defaults used for zero fields of Config.
const (
	DefaultAddr              = ":8080"
	DefaultIdleTimeout       = 75 * time.Second
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = 15 * time.Second
	DefaultWriteTimeout      = 10 * time.Second
	// DefaultDrainPeriod and DefaultShutdownTimeout add up to 25 s, below
	// ECS's default 30 s stop timeout; the drain matches the CDK stack's NLB
	// deregistration delay (docs/origin.md, "Draining").
	DefaultDrainPeriod     = 15 * time.Second
	DefaultShutdownTimeout = 10 * time.Second
	// DefaultMaxConnections caps open client connections: an idle
	// keep-alive connection costs about 20 KB, so 10,000 of them about
	// 200 MB, within the CDK task's 512 MB. One holding an unfinished
	// request of MaxHeaderBytes (32 KiB) costs about 80 KB.
	DefaultMaxConnections = 10000
	DefaultVerifyHeader   = "X-Origin-Verify"
	// DefaultMaxHeaderBytes bounds a request's line and headers. CloudFront
	// sends at most 20,480 bytes of request line and headers to an origin
	// (its quota "maximum length of a request, including headers and query
	// strings") plus the few headers it adds; Go's default of 1 MB lets one
	// connection holding an unfinished request take about 1.7 MB.
	DefaultMaxHeaderBytes = 32 << 10
	// DefaultMetricsMaxConnections caps the metrics listener's open
	// connections: a scraper or two, never thousands.
	DefaultMetricsMaxConnections = 16
)

// Bounds of MaxHeaderBytes: below the lower CloudFront's requests would
// not fit; above the upper is Go's own default, which the limit is for.
const (
	MinMaxHeaderBytes = 24 << 10
	MaxMaxHeaderBytes = 1 << 20
)

// NoDrain as Config.DrainPeriod shuts down at once, without a drain
// period (the lab and tests; never behind a load balancer).
const NoDrain time.Duration = -1

// Floors below which a timeout is refused: a server with a 1 ns
// read-header timeout answers nothing. MinIdleTimeout is lower because
// the lab divides the idle timeout by its time scale.
const (
	MinTimeout     = 100 * time.Millisecond // read-header, read, write and shutdown timeouts
	MinIdleTimeout = time.Millisecond
)

// ErrTimeoutOrder is wrapped by the Validate errors that report timeouts in
// the wrong order: the idle timeout must be longer than CloudFront's origin
// keep-alive timeout and shorter than the load balancer's idle timeout.
var ErrTimeoutOrder = errors.New("timeouts in the wrong order")

// Config configures a Server. Zero durations and an empty Addr or
// VerifyHeader take the defaults above; Validate checks the result.
type Config struct {
	// Addr is the listen address of ListenAndServe (default ":8080").
	// Serve ignores it and uses the listener it is given.
	Addr string

	// CertFile and KeyFile, both or neither, turn on TLS (1.2 and later,
	// HTTP/2 and HTTP/1.1). TLSConfig, when set, is used instead of the
	// files; it must carry a certificate.
	CertFile, KeyFile string
	TLSConfig         *tls.Config

	// IdleTimeout closes keep-alive connections idle that long (default
	// 75 s). It must be longer than CloudFrontKeepAlive and shorter than
	// LoadBalancerIdle when those are given.
	IdleTimeout time.Duration
	// ReadHeaderTimeout bounds the TLS handshake and the reading of each
	// request's headers (default 10 s): slow clients are cut off.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds the reading of a whole request, headers and body,
	// from its first byte (default 15 s; not shorter than
	// ReadHeaderTimeout). The routes read no body, but net/http reads a
	// small unread body before it answers: without this bound a body that
	// never comes holds the connection forever.
	ReadTimeout time.Duration
	// WriteTimeout bounds the time from the end of the request headers to
	// the end of the response (default 10 s).
	WriteTimeout time.Duration
	// DrainPeriod is how long the server keeps serving once Serve's
	// context is done (default 15 s; NoDrain: none): /healthz answers 503
	// so the load balancer stops sending new connections, the listener
	// stays open, every response carries "Connection: close", and idle
	// keep-alive connections stay open so that their next request is
	// answered (with that header) rather than met by a closed socket.
	DrainPeriod time.Duration
	// ShutdownTimeout is how long the graceful shutdown after the drain
	// period may wait for in-flight requests before the remaining
	// connections are closed (default 10 s).
	ShutdownTimeout time.Duration

	// MaxConnections caps the open client connections (default 10,000).
	// Beyond it new connections wait in the kernel's accept queue until
	// one closes (connect succeeds, the request waits); a full queue
	// refuses them. /metrics counts the times the cap was reached.
	MaxConnections int

	// MaxHeaderBytes bounds the request line and headers of a request
	// (default 32 KiB, from 24 KiB to 1 MiB; net/http allows 4 KiB more):
	// a longer one is answered 431 and its connection closed. It bounds
	// what a connection that sends an unfinished request can hold.
	MaxHeaderBytes int

	// MetricsAddr, when set, serves /metrics on its own listener at this
	// address (host:port) and not on the main one, so that a port only
	// the VPC reaches carries the metrics and CloudFront cannot reach
	// them. Empty: /metrics is a route of the main listener.
	MetricsAddr string
	// MetricsMaxConnections caps the metrics listener's open connections
	// (default 16), as MaxConnections does the main listener's: idle
	// connections to it cannot take the file descriptors the main
	// listener needs.
	MetricsMaxConnections int

	// CloudFrontKeepAlive is the distribution's origin keep-alive timeout
	// and LoadBalancerIdle the idle timeout of the load balancer in front of
	// the origin. Zero means not given: that side of the order is not checked.
	CloudFrontKeepAlive time.Duration
	LoadBalancerIdle    time.Duration

	// VerifySecret, when not empty, turns on origin verification: every
	// request except /healthz must carry header VerifyHeader (default
	// X-Origin-Verify) with exactly this value, or it gets 403.
	VerifyHeader string
	VerifySecret string

	// LogHealthChecks includes /healthz requests in the access log.
	LogHealthChecks bool

	// Now is the clock of the / handler; nil means time.Now.
	Now func() time.Time
}

// DefaultConfig returns a Config with every default filled in.
func DefaultConfig() Config {
	return Config{}.withDefaults()
}

// withDefaults returns c with zero fields set to their defaults.
func (c Config) withDefaults() Config {
	config.Default(&c.Addr, DefaultAddr)
	config.Default(&c.IdleTimeout, DefaultIdleTimeout)
	config.Default(&c.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	config.Default(&c.ReadTimeout, max(DefaultReadTimeout, c.ReadHeaderTimeout))
	config.Default(&c.WriteTimeout, DefaultWriteTimeout)
	config.Default(&c.DrainPeriod, DefaultDrainPeriod)
	config.Default(&c.ShutdownTimeout, DefaultShutdownTimeout)
	config.Default(&c.MaxConnections, DefaultMaxConnections)
	config.Default(&c.MaxHeaderBytes, DefaultMaxHeaderBytes)
	config.Default(&c.MetricsMaxConnections, DefaultMetricsMaxConnections)
	config.Default(&c.VerifyHeader, DefaultVerifyHeader)
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Validate reports every problem of c at once (a *config.Error), or nil.
// Errors about the timeout order wrap ErrTimeoutOrder.
func (c Config) Validate() error { return c.withDefaults().validate() }

// validate checks a Config whose defaults are applied.
func (c Config) validate() error {
	var p config.Problems
	add := p.Add

	if err := checkAddr(c.Addr); err != nil {
		add("listen address %q: %w", c.Addr, err)
	}
	switch {
	case c.TLSConfig != nil:
		if len(c.TLSConfig.Certificates) == 0 && c.TLSConfig.GetCertificate == nil && c.TLSConfig.GetConfigForClient == nil {
			add("TLS config has no certificate")
		}
	case (c.CertFile == "") != (c.KeyFile == ""):
		add("TLS needs both a certificate file and a key file (got cert %q, key %q)", c.CertFile, c.KeyFile)
	}

	if c.MetricsAddr != "" {
		if err := checkAddr(c.MetricsAddr); err != nil {
			add("metrics listen address %q: %w", c.MetricsAddr, err)
		} else if _, port, _ := net.SplitHostPort(c.MetricsAddr); c.MetricsAddr == c.Addr && port != "0" { // ":0" twice is two free ports
			add("metrics listen address %q is the listen address: give the metrics their own port", c.MetricsAddr)
		}
	}
	for _, d := range []struct {
		name  string
		v     time.Duration
		floor time.Duration
	}{
		{"idle timeout", c.IdleTimeout, MinIdleTimeout},
		{"read-header timeout", c.ReadHeaderTimeout, MinTimeout},
		{"read timeout", c.ReadTimeout, MinTimeout},
		{"write timeout", c.WriteTimeout, MinTimeout},
		{"shutdown timeout", c.ShutdownTimeout, MinTimeout},
		{"CloudFront keep-alive timeout", c.CloudFrontKeepAlive, 0},
		{"load balancer idle timeout", c.LoadBalancerIdle, 0},
	} {
		switch {
		case d.v < 0:
			add("%s %v is negative", d.name, d.v)
		case d.v < d.floor:
			add("%s %v is below the floor of %v", d.name, d.v, d.floor)
		}
	}
	if c.ReadTimeout < c.ReadHeaderTimeout {
		add("read timeout %v is shorter than the read-header timeout %v: it bounds the headers and the body together", c.ReadTimeout, c.ReadHeaderTimeout)
	}
	if c.DrainPeriod < 0 && c.DrainPeriod != NoDrain {
		add("drain period %v is negative", c.DrainPeriod)
	}
	if c.MaxConnections < 1 {
		add("maximum connections %d: want at least 1", c.MaxConnections)
	}
	if c.MetricsMaxConnections < 1 {
		add("maximum metrics connections %d: want at least 1", c.MetricsMaxConnections)
	}
	if c.MaxHeaderBytes < MinMaxHeaderBytes || c.MaxHeaderBytes > MaxMaxHeaderBytes {
		add("maximum header bytes %d: want %d (24 KiB, room for CloudFront's 20,480-byte requests) to %d (1 MiB)",
			c.MaxHeaderBytes, MinMaxHeaderBytes, MaxMaxHeaderBytes)
	}
	if c.CloudFrontKeepAlive > 0 && c.IdleTimeout <= c.CloudFrontKeepAlive {
		add("%w: idle timeout %v must be longer than the CloudFront origin keep-alive timeout %v, "+
			"or the origin closes connections CloudFront still counts on", ErrTimeoutOrder, c.IdleTimeout, c.CloudFrontKeepAlive)
	}
	if c.LoadBalancerIdle > 0 && c.IdleTimeout >= c.LoadBalancerIdle {
		add("%w: idle timeout %v must be shorter than the load balancer idle timeout %v, "+
			"or the load balancer drops connections the origin still holds open", ErrTimeoutOrder, c.IdleTimeout, c.LoadBalancerIdle)
	}

	if !cloudfront.ValidToken(c.VerifyHeader) {
		add("origin-verify header name %q is not a valid HTTP header name", c.VerifyHeader)
	}
	if c.VerifySecret != "" && !isPlainHeaderValue(c.VerifySecret) {
		add("origin-verify secret must be printable ASCII without leading or trailing spaces (it is sent as a header value)")
	}
	return p.Err("origin configuration")
}

// checkAddr accepts host:port with a numeric port or an empty host.
func checkAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if ae, ok := err.(*net.AddrError); ok {
		return errors.New(ae.Err) // without the address, which the caller shows
	} else if err != nil {
		return err
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("port %q is not a number from 0 to 65535", port)
	}
	return nil
}

// isPlainHeaderValue reports whether s survives a trip through a header
// unchanged: visible ASCII and inner spaces only.
func isPlainHeaderValue(s string) bool {
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
