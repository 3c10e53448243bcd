package probe

import (
	"time"
)

// SchemaVersion is the version of the JSON form of Result and Summary.
const SchemaVersion = 1

// Timings are cumulative from the start of the probe, with curl's semantics:
// each value is the time from the start until that phase completed.
// A phase that did not happen (no DNS lookup when dialing an IP, no TLS
// handshake on a reused connection) has the value of the phase before it.
type Timings struct {
	NameLookup    time.Duration `json:"namelookup"`    // curl time_namelookup
	Connect       time.Duration `json:"connect"`       // curl time_connect
	AppConnect    time.Duration `json:"appconnect"`    // curl time_appconnect
	StartTransfer time.Duration `json:"starttransfer"` // curl time_starttransfer
	Total         time.Duration `json:"total"`         // curl time_total
}

// Phases are the durations of the single phases.
type Phases struct {
	DNS      time.Duration `json:"dns"`
	TCP      time.Duration `json:"tcp"`
	TLS      time.Duration `json:"tls"`
	Server   time.Duration `json:"server"`   // request sent → first response byte (TTFB after TLS)
	Transfer time.Duration `json:"transfer"` // first byte → body read
}

// Phases derives the per-phase durations from the cumulative timings.
func (t Timings) Phases() Phases {
	return Phases{
		DNS:      t.NameLookup,
		TCP:      t.Connect - t.NameLookup,
		TLS:      t.AppConnect - t.Connect,
		Server:   t.StartTransfer - t.AppConnect,
		Transfer: t.Total - t.StartTransfer,
	}
}

// OriginConn says whether the CloudFront POP reused a connection to the origin.
type OriginConn int

const (
	OriginUnknown OriginConn = iota // no cdn-upstream-connect metric
	OriginWarm                      // cdn-upstream-connect dur=0: reused
	OriginCold                      // cdn-upstream-connect dur>0: new connection
)

func (o OriginConn) String() string {
	switch o {
	case OriginWarm:
		return "warm"
	case OriginCold:
		return "cold"
	default:
		return "unknown"
	}
}

// MarshalText makes OriginConn appear as "warm", "cold" or "unknown" in JSON.
func (o OriginConn) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// Phase names the step of a probe that failed.
type Phase string

const (
	PhaseNone     Phase = ""
	PhaseDNS      Phase = "dns"
	PhaseConnect  Phase = "connect"
	PhaseTLS      Phase = "tls"
	PhaseRequest  Phase = "request"  // writing the request / waiting for the first byte
	PhaseResponse Phase = "response" // reading the body
)

// ErrorKind classifies a failed probe for counting.
type ErrorKind string

const (
	KindNone     ErrorKind = ""
	KindDNS      ErrorKind = "dns"      // name did not resolve
	KindRefused  ErrorKind = "refused"  // connection refused
	KindTimeout  ErrorKind = "timeout"  // the probe's timeout or the context expired
	KindTLS      ErrorKind = "tls"      // handshake or certificate verification failed
	KindCanceled ErrorKind = "canceled" // the caller canceled (Ctrl-C)
	KindProtocol ErrorKind = "protocol" // malformed response, reset, EOF
	KindOther    ErrorKind = "other"
)

// CloudFront holds the CloudFront response headers the probe reads.
type CloudFront struct {
	ID    string `json:"id,omitempty"`    // x-amz-cf-id
	POP   string `json:"pop,omitempty"`   // x-amz-cf-pop
	Cache string `json:"cache,omitempty"` // x-cache
	Via   string `json:"via,omitempty"`   // via
}

// Result is one probe: one request on its own (or, with Reuse, a kept) connection.
type Result struct {
	Seq        int       `json:"seq"`
	Start      time.Time `json:"start"`
	URL        string    `json:"url"`
	RemoteAddr string    `json:"remote_addr,omitempty"` // ip:port actually connected to
	Proto      string    `json:"proto,omitempty"`       // "HTTP/1.1", "HTTP/2.0"
	TLSVersion string    `json:"tls_version,omitempty"` // "TLS 1.3"
	Reused     bool      `json:"reused"`                // viewer connection reused (Reuse mode)
	Status     int       `json:"status,omitempty"`
	BodyBytes  int64     `json:"body_bytes"`

	Timings Timings `json:"timings"`

	CloudFront   CloudFront `json:"cloudfront"`
	ServerTiming []Metric   `json:"server_timing,omitempty"`
	Origin       OriginConn `json:"origin"`
	// UpstreamConnect is cdn-upstream-connect's duration when present.
	UpstreamConnect time.Duration `json:"-"`

	// Error is set when the probe failed; Phase and Kind say where and how.
	Error string    `json:"error,omitempty"`
	Phase Phase     `json:"failed_phase,omitempty"`
	Kind  ErrorKind `json:"error_kind,omitempty"`
}

// OK reports whether the probe got a response (any status).
func (r Result) OK() bool { return r.Error == "" }

// UnmarshalText reads what MarshalText wrote.
func (o *OriginConn) UnmarshalText(b []byte) error {
	switch string(b) {
	case "warm":
		*o = OriginWarm
	case "cold":
		*o = OriginCold
	default:
		*o = OriginUnknown
	}
	return nil
}
