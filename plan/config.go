package plan

import (
	"fmt"
	"time"

	"github.com/cfprewarm/cfprewarm/edgehosts"
	"github.com/cfprewarm/cfprewarm/internal/config"
	"github.com/cfprewarm/cfprewarm/schedule"
)

// Defaults of DefaultConfig; docs/plan.md says where each comes from.
const (
	DefaultKeepAlive       = 5 * time.Second  // CloudFront's origin keep-alive default
	DefaultTargetKeepAlive = 60 * time.Second // the most CloudFront allows without a quota increase
	// QuotaKeepAlive is the most CloudFront allows with a quota increase:
	// the plan compares its options at it too.
	QuotaKeepAlive = 180 * time.Second
	// DefaultHosts: edge hosts per POP when nothing is measured. The AWS
	// dynamic-content-timings sample (4 of 10 back-to-back requests reused
	// a connection) fits about 8; the seed (20 of 20 probes warm after 60
	// prewarm requests) allows at most about 30 at 95 % confidence.
	DefaultHosts = 16
	// DefaultTargetCold is the viewers' expected cold share per POP the
	// plan sizes its waves for: 0.2 %, about a hundredth of the seed's
	// once-a-minute wave under the EventBridge lateness model (0.19).
	DefaultTargetCold = 0.002
	DefaultMemoryMiB  = 128 // the prewarm stack's default
	// DefaultCPUPerRequest is the prewarm engine's CPU time per request, as
	// measured by `go test -run '^$' -bench 'Wave$' -benchtime 10x
	// ./bench/wave/`: 82–96 ms of CPU for a wave of 9 POPs × 60 requests
	// with resumed TLS sessions (0.15–0.18 ms a request), about 0.2 ms a
	// request in the first wave of a new process (full handshakes). 0.2 ms
	// covers both.
	DefaultCPUPerRequest = 200 * time.Microsecond
	// DefaultResponseBytes is a prewarm response's size (headers and body,
	// what the logs' sc-bytes counts) when the logs do not tell it: a
	// CloudFront response's headers (via, x-cache, x-amz-cf-pop,
	// x-amz-cf-id, Server-Timing, the origin's) are about 600 bytes and a
	// small API body a few hundred more.
	DefaultResponseBytes = 1000
	// DefaultMinGain: a POP is worth warming when prewarming removes at
	// least this much viewer waiting per day (beyond what keep-alive alone
	// removes).
	DefaultMinGain = 10 * time.Second
	// DefaultMinGainPerDollar: a POP is worth warming when each dollar of
	// its monthly bill removes at least 180 s of viewer waiting a month,
	// that is when an hour of waiting removed costs at most $20
	// (docs/plan.md, "Value for money").
	DefaultMinGainPerDollar = 180
	// DefaultMinCold: a POP whose requests are cold less than this often
	// with the target keep-alive alone is left to the keep-alive: below it
	// the gain is within the model's error.
	DefaultMinCold = 0.01

	// SeedRequests: the seed sends 60 requests per POP once a minute.
	SeedRequests = 60
)

// MetricLevel is how much the prewarm Lambda writes to CloudWatch in EMF
// (its METRICS variable, docs/warm.md): each metric name and dimension set
// it writes is a custom metric billed by the month.
type MetricLevel string

const (
	// MetricsLean (the default): per POP only what its alarm needs
	// (OriginColdRatio); the rest per distribution in each region.
	MetricsLean MetricLevel = "lean"
	// MetricsFull: every metric per POP too.
	MetricsFull MetricLevel = "full"
)

// ParseMetricLevel reads a level's name.
func ParseMetricLevel(s string) (MetricLevel, error) {
	switch l := MetricLevel(s); l {
	case MetricsLean, MetricsFull:
		return l, nil
	}
	return "", fmt.Errorf("metric level %q: want lean or full", s)
}

// Config are the planner's parameters. Start from DefaultConfig: every
// field means what it says, 0 included (no minimum gain, no minimum cold
// share, no coverage floor).
type Config struct {
	// KeepAlive is the distribution's origin keep-alive today, under which
	// the logs were written.
	KeepAlive time.Duration
	// TargetKeepAlive is the keep-alive of cases (b) and (c).
	TargetKeepAlive time.Duration
	// Hosts is the number of edge hosts of a POP the hosts file does not
	// name; HostsByPOP (edgehosts.Read) names the others.
	Hosts      int
	HostsByPOP map[string]edgehosts.Estimate
	// TargetCold is the viewers' expected cold share per POP the waves are
	// sized for: requests per wave and waves per keep-alive are the
	// cheapest that keep each POP's predicted cold share (c) at most this.
	TargetCold float64
	// MinCoverage is a floor on the share of a POP's edge hosts one wave
	// reaches (edgehosts.Coverage); 0: none, the target alone sizes.
	MinCoverage float64
	// OriginRTT, when set, gives a POP whose logs cannot tell its cold
	// penalty one of two origin round trips (TCP and TLS 1.3).
	OriginRTT time.Duration
	// Margin is kept between the longest gap between waves and the
	// keep-alive (schedule.DefaultMargin).
	Margin time.Duration

	MemoryMiB     int           // the Lambda's memory
	CPUPerRequest time.Duration // the engine's CPU time per prewarm request
	Prices        Prices        // DefaultPrices(), or ReadPrices
	// Metrics is the Lambda's metric level: the custom metrics it creates.
	Metrics MetricLevel
	// ResponseBytes is a prewarm response's size; with
	// ResponseBytesFromLogs, the mean sc-bytes of the logs replaces it
	// when they have one.
	ResponseBytes         int
	ResponseBytesFromLogs bool

	// Selection: prewarming must remove at least MinGain of viewer waiting
	// per day and at least MinGainPerDollar seconds per dollar; MaxPOPs
	// (0: no limit) keeps the best.
	MinGain          time.Duration
	MinGainPerDollar float64
	MaxPOPs          int
	// MinCold is the cold share with the target keep-alive alone below
	// which a POP is not warmed.
	MinCold float64

	// Traffic says which requests are prewarm requests and which share a
	// viewer connection.
	Traffic Traffic
	// OriginPool is what an edge host does for a request that finds none
	// of its origin connections idle (default PoolOpen).
	OriginPool PoolPolicy
}

