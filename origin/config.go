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
	DefaultWriteTimeout      = 10 * time.Second
	DefaultShutdownTimeout   = 25 * time.Second // below ECS's default 30 s stop timeout
	DefaultVerifyHeader      = "X-Origin-Verify"
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
	// WriteTimeout bounds the time from the end of the request headers to
	// the end of the response (default 10 s).
	WriteTimeout time.Duration
	// ShutdownTimeout is how long a graceful shutdown may drain in-flight
	// requests before the remaining connections are closed (default 25 s).
	ShutdownTimeout time.Duration

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
	config.Default(&c.WriteTimeout, DefaultWriteTimeout)
	config.Default(&c.ShutdownTimeout, DefaultShutdownTimeout)
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

	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"idle timeout", c.IdleTimeout},
		{"read-header timeout", c.ReadHeaderTimeout},
		{"write timeout", c.WriteTimeout},
		{"shutdown timeout", c.ShutdownTimeout},
		{"CloudFront keep-alive timeout", c.CloudFrontKeepAlive},
		{"load balancer idle timeout", c.LoadBalancerIdle},
	} {
		if d.v < 0 {
			add("%s %v is negative", d.name, d.v)
		}
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
