package doctor

import (
	"net/netip"
	"time"

	"github.com/cfprewarm/cfprewarm/edgehosts"
)

// SchemaVersion is the version of the JSON form of Report.
const SchemaVersion = 1

// Report is what a doctor run measured. A step that did not run (or was
// interrupted before it ended) is nil or says why; Interrupted marks a run
// stopped by its context, whose report holds what was known by then.
type Report struct {
	Distribution string        `json:"distribution"`
	Host         string        `json:"host"`
	Path         string        `json:"path"`
	Port         int           `json:"port"`
	Start        time.Time     `json:"start"`
	Duration     time.Duration `json:"-"`
	Budget       Budget        `json:"budget"`
	CloudFront   *Identity     `json:"cloudfront"`
	POPs         []POPReport   `json:"pops"`
	Origin       *OriginIdle   `json:"origin,omitempty"`
	Order        *OrderCheck   `json:"timeout_order,omitempty"`
	Interrupted  bool          `json:"interrupted,omitempty"`
}

// Budget is the run's request budget: what its plan may send at most (the
// number printed before the first request), the limit it had to fit, what
// it sent, and how long its keep-alive search may wait at most.
type Budget struct {
	Limit   int           `json:"limit"`
	Planned int           `json:"planned"`
	Sent    int           `json:"sent"`
	MaxWait time.Duration `json:"-"`
}

// Identity is what one request through the distribution's own name said.
type Identity struct {
	URL        string   `json:"url"`
	CloudFront bool     `json:"is_cloudfront"`
	Evidence   []string `json:"evidence,omitempty"` // the headers that say so
	POP        string   `json:"pop,omitempty"`      // x-amz-cf-pop
	Status     int      `json:"status,omitempty"`
	// ServerTiming: the answer to a request with "Pragma: server-timing"
	// carried CloudFront's Server-Timing (a response headers policy with
	// Server-Timing on); UpstreamLayer is its cdn-upstream-layer (EDGE,
	// REC, Origin Shield), and Meaning what that means for prewarming.
	ServerTiming  bool   `json:"server_timing"`
	UpstreamLayer string `json:"upstream_layer,omitempty"`
	Meaning       string `json:"meaning,omitempty"`
	Error         string `json:"error,omitempty"`
}

// POPReport is what was measured of one POP.
type POPReport struct {
	POP       string        `json:"pop"`
	Name      string        `json:"name"`
	DNS       *DNS          `json:"dns"`
	Census    *Census       `json:"census"`
	KeepAlive *KeepAlive    `json:"keepalive"`
	Penalty   *Penalty      `json:"cold_penalty"`
	Error     string        `json:"error,omitempty"`
	answers   []answer      // every answer of the POP, for the penalty
	fit       edgehosts.Fit // the census's judgement
}

// DNS is what the POP's name resolved to.
type DNS struct {
	Lookups int          `json:"lookups"`
	Count   int          `json:"count"` // addresses in the first answer
	Addrs   []netip.Addr `json:"addrs"` // the first answer, sorted
	TTL     int          `json:"ttl_s"` // the smallest TTL seen
	Stable  bool         `json:"stable"`
	// Seen are the distinct addresses over all lookups (more than Count
	// when the answers rotate).
	Seen  int    `json:"seen"`
	Error string `json:"error,omitempty"`
}

// Census is what the POP's edge host ids say: the answers to Samples
// requests on new connections, spread over the POP's addresses.
type Census struct {
	Requests int `json:"requests"`
	Answers  int `json:"answers_with_id"`
	IDs      int `json:"ids"`
	Hops     int `json:"via_cloudfront_entries"`
	// Verdict is what the ids name (edgehosts.Judge); Why says why when
	// there is no estimate.
	Verdict edgehosts.Verdict `json:"verdict"`
	Why     string            `json:"why,omitempty"`
	Layout  edgehosts.Layout  `json:"layout,omitempty"`
	Hosts   *Estimate         `json:"hosts"` // pooled (the sum over addresses for a disjoint layout); nil without an estimate
	ByAddr  []AddrCensus      `json:"by_address"`
	// Kept is what one kept connection's answers named: a connection is
	// served by one edge host, so ids that change on it name requests.
	Kept *Kept `json:"kept_connection,omitempty"`
	// HostID compares the via ids with the documented identity, when the
	// run reads one (Config.HostIDHeader).
	HostID *HostIDCheck `json:"host_id,omitempty"`
}

// Estimate is a host count with its interval.
type Estimate struct {
	Hosts int     `json:"hosts"`
	Low   int     `json:"ci_low"`
	High  int     `json:"ci_high"`
	Level float64 `json:"ci_level"`
}

// AddrCensus is the census of one POP address on its own.
type AddrCensus struct {
	Addr    netip.Addr `json:"addr"`
	Answers int        `json:"answers_with_id"`
	IDs     int        `json:"ids"`
	Hosts   *Estimate  `json:"hosts"`
	Why     string     `json:"why,omitempty"`
}

