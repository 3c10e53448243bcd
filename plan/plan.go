package plan

import (
	"context"
	"fmt"
	"time"

	"github.com/cfprewarm/cfprewarm/accesslog"
	"github.com/cfprewarm/cfprewarm/edgehosts"
	"github.com/cfprewarm/cfprewarm/internal/config"
	"github.com/cfprewarm/cfprewarm/stats"
)

// SchemaVersion is the version of the plan's JSON form.
// 4: the traffic model (both 3s of the round merged): a POP's
// active_hours is the time with traffic (hours, a number; it counted clock
// hours), requests are the viewers' (prewarm_requests apart); added: the
// plan's seen, assumptions, prewarm_requests, prewarm_agents,
// viewer_idle_s, outliers; a POP's requests_per_viewer_connection,
// origin_connections_per_host, cold_all_busy.
// 3: every cost is the whole bill (`usage`, `charges` line by line,
// `total`: CloudFront requests and response bytes, Lambda, Scheduler or
// rule, CloudWatch metrics, alarms, dashboards, logs); each group has its
// option and schedule (the plan-wide `schedule`, `wave_interval_s` and
// `max_gap_s` went); options have a kind, a name, a keep-alive, a
// schedule, the worst POP's cold share and whether they meet
// `target_cold`; `coverage_target` became `min_coverage` (a floor, 0 by
// default: `target_cold` sizes the waves); a POP's `why` is a sentence
// that starts "warmed:" or "not warmed:".
// 2: durations are rounded to the microsecond (stats.Seconds), as in every
// other JSON form; a POP's hosts_from says "assumed" (was "default") for the
// configured host count, as the prewarm engine says.
const SchemaVersion = 4

// Cold is a POP's expected share of requests that find no warm origin
// connection: (a) as configured today, (b) with the target keep-alive
// alone, (c) with the target keep-alive and the plan's prewarming.
type Cold struct {
	Current   float64 `json:"current"`
	KeepAlive float64 `json:"keepalive"`
	Prewarmed float64 `json:"prewarmed"`
}

// Latency is a POP's expected mean time-to-first-byte in the three cases
// of Cold: the warm time plus the cold share times the penalty. Zero when
// the penalty is unknown.
type Latency struct {
	Current   stats.Seconds `json:"current_s"`
	KeepAlive stats.Seconds `json:"keepalive_s"`
	Prewarmed stats.Seconds `json:"prewarmed_s"`
}

// Gaps says how long before each request the POP's previous request came:
// shares of the requests (the first one left out).
type Gaps struct {
	SameSecond float64       `json:"same_second"`
	UpTo5s     float64       `json:"1s_5s"`
	UpTo60s    float64       `json:"5s_60s"`
	UpTo5m     float64       `json:"60s_5m"`
	Longer     float64       `json:"over_5m"`
	Median     stats.Seconds `json:"median_s"`
}

// PenaltySource says how a POP's cold penalty was found.
type PenaltySource string

const (
	PenaltyUnknown   PenaltySource = ""           // not found: the POP is not planned
	PenaltyLogs      PenaltySource = "logs"       // this POP's logs
	PenaltyPooled    PenaltySource = "pooled"     // all POPs' logs
	PenaltyOriginRTT PenaltySource = "origin-rtt" // 2 × Config.OriginRTT
)

