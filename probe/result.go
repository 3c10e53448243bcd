package probe

import (
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
)

// SchemaVersion is the version of the JSON form of Result and Summary.
// 2: an unknown warm_ratio is null (was 0); the summary counts the status of
// every response, mismatched answers, and is built by Tally.
const SchemaVersion = 2

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

// Result is one probe: one request on its own (or, with Reuse, a kept) connection.
type Result struct {
	Seq        int       `json:"seq"`
	Start      time.Time `json:"start"`
	URL        string    `json:"url"`
	RemoteAddr string    `json:"remote_addr,omitempty"` // ip:port actually connected to
	LocalAddr  string    `json:"local_addr,omitempty"`  // the client's ip:port of that connection
	Proto      string    `json:"proto,omitempty"`       // "HTTP/1.1", "HTTP/2.0"
	TLSVersion string    `json:"tls_version,omitempty"` // "TLS 1.3"
	TLSResumed bool      `json:"tls_resumed,omitempty"` // the TLS session was resumed (no certificate, no full handshake)
	Reused     bool      `json:"reused"`                // viewer connection reused (Reuse mode)
	Status     int       `json:"status,omitempty"`
	BodyBytes  int64     `json:"body_bytes"`

	Timings Timings `json:"timings"`

	CloudFront cloudfront.Headers `json:"cloudfront"`
	// HostID is the value of Config.HostIDHeader, the edge server's
	// documented identity, when the answer carried one (at most
	// cloudfront.MaxEdgeHostIDLen bytes).
	HostID       string                `json:"host_id,omitempty"`
	ServerTiming []cloudfront.Metric   `json:"server_timing,omitempty"`
	Origin       cloudfront.OriginConn `json:"origin"`
	// UpstreamConnect is cdn-upstream-connect's duration when present.
	UpstreamConnect time.Duration `json:"-"`

	// Error is set when the probe failed; Phase and Kind say where and how.
	Error string               `json:"error,omitempty"`
	Phase Phase                `json:"failed_phase,omitempty"`
	Kind  cloudfront.ErrorKind `json:"error_kind,omitempty"`
}

// OK reports whether the probe got a response (any status) and was not
// marked failed.
func (r Result) OK() bool { return r.Kind == cloudfront.KindNone && r.Error == "" }

// Fail marks the result failed with kind and a message.
func (r *Result) Fail(kind cloudfront.ErrorKind, msg string) {
	r.Kind, r.Error = kind, msg
}