// Kept is the kept-connection check.
type Kept struct {
	Answers int `json:"answers"`
	IDs     int `json:"ids"`
}

// HostIDCheck sets the via ids beside the edge server's documented
// identity: the via hypothesis (the via id names the server) holds when
// the two partition the answers the same way.
type HostIDCheck struct {
	Header  string            `json:"header"`
	Answers int               `json:"answers"` // answers that carried it
	Servers int               `json:"servers"` // distinct server identities
	Verdict edgehosts.Verdict `json:"verdict"`
	Hosts   *Estimate         `json:"hosts"`
	Holds   *bool             `json:"via_hypothesis_holds"` // nil: not enough answers to tell
	Why     string            `json:"why"`
}

// KeepAlive is the effective origin keep-alive found at the POP: the
// longest wait after which its hosts still had warm origin connections
// (WarmAt) and the shortest after which they had none (ColdAt), and K
// between them. Known is false when the search could not bound it (Why).
type KeepAlive struct {
	Known    bool          `json:"known"`
	K        time.Duration `json:"-"`
	WarmAt   time.Duration `json:"-"`
	ColdAt   time.Duration `json:"-"`
	Trials   []Trial       `json:"trials"`
	Requests int           `json:"requests"`
	Why      string        `json:"why,omitempty"`
}

// Trial is one step of the keep-alive search: a warm-up, a wait of Gap, a
// burst; Warm when at least half of the burst's hosts (or answers, when
// the ids name no host) found a warm connection. Age is the median idle
// time of the hosts judged, from each one's last warm-up answer to the
// burst's first request to it (Gap when judged by answers).
type Trial struct {
	Gap       time.Duration `json:"-"` // the wait after the warm-up
	Age       time.Duration `json:"-"` // the idle time the trial stands for
	Warm      bool          `json:"warm"`
	WarmShare float64       `json:"warm_share"`
	By        string        `json:"by"` // "hosts" or "answers"
	Requests  int           `json:"requests"`
}

// Penalty is what a cold origin connection costs at the POP: the median
// first byte (request sent → first response byte) of cold answers minus
// that of warm ones, and the origin round trip it implies (a new TCP
// connection and a TLS 1.3 handshake are two). UpstreamConnect is the
// median cdn-upstream-connect of the cold answers (CloudFront's own
// measure of those two round trips).
type Penalty struct {
	Cold            int           `json:"cold_answers"`
	Warm            int           `json:"warm_answers"`
	ColdFirstByte   time.Duration `json:"-"`
	WarmFirstByte   time.Duration `json:"-"`
	Penalty         time.Duration `json:"-"`
	UpstreamConnect time.Duration `json:"-"`
	// OriginRTT is half the penalty; ConnectRTT half the upstream connect.
	OriginRTT  time.Duration `json:"-"`
	ConnectRTT time.Duration `json:"-"`
}

// OriginIdle is the origin's own idle timeout, measured on one kept-alive
// connection: the time from the end of a response to the server's close.
type OriginIdle struct {
	URL    string        `json:"url"`
	Status int           `json:"status,omitempty"`
	Idle   time.Duration `json:"-"`
	Closed bool          `json:"closed"` // false: still open after Waited
	Waited time.Duration `json:"-"`
	Error  string        `json:"error,omitempty"`
}

// OrderCheck is the timeout order that keeps connections alive end to end:
// CloudFront's keep-alive < the origin's idle timeout < the load
// balancer's idle timeout. Trap is the origin closing idle connections
// before CloudFront's keep-alive ends, found from outside.
type OrderCheck struct {
	KeepAlive  time.Duration `json:"-"` // the effective one measured (the shortest over POPs)
	Configured time.Duration `json:"-"` // the distribution's setting, when given
	OriginIdle time.Duration `json:"-"`
	LBIdle     time.Duration `json:"-"`
	OK         bool          `json:"ok"`
	Trap       bool          `json:"origin_idle_trap"`
	Findings   []string      `json:"findings"`
}

// HostsFile is what the run measured as the hosts file `cfprewarm plan
// --hosts-file` and `warm --hosts-file` read: per POP whose census ran,
// its estimate (or the fallback host count with the verdict and why), its
// address count and layout, and the effective keep-alive when known.
func (r *Report) HostsFile(fallback int) edgehosts.File {
	f := edgehosts.File{Generated: time.Now().UTC(), Source: "doctor"}
	for _, p := range r.POPs {
		if p.Census == nil {
			continue
		}
		e := p.fit.Estimate(p.POP, fallback)
		e.Layout = p.Census.Layout
		if p.DNS != nil {
			e.Addresses = p.DNS.Count
		}
		if k := p.KeepAlive; k != nil && k.Known {
			e.KeepAlive = k.K.Seconds()
		}
		f.POPs = append(f.POPs, e)
	}
	return f
}
