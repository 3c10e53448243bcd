package probe

import (
	"context"
	"crypto/x509"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/cfprewarm/cfprewarm/internal/config"
)

// DialFunc opens the TCP connection of a probe. The default is a net.Dialer.
// The lab passes a dialer that adds link latency; the time it takes is the
// connect phase.
type DialFunc func(ctx context.Context, network, address string) (net.Conn, error)

// Defaults applied to zero fields of a Config.
const (
	DefaultTimeout = 30 * time.Second
	DefaultMaxBody = 10 << 20
)

// Config describes the probes to send. The zero value is not valid: URL is
// required. Check it with Validate (Run and NewProber do).
type Config struct {
	URL    string      // https://host[:port]/path; the host is the SNI and Host
	Method string      // GET (default) or HEAD
	Header http.Header // extra request headers

	// ServerTiming sends "Pragma: server-timing" so CloudFront adds its
	// Server-Timing header even at sampling rate 0.
	ServerTiming bool
	UserAgent    string

	// Reuse keeps one connection across the probes of a series (warm viewer side).
	Reuse bool

	// Pinning (curl semantics). Resolve entries are host:port:addr[,addr...];
	// ConnectTo entries are host:port:connect-host:connect-port (empty parts
	// match any / keep the original). Address, when set, is dialed directly
	// (ip:port) and wins over everything else: warm uses it.
	Resolve   []string
	ConnectTo []string
	Address   string

	DNSServer string // host:port of a resolver to use instead of the system's
	Network   string // "tcp" (default), "tcp4" (-4) or "tcp6" (-6)
	HTTP1     bool   // force HTTP/1.1; otherwise HTTP/2 is offered by ALPN

	// HostIDHeader names a response header that identifies the edge
	// server which answered (cloudfront.HeaderEdgeServerIP, echoed by the
	// origin's prewarm path): its value goes to Result.HostID.
	HostIDHeader string

	// RootCAs verifies the server. Nil means the system roots. TLS
	// verification cannot be turned off.
	RootCAs *x509.CertPool

	Timeout time.Duration // per probe; 0 means DefaultTimeout
	MaxBody int64         // body bytes read at most; 0 means DefaultMaxBody; the rest is discarded unread

	Dial DialFunc // nil means net.Dialer

	// TLS makes new connections cheaper (the prewarm engine sets it; see
	// TLSTuning). The zero value is Go's defaults: what a viewer does.
	TLS TLSTuning

	// Series
	Count    int           // probes to run; 0 means 1
	Interval time.Duration // from the start of one probe to the start of the next
}

// withDefaults returns c with zero fields set to their defaults and the
// method upper-cased: the one place probe's defaults are applied.
func (c Config) withDefaults() Config {
	c.Method = strings.ToUpper(c.Method)
	config.Default(&c.Method, http.MethodGet)
	config.Default(&c.Network, "tcp")
	config.Default(&c.Timeout, DefaultTimeout)
	config.Default(&c.MaxBody, DefaultMaxBody)
	config.Default(&c.Count, 1)
	return c
}
