package warm

import (
	"net/netip"
	"time"

	"github.com/cfprewarm/cfprewarm/probe"
	"github.com/cfprewarm/cfprewarm/stats"
)

// SchemaVersion is the version of the JSON form of Result.
// 2: a request's record carries the probe's whole result (probe's field
// names: "cloudfront.pop" for the POP that answered, "error_kind", ...), and
// Stats are the probe's Summary plus planned and unfinished counts.
// 3: each POP's "sizing" (planned requests, predicted coverage, edge hosts
// seen and estimated) and, for a client-subnet target, "client_subnet".
const SchemaVersion = 3

// StopReason says why a run ran fewer waves than planned.
type StopReason string

const (
	StopNone     StopReason = ""
	StopDeadline StopReason = "deadline" // the context's deadline left too little time for the next wave
	StopCanceled StopReason = "canceled" // the context was canceled
	StopStopped  StopReason = "stopped"  // the caller asked for a stop between waves
)

// Result is one run: its waves, in order.
type Result struct {
	Distribution string `json:"distribution"`
	Host         string `json:"host"`
	Path         string `json:"path"`
	Method       string `json:"method"`
	Port         int    `json:"port"`
	// HostIDHeader is Config.HostIDHeader: the edge hosts were counted by
	// it instead of the via id.
	HostIDHeader string     `json:"host_id_header,omitempty"`
	Start        time.Time  `json:"start"`
	WavesPlanned int        `json:"waves_planned"`
	Waves        []Wave     `json:"waves"`
	Stopped      StopReason `json:"stopped,omitempty"`
	// Total adds up every wave and POP.
	Total Stats `json:"total"`
	// Duration is the run's time, start to end (written last).
	Duration stats.Seconds `json:"duration_s"`
}

// Wave is one burst of requests to every POP.
type Wave struct {
	Index    int           `json:"wave"` // 1-based
	Start    time.Time     `json:"start"`
	POPs     []POPResult   `json:"pops"` // in the order of Config.POPs
	Total    Stats         `json:"total"`
	Duration stats.Seconds `json:"duration_s"` // start to end (written last)
}

// POPResult is what one POP did in one wave (or, from Result.ByPOP, over
// all waves).
type POPResult struct {
	POP string `json:"pop"` // target POP code
	// ClientSubnet is set for a client-subnet target: Name was resolved
	// as for viewers in this network, and POP is the POP that answered
	// most of its requests (the subnet itself until one answered).
	ClientSubnet string       `json:"client_subnet,omitempty"`
	Name         string       `json:"name"` // the DNS name resolved
	IPs          []netip.Addr `json:"ips"`
	ResolveError string       `json:"resolve_error,omitempty"`
	Sizing       Sizing       `json:"sizing"`
	Stats        Stats        `json:"stats"`
	Requests     []Record     `json:"requests,omitempty"`
}

// Target is the POP code, or the client subnet of a client-subnet target:
// what identifies the target from wave to wave.
func (p POPResult) Target() string {
	if p.ClientSubnet != "" {
		return p.ClientSubnet
	}
	return p.POP
}

// Record is one prewarm request: the probe's result of it, and where it
// went. Result.Seq numbers the request within its POP and wave (1-based);
// Result.CloudFront.POP is the POP that answered, which may differ from the
// target POP (a mismatch).
type Record struct {
	POP  string     // target POP code
	Wave int        // 1-based
	IP   netip.Addr // the POP address it was sent to
	// Unfinished marks a request that was not sent, or was cut off,
	// because the run's context ended. It is not a measurement.
	Unfinished bool
	probe.Result
}

// Failed reports whether the request finished without warming anything.
func (r Record) Failed() bool { return !r.OK() }

// Stats sum up prewarm requests: the probe's Summary of those that
// finished (its Requests), plus the planned and unfinished counts. The
// Summary's Statuses count 5xx answers too; they are failures of kind
// cloudfront.KindStatus5xx.
type Stats struct {
	Planned    int `json:"planned"`    // requests the run meant to send
	Unfinished int `json:"unfinished"` // not sent or cut off because the run ended
	probe.Summary
}

// OriginColdRatio is the share of requests that found no warm origin
// connection at the target POP: cold / (warm + cold), unknown when no
// response said (no Server-Timing, or no response at all).
func (s Stats) OriginColdRatio() stats.Ratio { return s.Origin.ColdRatio() }

// Latency is the distribution of the total time of OK requests.
func (s Stats) Latency() stats.Durations { return s.Timings.Total }