// POP is everything the plan says about one POP.
type POP struct {
	Code      string              `json:"pop"`
	City      string              `json:"city,omitempty"`
	Region    string              `json:"region,omitempty"`    // of its prewarm Lambda
	Geography string              `json:"geography,omitempty"` // of its request price
	Price     float64             `json:"price_per_10000"`
	Hosts     int                 `json:"hosts"`
	HostsFrom edgehosts.HostsFrom `json:"hosts_from"` // hosts-file or assumed

	// Requests are the viewers' requests; PrewarmRequests those of
	// prewarmers, recognised by their User-Agent: they warm (the model
	// plays them) but no share, count or gain is theirs.
	Requests        int64 `json:"requests"`
	PrewarmRequests int64 `json:"prewarm_requests"`
	// RequestsPerConnection is the viewer requests per viewer connection
	// (1 when the logs cannot tell: no c-ip and c-port).
	RequestsPerConnection float64 `json:"requests_per_viewer_connection"`
	// ActiveHours is the time with traffic: each request makes the hour
	// after it active (up to the next one, or the end of the period).
	ActiveHours    float64 `json:"active_hours"`
	RequestsPerDay float64 `json:"requests_per_day"`
	RatePerHour    float64 `json:"requests_per_active_hour"`
	Gaps           Gaps    `json:"gaps"`
	// ConnectionsPerHost is how many origin connections of one edge host
	// the viewers need at once: with that many open on a host, at most a
	// share Config.TargetCold of their requests are cold for want of one
	// (with the target keep-alive). Waves sized for --target-cold leave
	// that many on a host (a wave's requests to one host overlap).
	ConnectionsPerHost int `json:"origin_connections_per_host"`
	// BusyCold is the share of the viewer requests cold with the target
	// keep-alive alone because every origin connection of their host was
	// busy (a part of Cold.KeepAlive).
	BusyCold float64 `json:"cold_all_busy"`

	TTFBMean stats.Seconds `json:"ttfb_mean_s"`
	TTFBP50  stats.Seconds `json:"ttfb_p50_s"` // 0 when unknown (a counts file)
	TTFBP90  stats.Seconds `json:"ttfb_p90_s"`

	// Penalty is a cold request's extra time-to-first-byte; PenaltyFrom
	// says how it was found.
	Penalty     stats.Seconds `json:"cold_penalty_s"`
	PenaltyFrom PenaltySource `json:"cold_penalty_from"`

	Cold    Cold    `json:"cold"`
	Latency Latency `json:"latency"`
	// Removed is the waiting removed per request and per day, (a) → (c);
	// Gain the part prewarming adds to keep-alive alone per day, (b) → (c),
	// the selection's measure.
	RemovedPerRequest stats.Seconds `json:"removed_per_request_s"`
	RemovedPerDay     stats.Seconds `json:"removed_per_day_s"`
	GainPerDay        stats.Seconds `json:"prewarm_gain_per_day_s"`
	GainPerDollar     float64       `json:"prewarm_gain_per_dollar_s"`

	RequestsPerWave int     `json:"requests_per_wave"`
	Coverage        float64 `json:"coverage"` // of one wave
	Cost            Cost    `json:"cost"`

	Warm bool   `json:"warm"`
	Why  string `json:"why"` // why it is, or is not, in the plan
	Rank int    `json:"rank,omitempty"`
}

// Group is one prewarm Lambda: the POPs of one AWS region, on the option
// the plan chose for them.
type Group struct {
	Region          string        `json:"region"`
	POPs            []string      `json:"pops"`
	Kind            OptionKind    `json:"option"`
	Schedule        Schedule      `json:"schedule"`
	RequestsPerWave int           `json:"requests_per_pop"`
	Invocation      stats.Seconds `json:"invocation_s"` // mean billed duration of one invocation
	Cost            Cost          `json:"cost"`         // the whole bill: the Lambda's and its POPs'
	// WorstCold is the largest predicted cold share (c) of its POPs;
	// MeetsTarget says whether it is within the target.
	WorstCold   float64 `json:"worst_pop_cold_share"`
	MeetsTarget bool    `json:"meets_target"`

	opt option
}

// Option is one way of prewarming the plan's POPs, for comparison: the
// plan's own (kind "plan"), then every option priced (docs/plan.md).
type Option struct {
	Kind          OptionKind    `json:"kind"`
	Name          string        `json:"name"` // e.g. "aligned ×2"
	About         string        `json:"about"`
	KeepAlive     stats.Seconds `json:"keepalive_s"`
	QuotaIncrease bool          `json:"needs_quota_increase"`
	// Schedule is the option's; nil for the plan's row (per group).
	Schedule        *Schedule `json:"schedule,omitempty"`
	RequestsPerWave int       `json:"requests_per_pop"` // the most any region sends
	Cost            Cost      `json:"cost"`
	// ColdShare is the viewers' expected cold share over the warmed POPs'
	// requests; WorstCold the worst POP's; MeetsTarget says whether every
	// POP is within the target.
	ColdShare     float64       `json:"cold_share"`
	WorstCold     float64       `json:"worst_pop_cold_share"`
	MeetsTarget   bool          `json:"meets_target"`
	Chosen        bool          `json:"chosen"`            // the plan uses it in every region
	RemovedPerDay stats.Seconds `json:"removed_per_day_s"` // from today's
}

