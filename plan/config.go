package plan

import (
	"time"

	"github.com/cfprewarm/cfprewarm/edgehosts"
	"github.com/cfprewarm/cfprewarm/internal/config"
)

// Defaults of DefaultConfig; docs/plan.md says where each comes from.
const (
	DefaultKeepAlive       = 5 * time.Second  // CloudFront's origin keep-alive default
	DefaultTargetKeepAlive = 60 * time.Second // the most CloudFront allows without a quota increase
	// DefaultHosts: edge hosts per POP when nothing is measured. The AWS
	// dynamic-content-timings sample (4 of 10 back-to-back requests reused
	// a connection) fits about 8; the seed (20 of 20 probes warm after 60
	// prewarm requests) allows at most about 30 at 95 % confidence.
	DefaultHosts    = 16
	DefaultCoverage = 0.99 // share of a POP's hosts one wave reaches
	// EventBridge runs the prewarm Lambda once a minute, up to a minute late.
	DefaultPeriod = time.Minute
	DefaultJitter = time.Minute
	// DefaultMargin is kept between the longest gap between waves and the
	// keep-alive: a wave's own duration and clock error.
	DefaultMargin    = 2 * time.Second
	DefaultMemoryMiB = 128 // the prewarm stack's default
	// DefaultCPUPerRequest is the prewarm engine's CPU time per request, as
	// measured by `go test -run '^$' -bench 'Wave$' -benchtime 10x
	// ./bench/wave/`: 82–96 ms of CPU for a wave of 9 POPs × 60 requests
	// with resumed TLS sessions (0.15–0.18 ms a request), about 0.2 ms a
	// request in the first wave of a new process (full handshakes). 0.2 ms
	// covers both.
	DefaultCPUPerRequest = 200 * time.Microsecond
	// DefaultMinGain: a POP is worth warming when prewarming removes at
	// least this much viewer waiting per day (beyond what keep-alive alone
	// removes).
	DefaultMinGain = 10 * time.Second
	// DefaultMinCold: a POP whose requests are cold less than this often
	// with the target keep-alive alone is left to the keep-alive: below it
	// the gain is within the model's error.
	DefaultMinCold = 0.01

	// The two schedules the plan is compared with.
	SeedRequests     = 60 // the seed: 60 requests per POP once a minute
	DefaultsRequests = 60 // today's defaults: 3 waves of 60, 20 s apart, every minute
	DefaultsWaves    = 3
	DefaultsInterval = 20 * time.Second
)

// Config are the planner's parameters. Start from DefaultConfig: every
// field means what it says, 0 included (no scheduler jitter, no minimum
// gain, no minimum cold share).
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
	// Coverage is the share of a POP's edge hosts one wave must reach:
	// requests per wave N is the least with edgehosts.Coverage(H, N) ≥ Coverage.
	Coverage float64
	// OriginRTT, when set, gives a POP whose logs cannot tell its cold
	// penalty one of two origin round trips (TCP and TLS 1.3).
	OriginRTT time.Duration

	// The Lambda's schedule: an invocation every Period, up to Jitter late;
	// waves are paced so that no gap exceeds TargetKeepAlive − Margin.
	Period, Jitter, Margin time.Duration

	MemoryMiB     int           // the Lambda's memory
	CPUPerRequest time.Duration // the engine's CPU time per prewarm request
	Prices        Prices        // DefaultPrices(), or ReadPrices

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
		Hosts: DefaultHosts, Coverage: DefaultCoverage,
		Period: DefaultPeriod, Jitter: DefaultJitter, Margin: DefaultMargin,
		MemoryMiB: DefaultMemoryMiB, CPUPerRequest: DefaultCPUPerRequest, Prices: DefaultPrices(),
		MinGain: DefaultMinGain, MinCold: DefaultMinCold,
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
		p.Add("target keep-alive %v: want 1s to 1h (CloudFront: 1–180 s)", c.TargetKeepAlive)
	}
	p.Range("hosts", c.Hosts, 1, edgehosts.MaxHosts)
	if c.Coverage <= 0 || c.Coverage >= 1 {
		p.Add("coverage %v: want a share between 0 and 1, e.g. 0.99", c.Coverage)
	}
	if c.OriginRTT < 0 {
		p.Add("origin RTT %v is negative", c.OriginRTT)
	}
	if c.Period < time.Second {
		p.Add("schedule period %v: want at least 1s", c.Period)
	}
	if c.Jitter < 0 {
		p.Add("scheduler jitter %v is negative", c.Jitter)
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
	if c.MinCold < 0 || c.MinCold >= 1 {
		p.Add("minimum cold share %v: want a share below 1", c.MinCold)
	}
	if c.MinGain < 0 || c.MinGainPerDollar < 0 || c.MaxPOPs < 0 {
		p.Add("selection thresholds must not be negative")
	}
	if c.TargetKeepAlive >= time.Second && c.Period >= time.Second && c.Jitter >= 0 {
		if _, err := cadence(c.TargetKeepAlive, c.Margin, c.Period, c.Jitter, edgehosts.MaxWaves); err != nil {
			p.AddErr(err)
		}
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
