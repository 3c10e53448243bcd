package warm

import (
	"net/netip"
	"time"

	"github.com/cfprewarm/cfprewarm/probe"
)

// SchemaVersion is the version of the JSON form of Result.
const SchemaVersion = 1

// KindStatus5xx is the error kind of a response with status 500 or more:
// CloudFront could not get an answer from the origin, so the request warmed
// nothing. The other kinds are probe's.
const KindStatus5xx probe.ErrorKind = "status_5xx"

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
	Distribution string        `json:"distribution"`
	Host         string        `json:"host"`
	Path         string        `json:"path"`
	Method       string        `json:"method"`
	Port         int           `json:"port"`
	Start        time.Time     `json:"start"`
	Duration     time.Duration `json:"-"`
	WavesPlanned int           `json:"waves_planned"`
	Waves        []Wave        `json:"waves"`
	Stopped      StopReason    `json:"stopped,omitempty"`
	// Total adds up every wave and POP.
	Total Stats `json:"total"`
}

// Wave is one burst of requests to every POP.
type Wave struct {
	Index    int           `json:"wave"` // 1-based
	Start    time.Time     `json:"start"`
	Duration time.Duration `json:"-"`
	POPs     []POPResult   `json:"pops"` // in the order of Config.POPs
	Total    Stats         `json:"total"`
}

// POPResult is what one POP did in one wave (or, from Result.ByPOP, over
// all waves).
type POPResult struct {
	POP          string       `json:"pop"`  // target POP code
	Name         string       `json:"name"` // the DNS name resolved
	IPs          []netip.Addr `json:"ips"`
	ResolveError string       `json:"resolve_error,omitempty"`
	Stats        Stats        `json:"stats"`
	Requests     []Request    `json:"requests,omitempty"`
}

// Request is one prewarm request.
type Request struct {
	POP   string     `json:"pop"` // target POP code
	Wave  int        `json:"wave"`
	Seq   int        `json:"seq"` // 1-based within the POP and wave
	IP    netip.Addr `json:"ip"`
	Start time.Time  `json:"start"`

	Status  int           `json:"status,omitempty"`
	Timings probe.Timings `json:"timings"`
	// AnsweredBy is the POP that answered (x-amz-cf-pop); a value other
	// than POP is a mismatch.
	AnsweredBy      string           `json:"answered_by,omitempty"`
	Origin          probe.OriginConn `json:"origin"` // from cdn-upstream-connect
	UpstreamConnect time.Duration    `json:"-"`

	Error string          `json:"error,omitempty"`
	Phase probe.Phase     `json:"failed_phase,omitempty"`
	Kind  probe.ErrorKind `json:"error_kind,omitempty"`
	// Unfinished marks a request that was not sent, or was cut off,
	// because the run's context ended. It is not a measurement.
	Unfinished bool `json:"unfinished,omitempty"`
}

// Failed reports whether the request finished without warming anything.
func (r Request) Failed() bool { return r.Kind != probe.KindNone }

// Stats sums up requests.
type Stats struct {
	Planned    int `json:"planned"`    // requests the run meant to send
	Requests   int `json:"requests"`   // finished: answered or failed on their own
	OK         int `json:"ok"`         // answered with a status below 500
	Errors     int `json:"errors"`     // failed (every kind, 5xx included)
	Unfinished int `json:"unfinished"` // not sent or cut off because the run ended

	ErrorKinds map[probe.ErrorKind]int `json:"error_kinds,omitempty"`
	Statuses   map[int]int             `json:"statuses,omitempty"`

	// AnsweredBy counts the x-amz-cf-pop values of OK responses; Mismatched
	// those that differ from the target POP. Mismatched responses say
	// nothing about the target POP and are left out of the origin counts.
	AnsweredBy map[string]int `json:"answered_by,omitempty"`
	Mismatched int            `json:"mismatched"`

	// Origin connection state of the OK responses from the target POP.
	OriginWarm    int `json:"origin_warm"`
	OriginCold    int `json:"origin_cold"`
	OriginUnknown int `json:"origin_unknown"` // no cdn-upstream-connect in Server-Timing

	// Latency is the distribution of the total time of OK requests.
	Latency probe.Dist `json:"latency"`
}

// OriginColdRatio is the share of requests that found no warm origin
// connection at the target POP: cold / (warm + cold). ok is false when no
// response said (no Server-Timing, or no response at all).
func (s Stats) OriginColdRatio() (ratio float64, ok bool) {
	known := s.OriginWarm + s.OriginCold
	if known == 0 {
		return 0, false
	}
	return float64(s.OriginCold) / float64(known), true
}