// Plan is the planner's result.
type Plan struct {
	Source            string             `json:"source"` // logs or counts
	From              time.Time          `json:"from"`
	To                time.Time          `json:"to"`
	Days              float64            `json:"days"`
	Requests          int64              `json:"requests"`
	KeepAlive         stats.Seconds      `json:"keepalive_s"`
	TargetKeepAlive   stats.Seconds      `json:"target_keepalive_s"`
	TargetCold        float64            `json:"target_cold"`
	MinCoverage       float64            `json:"min_coverage"`
	Hosts             int                `json:"default_hosts"`
	MemoryMiB         int                `json:"lambda_memory_mib"`
	CPUPerRequest     stats.Seconds      `json:"cpu_per_request_s"`
	Metrics           MetricLevel        `json:"metrics"`
	ResponseBytes     int                `json:"response_bytes"`
	ResponseBytesFrom string             `json:"response_bytes_from"` // logs, default or configured
	PooledPenalty     stats.Seconds      `json:"pooled_penalty_s"`
	PricesDate        string             `json:"prices_date"`
	Currency          string             `json:"currency"`
	FreeTier          map[string]float64 `json:"free_tier,omitempty"` // noted, never subtracted
	Cost              Cost               `json:"cost"`                // the whole bill: the Groups'
	POPs              []POP              `json:"pops"`                // those to warm first, best first
	Groups            []Group            `json:"groups"`
	Options           []Option           `json:"options"`
	// OptionsFor says which POPs the options are priced for: "warmed" (the
	// plan's), or, when the plan warms none, "passing" (those that pass
	// every threshold but the cost); "" when there are none of either.
	// OptionsPOPs are their codes.
	OptionsFor   string        `json:"options_for"`
	OptionsPOPs  []string      `json:"options_pops"`
	Warnings     []string      `json:"warnings,omitempty"`
	MinGain      stats.Seconds `json:"min_gain_per_day_s"`
	MinPerDollar float64       `json:"min_gain_per_dollar_s"`
	MinCold      float64       `json:"min_cold"`

	// What the input told of its requests, and the assumptions the model
	// made where it told nothing (no c-ip and c-port, no time-taken, ...).
	Seen        Seen     `json:"seen"`
	Assumptions []string `json:"assumptions"`
	// PrewarmRequests were recognised by PrewarmAgents (cfprewarm's own
	// and Config.Traffic.PrewarmAgents): they warm, they are not viewers.
	PrewarmRequests int64         `json:"prewarm_requests"`
	PrewarmAgents   []string      `json:"prewarm_agents"`
	ViewerIdle      stats.Seconds `json:"viewer_idle_s"`
	// Outliers are the requests far outside the bulk of the input's time,
	// left out as bad lines; nil when none.
	Outliers *Outliers `json:"outliers,omitempty"`

	// Target is what the prewarm requests ask for (Input.Target, with the
	// names the logs gave).
	Target Target `json:"-"`
	// Logs is the log reader's summary (nil when the input was not logs);
	// CountsFile the counts file's (nil when it was not a counts file).
	Logs       *accesslog.Summary `json:"-"`
	CountsFile *CountsStats       `json:"-"`
	// Counts is the traffic the plan was made from.
	Counts *Counts `json:"-"`
}

// Selected returns the POPs the plan warms, best first.
func (p *Plan) Selected() []POP {
	var out []POP
	for _, pop := range p.POPs {
		if pop.Warm {
			out = append(out, pop)
		}
	}
	return out
}

// Option returns the first option of kind k (the options at the target
// keep-alive come first).
func (p *Plan) Option(k OptionKind) (Option, bool) {
	for _, o := range p.Options {
		if o.Kind == k {
			return o, true
		}
	}
	return Option{}, false
}

// Run plans: it checks the input and the configuration (every problem, one
// *config.Error), reads the input (an *accesslog.InputError when a log
// cannot be found, a *NoRequestsError when the logs held no usable
// request), and makes the plan.
func Run(ctx context.Context, in Input, cfg Config) (*Plan, error) {
	var p config.Problems
	p.AddErr(cfg.Validate())
	p.AddErr(in.validate())
	if err := p.Err("plan configuration"); err != nil {
		return nil, err
	}
	t, err := read(ctx, in, cfg.Traffic)
	if err != nil {
		return nil, err
	}
	return build(t, cfg)
}