// DefaultConfig returns the planner's defaults.
func DefaultConfig() Config {
	return Config{
		KeepAlive: DefaultKeepAlive, TargetKeepAlive: DefaultTargetKeepAlive,
		Hosts: DefaultHosts, TargetCold: DefaultTargetCold, Margin: schedule.DefaultMargin,
		MemoryMiB: DefaultMemoryMiB, CPUPerRequest: DefaultCPUPerRequest, Prices: DefaultPrices(),
		Metrics: MetricsLean, ResponseBytes: DefaultResponseBytes, ResponseBytesFromLogs: true,
		MinGain: DefaultMinGain, MinGainPerDollar: DefaultMinGainPerDollar, MinCold: DefaultMinCold,
		Traffic: Traffic{ViewerIdle: DefaultViewerIdle}, OriginPool: PoolOpen,
	}
}

// Validate reports every problem of the configuration.
func (c Config) Validate() error {
	var p config.Problems
	if c.KeepAlive < time.Second || c.KeepAlive > time.Hour {
		p.Add("keep-alive %v: want 1s to 1h", c.KeepAlive)
	}
	if c.TargetKeepAlive < time.Second || c.TargetKeepAlive > time.Hour {
		p.Add("target keep-alive %v: want 1s to 1h (CloudFront: 1–60 s, 180 s with a quota increase)", c.TargetKeepAlive)
	} else if c.TargetKeepAlive-c.Margin < time.Second {
		p.Add("target keep-alive %v leaves no time between waves (margin %v)", c.TargetKeepAlive, c.Margin)
	}
	p.Range("hosts", c.Hosts, 1, edgehosts.MaxHosts)
	if !(c.TargetCold > 0 && c.TargetCold < 1) {
		p.Add("target cold share %v: want a share between 0 and 1, e.g. 0.002", c.TargetCold)
	}
	if !(c.MinCoverage >= 0 && c.MinCoverage < 1) {
		p.Add("coverage %v: want a share from 0 (none) to below 1, e.g. 0.99", c.MinCoverage)
	}
	if c.OriginRTT < 0 {
		p.Add("origin RTT %v is negative", c.OriginRTT)
	}
	if c.Margin < 0 {
		p.Add("margin %v is negative", c.Margin)
	}
	p.Range("Lambda memory (MiB)", c.MemoryMiB, 128, 10240)
	if c.CPUPerRequest < 0 {
		p.Add("CPU per request %v is negative", c.CPUPerRequest)
	}
	if c.Prices.CloudFrontPer10000 == nil {
		p.Add("no prices: start from DefaultConfig, or ReadPrices")
	}
	if _, err := ParseMetricLevel(string(c.Metrics)); err != nil {
		p.AddErr(err)
	}
	p.Range("response bytes", c.ResponseBytes, 0, maxResponseBytes)
	if c.MinCold < 0 || c.MinCold >= 1 {
		p.Add("minimum cold share %v: want a share below 1", c.MinCold)
	}
	if c.MinGain < 0 || c.MinGainPerDollar < 0 || c.MaxPOPs < 0 {
		p.Add("selection thresholds must not be negative")
	}
	c.Traffic.problems(&p)
	if _, err := config.ParseChoice("origin pool", string(c.OriginPool), PoolPolicies); err != nil {
		p.AddErr(err)
	} else if c.OriginPool == PoolReuse && c.OriginRTT <= 0 {
		p.Add("origin pool %s needs the origin RTT: a waiting request takes a connection that frees before its own is up, two round trips", PoolReuse)
	}
	for code, e := range c.HostsByPOP {
		if e.Hosts < 1 {
			p.Add("hosts file: POP %s: %d hosts", code, e.Hosts)
		}
	}
	return p.Err("plan configuration")
}

// maxResponseBytes bounds a prewarm response's size: a prewarm request
// asks for a small dynamic path, and one beyond this is a mistake.
const maxResponseBytes = 100 << 20
