package edge

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"regexp"
	"strings"
	"time"

	"github.com/cfprewarm/cfprewarm/internal/loopback/link"
)

// Defaults, CloudFront's where it has one.
const (
	DefaultKeepAlive         = 5 * time.Second  // origin keep-alive timeout
	DefaultOriginReadTimeout = 30 * time.Second // origin response timeout
	DefaultConnectTimeout    = 10 * time.Second // origin connection timeout
	MaxHosts                 = 4096
)

// Config describes one POP. Check it with Validate (New does).
type Config struct {
	// POP is the POP code, e.g. "HKG62-C1": letters, digits and dashes.
	POP string
	// Hosts is the number of edge hosts, each with its own origin
	// connection pool. 0 means 1. A real POP has many.
	Hosts int
	// KeepAlive is the origin keep-alive timeout: how long a host keeps an
	// idle origin connection. 0 means DefaultKeepAlive. CloudFront accepts
	// 1–180 s; the lab may scale it down, so any positive value is allowed.
	KeepAlive time.Duration

	// OriginAddr is the host:port the hosts connect to.
	OriginAddr string
	// OriginHost is the origin domain: the Host header, the TLS server
	// name and the name the origin certificate is verified for.
	OriginHost string
	// OriginRoots verifies the origin certificate; nil means the system
	// roots. Verification cannot be turned off.
	OriginRoots *x509.CertPool
	// OriginLink is the POP↔origin latency.
	OriginLink link.Link
	// OriginReadTimeout bounds the wait for the origin's response
	// headers. 0 means DefaultOriginReadTimeout.
	OriginReadTimeout time.Duration
	// ConnectTimeout bounds the origin TCP connect and the TLS handshake,
	// each. 0 means DefaultConnectTimeout.
	ConnectTimeout time.Duration

	// ViewerLink is the viewer↔POP latency, applied on the POP's side of
	// accepted connections; viewers must dial with ViewerLink.ConnectDial.
	ViewerLink link.Link
	// Cert is the viewer-facing certificate, e.g. for *.cloudfront.net and
	// the custom host.
	Cert tls.Certificate

	// ServerTimingSampleRate is the percentage (0–100) of requests that
	// get a Server-Timing header without asking; requests with
	// "Pragma: server-timing" always get it.
	ServerTimingSampleRate float64
	// Seed seeds the host assignment, the sampling and the host ids; with
	// the same seed and POP the same sequence of hosts is drawn.
	Seed uint64

	// Logger receives debug logs per request and warnings on origin
	// errors. Nil means slog.Default().
	Logger *slog.Logger
}

var popCode = regexp.MustCompile(`^[A-Za-z0-9-]{1,32}$`)

// Validate returns every problem with the configuration, one error each.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("edge: "+format, args...)) }
	if !popCode.MatchString(c.POP) {
		bad("POP %q: want a POP code of letters, digits and dashes, e.g. HKG62-C1", c.POP)
	}
	if c.Hosts < 0 || c.Hosts > MaxHosts {
		bad("Hosts %d: want 1–%d (0 means 1)", c.Hosts, MaxHosts)
	}
	if c.KeepAlive < 0 {
		bad("KeepAlive %v is negative", c.KeepAlive)
	}
	if c.OriginReadTimeout < 0 {
		bad("OriginReadTimeout %v is negative", c.OriginReadTimeout)
	}
	if c.ConnectTimeout < 0 {
		bad("ConnectTimeout %v is negative", c.ConnectTimeout)
	}
	if _, port, err := net.SplitHostPort(c.OriginAddr); err != nil || port == "" {
		bad("OriginAddr %q: want host:port", c.OriginAddr)
	}
	if c.OriginHost == "" || strings.ContainsAny(c.OriginHost, "/ ") {
		bad("OriginHost %q: want a domain name, e.g. origin.example.com", c.OriginHost)
	}
	if len(c.Cert.Certificate) == 0 {
		bad("Cert: no viewer certificate")
	}
	if c.ServerTimingSampleRate < 0 || c.ServerTimingSampleRate > 100 {
		bad("ServerTimingSampleRate %v: want 0–100", c.ServerTimingSampleRate)
	}
	if err := c.OriginLink.Validate(); err != nil {
		bad("OriginLink: %w", err)
	}
	if err := c.ViewerLink.Validate(); err != nil {
		bad("ViewerLink: %w", err)
	}
	return errors.Join(errs...)
}

// withDefaults fills the zero values that have a default.
func (c Config) withDefaults() Config {
	if c.Hosts == 0 {
		c.Hosts = 1
	}
	if c.KeepAlive == 0 {
		c.KeepAlive = DefaultKeepAlive
	}
	if c.OriginReadTimeout == 0 {
		c.OriginReadTimeout = DefaultOriginReadTimeout
	}
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = DefaultConnectTimeout
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// originServerName is OriginHost without a port, for TLS.
func (c Config) originServerName() string {
	if h, _, err := net.SplitHostPort(c.OriginHost); err == nil {
		return h
	}
	return c.OriginHost
}