// build makes the plan from the source in four steps, each a function of
// the ones before it: the model of every POP (models), the selection with
// its Lambdas and prices (choose), the options compared (compare), and the
// plan around them.
func build(t source, cfg Config) (*Plan, error) {
	pl := planner{cfg: cfg, responseBytes: cfg.ResponseBytes, responseFrom: ResponseBytesConfigured}
	if cfg.ResponseBytesFromLogs {
		pl.responseFrom = ResponseBytesDefault
		if b, ok := t.counts.ResponseBytes(); ok {
			pl.responseBytes, pl.responseFrom = b, ResponseBytesLogs
		}
	}
	pl.opts = pl.options()
	models, pooled := pl.models(t)
	pops, groups, passing := pl.choose(models)
	options, optionsFor, optionsPOPs := pl.compare(models, pops, groups, passing)
	p := &Plan{
		Source: "logs", From: t.from, To: t.to, Days: t.days,
		KeepAlive: stats.Seconds(cfg.KeepAlive), TargetKeepAlive: stats.Seconds(cfg.TargetKeepAlive),
		TargetCold: cfg.TargetCold, MinCoverage: cfg.MinCoverage,
		Hosts: cfg.Hosts, MemoryMiB: cfg.MemoryMiB, CPUPerRequest: stats.Seconds(cfg.CPUPerRequest),
		Metrics: cfg.Metrics, ResponseBytes: pl.responseBytes, ResponseBytesFrom: pl.responseFrom,
		PooledPenalty: seconds(pooled),
		PricesDate:    cfg.Prices.Date, Currency: cfg.Prices.Currency, FreeTier: cfg.Prices.FreeTier,
		POPs: pops, Groups: groups, Options: options, OptionsFor: optionsFor, OptionsPOPs: optionsPOPs,
		MinGain: stats.Seconds(cfg.MinGain), MinPerDollar: cfg.MinGainPerDollar, MinCold: cfg.MinCold,
		Target: t.target, Logs: t.logs, CountsFile: t.countsFile, Counts: t.counts,
		Seen: t.counts.seen, Outliers: t.outliers, ViewerIdle: stats.Seconds(cfg.Traffic.ViewerIdle),
		PrewarmAgents:   append(append([]string{}, PrewarmAgents...), cfg.Traffic.PrewarmAgents...),
		PrewarmRequests: int64(t.counts.seen.Prewarm),
	}
	for _, g := range groups {
		p.Cost = p.Cost.add(g.Cost)
	}
	if !t.counts.fromLogs {
		p.Source = "counts"
	}
	p.Assumptions = assumptions(p.Seen, cfg.Traffic, cfg.OriginPool, p.Source)
	p.Warnings = append(p.Warnings, t.warnings...)
	if o := t.outliers; o != nil {
		p.Warnings = append(p.Warnings, fmt.Sprintf("%d requests far outside the bulk of the input's time (plausible: %s to %s) left out as bad lines",
			o.Requests, o.From.Format(time.DateOnly), o.To.Format(time.DateOnly)))
	}
	for _, pop := range pops {
		p.Requests += pop.Requests
		if w := cfg.HostsByPOP[pop.Code].Warning(); w != "" && pop.HostsFrom == edgehosts.FromHostsFile {
			p.Warnings = append(p.Warnings, w)
		}
		if pop.Region == "" {
			p.Warnings = append(p.Warnings, fmt.Sprintf("%s: airport %q is not in the POP table (plan/regions.csv): no region or price; not planned", pop.Code, pop.Code[:3]))
		}
	}
	return p, nil
}

// Where a plan's response size came from (Plan.ResponseBytesFrom).
const (
	ResponseBytesLogs       = "logs"       // the mean sc-bytes of the logs' requests
	ResponseBytesDefault    = "default"    // DefaultResponseBytes: the logs had no sc-bytes
	ResponseBytesConfigured = "configured" // Config.ResponseBytes, the logs not asked
)

// planner holds what every step uses: the configuration, the options it
// prices (the first ones the plan may choose) and a prewarm response's
// size.
type planner struct {
	cfg           Config
	opts          []option
	responseBytes int
	responseFrom  string
}

// seconds converts the model's seconds to the plan's.
func seconds(s float64) stats.Seconds { return stats.Seconds(stats.FromSeconds(s)) }
