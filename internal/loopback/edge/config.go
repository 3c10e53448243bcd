package edge

import (
	"crypto/tls"
	"crypto/x509"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/internal/config"
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
	// POP is the POP code, e.g. "HKG62-C1" (cloudfront.ValidPOPCode).
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
	// TLSTime is the time the POP takes for its side of every viewer TLS
	// handshake, on top of the viewer link's round trip: it holds each
	// ClientHello this long before answering. CloudFront's handshakes
	// measured from a nearby viewer take tens of milliseconds although the
	// viewer is well under a millisecond away (docs/lab-model.md). 0 adds
	// nothing.
	TLSTime time.Duration
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

	// Field picks among the alternatives CloudFront does not document
	// (field.go): addresses and how hosts sit behind them, what the via
	// id names, the origin pool policy, the upstream layer, a host
	// identity header. The zero value is the emulator's historical POP.
	Field Field

	// Faults make the POP misbehave; the zero value is a healthy POP.
	Faults Faults

	// OnRequest, when set, sees every viewer request as it arrives, before
	// any fault applies: tests record requests with it, or act at a given
	// moment of a run. The function it returns, when not nil, is called
	// once the request has been answered (or abandoned). It must not keep
	// r beyond the call, nor read its body.
	OnRequest func(r *http.Request) (done func())

	// AccessLog, when set, gets a standard log line for every request.
	AccessLog *AccessLog

	// Logger receives debug logs per request and warnings on origin
	// errors. Nil means slog.Default().
	Logger *slog.Logger
}

// Faults are the ways a POP can fail its viewers, for testing the clients
// that have to cope with them (the probe, the prewarmer). The zero value is
// a healthy POP.
//
// A certificate for the wrong name needs no fault: give the POP such a
// certificate as Config.Cert, and viewers fail to verify it.
type Faults struct {
	// Refuse: the POP accepts no connection. Serve closes its listener and
	// returns at once, so that connecting to the address is refused. Call
	// Serve before the address is handed out: a connection made while the
	// listener was still open is reset, not refused.
	Refuse bool
	// Delay holds every request this long before the POP handles it (a
	// slow or overloaded POP), or until the viewer goes away, in which case
	// the request ends there. The origin is contacted after the delay.
	Delay time.Duration
	// AnswerAs is the POP code that x-amz-cf-pop and cdn-pop say, as when
	// a POP name leads to another POP; empty means Config.POP.
	AnswerAs string
	// Status, when not 0, is the error status (400–599) the POP answers
	// every request with by itself, without contacting the origin: an
	// error page with x-cache "Error from cloudfront", as CloudFront
	// answers its own errors (502, 503 when over capacity, 504, 403 from
	// WAF). Server-Timing, when sent, then has no cdn-upstream-* metrics.
	Status int
}

// Validate returns every problem with the configuration, one error each.
func (c Config) Validate() error { return c.withDefaults().validate() }

// validate checks a Config whose defaults are applied.
func (c Config) validate() error {
	var p config.Problems
	bad := p.Add
	if !cloudfront.ValidPOPCode(c.POP) {
		bad("POP %q: want %s, in upper case", c.POP, cloudfront.POPCodeRule)
	}
	p.Range("Hosts", c.Hosts, 1, MaxHosts)
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
	if f := c.Faults; f.AnswerAs != "" && !cloudfront.ValidPOPCode(f.AnswerAs) {
		bad("Faults.AnswerAs %q: want %s", f.AnswerAs, cloudfront.POPCodeRule)
	}
	if c.TLSTime < 0 {
		bad("TLSTime %v is negative", c.TLSTime)
	}
	if c.Faults.Delay < 0 {
		bad("Faults.Delay %v is negative", c.Faults.Delay)
	}
	if s := c.Faults.Status; s != 0 && (s < 400 || s > 599) {
		bad("Faults.Status %d: want an error status, 400–599 (0: none)", s)
	}
	if err := c.OriginLink.Validate(); err != nil {
		bad("OriginLink: %w", err)
	}
	if err := c.ViewerLink.Validate(); err != nil {
		bad("ViewerLink: %w", err)
	}
	c.Field.problems(c.Hosts, bad)
	return p.Err("POP emulator configuration")
}

// withDefaults fills the zero values that have a default: the one place
// the emulator's defaults are applied.
func (c Config) withDefaults() Config {
	config.Default(&c.Hosts, 1)
	config.Default(&c.KeepAlive, DefaultKeepAlive)
	config.Default(&c.OriginReadTimeout, DefaultOriginReadTimeout)
	config.Default(&c.ConnectTimeout, DefaultConnectTimeout)
	config.Default(&c.Logger, slog.Default())
	c.Field = c.Field.withDefaults()
	return c
}

// originServerName is OriginHost without a port, for TLS.
func (c Config) originServerName() string {
	if h, _, err := net.SplitHostPort(c.OriginHost); err == nil {
		return h
	}
	return c.OriginHost
}
