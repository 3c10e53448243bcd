package stacks

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

// Defaults of LambdaPrewarmStackProps.
const (
	DefaultPath           = "/"
	DefaultMethod         = "GET"
	DefaultRequestsPerPOP = 60
	// DefaultRequestTimeout is the Lambda's own default (warm's): one
	// default, checked by TestContractFunctionTimeout.
	DefaultRequestTimeout = 10 * time.Second
	// DefaultMetrics: per POP only the metric the cold-ratio alarm reads.
	DefaultMetrics = MetricsLean
	// DefaultSchedule: EventBridge Scheduler with the scheduled time in
	// the input, so that the Lambda sends aligned waves.
	DefaultSchedule = ScheduleScheduler
	// DefaultIPVersion: the function runs outside a VPC, where it has IPv4
	// egress; assuming a POP's edge hosts answer on both families (not
	// verifiable without AWS), prewarming over IPv4 warms the same origin
	// connection pools.
	DefaultIPVersion             = 4
	DefaultEMFNamespace          = "CFPrewarm"
	DefaultLogLevel              = "INFO"
	DefaultMemoryMiB             = 128
	DefaultErrorRateThreshold    = 0.05
	DefaultColdRatioThreshold    = 0.2 // docs/warm.md, "Metrics"
	DefaultAlarmEvaluationPeriod = 5
	// timeoutMargin is added to the prewarm run's own length to get the
	// Lambda timeout (lambdaenv.TimeoutMargin in the root module).
	timeoutMargin    = 10 * time.Second
	maxLambdaTimeout = 900 * time.Second
	// alignedSpan is the longest an aligned invocation may wait for its
	// last slot: its window ends a minute (the rate) after the lateness
	// model's 70 s (package schedule in the root module).
	alignedSpan = 60*time.Second + 70*time.Second
)

// The Lambda's metric levels (METRICS; warm.MetricLevel in the root
// module): the custom metrics per region are POPs + 5 (lean) or 7 × POPs +
// 5 (full).
const (
	// MetricsLean: per POP only OriginColdRatio, the rest per distribution.
	MetricsLean = "lean"
	// MetricsFull: every metric per POP too; the dashboard graphs them.
	MetricsFull = "full"
)

// The ways the stack invokes the Lambda every minute.
const (
	// ScheduleScheduler is EventBridge Scheduler, whose target input
	// carries <aws.scheduler.scheduled-time>: the Lambda sends the slots of
	// the aligned grid each minute owns, evenly spaced whatever the
	// lateness.
	ScheduleScheduler = "scheduler"
	// ScheduleRule is a plain EventBridge rule, rate(1 minute): no
	// scheduled time, so each invocation sends WAVES waves WAVE_INTERVAL
	// apart (by default the fewest that hold for the keep-alive).
	ScheduleRule = "rule"
)

var (
	popPattern          = regexp.MustCompile(`^[A-Z]{3}[0-9]{1,2}(-[CPE][0-9]{1,2})?$`) // cloudfront.POPCodeRule (root module)
	distributionPattern = regexp.MustCompile(`^d[a-z0-9]+\.cloudfront\.net$`)
	logLevels           = map[string]bool{"DEBUG": true, "INFO": true, "WARN": true, "ERROR": true}
)

// LambdaPrewarmStackProps configures one region's prewarmer. Zero values
// take the defaults above. The configuration reaches the Lambda as the
// environment variables documented in docs/deploying.md.
type LambdaPrewarmStackProps struct {
	awscdk.StackProps

	// DistributionDomain is the distribution's dXXXX.cloudfront.net name
	// (the backend stack's DistributionDomainName output). Required.
	DistributionDomain string
	// Host is the custom domain the distribution serves, if any; it is sent
	// as SNI and Host instead of DistributionDomain.
	Host string
	// Path and Method of the prewarm requests (GET or HEAD).
	Path   string
	Method string
	// POPs are the POP codes to keep warm, e.g. HKG54-C1. Required.
	POPs []string
	// RequestsPerPOP per wave, Concurrency (0: the Lambda's default) and
	// RequestTimeout of each request.
	RequestsPerPOP int
	Concurrency    int
	RequestTimeout time.Duration
	// Schedule is how the Lambda is invoked every minute: ScheduleScheduler
	// (the default) or ScheduleRule.
	Schedule string
	// Period of the aligned grid (PERIOD); 0: the Lambda's, the keep-alive
	// less 2 s.
	Period time.Duration
	// Waves per invocation, WaveInterval apart, for invocations without a
	// scheduled time (ScheduleRule, a manual invoke): set both or neither.
	// Neither: the Lambda's defaults, the fewest waves that hold for the
	// keep-alive under EventBridge's lateness (3 × 44 s for 60 s).
	Waves        int
	WaveInterval time.Duration
	// KeepAlive is the distribution's origin keep-alive timeout; waves must
	// come closer together than this.
	KeepAlive time.Duration
	// IPVersion of the POP addresses to use: 4 (the default), 6, or -1 for
	// both (only for a function with IPv6 egress).
	IPVersion int
	// EMFNamespace for the metrics and LogLevel (DEBUG, INFO, WARN, ERROR).
	EMFNamespace string
	// Metrics is the Lambda's metric level (METRICS): MetricsLean (the
	// default) or MetricsFull; the dashboard follows it.
	Metrics  string
	LogLevel string
	// MemoryMiB of the function (default 128).
	MemoryMiB int
	// ScheduleDisabled creates the one-minute schedule (or rule) disabled.
	ScheduleDisabled bool
	// Tracing turns on X-Ray active tracing (and the role's X-Ray rights).
	Tracing bool
	// ErrorRateThreshold (fraction of failed prewarm requests) trips its
	// alarm after AlarmEvaluationPeriods one-minute periods;
	// ColdRatioThreshold trips when any POP's OriginColdRatio, at its
	// maximum over 5 minutes, is above it (default 0.2).
	ErrorRateThreshold     float64
	ColdRatioThreshold     float64
	AlarmEvaluationPeriods int
	// AlarmTopicARN, if set, is an SNS topic notified by the alarms.
	AlarmTopicARN string
	// HostID says the distribution has the backend's hostIdFunction: the
	// Lambda warms its prewarm path (hostIDPath; Path must be unset or that)
	// and counts edge hosts by the header the function forwards
	// (HOST_ID_HEADER, hostid.go) instead of the via id.
	HostID bool
	// CodePath is a directory holding a prebuilt `bootstrap`. Empty: the
	// stack builds cmd/prewarm-lambda from RepoRoot with BuildLambda.
	CodePath string
	// RepoRoot is where cmd/prewarm-lambda is built from (default: found
	// above the working directory).
	RepoRoot string
}

// withDefaults returns a copy of p with zero values replaced by defaults.
func (p LambdaPrewarmStackProps) withDefaults() LambdaPrewarmStackProps {
	if p.HostID {
		setDefault(&p.Path, hostIDPath)
	}
	setDefault(&p.Path, DefaultPath)
	setDefault(&p.Method, DefaultMethod)
	setDefault(&p.RequestsPerPOP, DefaultRequestsPerPOP)
	setDefault(&p.RequestTimeout, DefaultRequestTimeout)
	setDefault(&p.Schedule, DefaultSchedule)
	setDefault(&p.Metrics, DefaultMetrics)
	setDefault(&p.KeepAlive, DefaultKeepAlive)
	setDefault(&p.IPVersion, DefaultIPVersion)
	setDefault(&p.EMFNamespace, DefaultEMFNamespace)
	setDefault(&p.LogLevel, DefaultLogLevel)
	setDefault(&p.MemoryMiB, DefaultMemoryMiB)
	setDefault(&p.ErrorRateThreshold, DefaultErrorRateThreshold)
	setDefault(&p.ColdRatioThreshold, DefaultColdRatioThreshold)
	setDefault(&p.AlarmEvaluationPeriods, DefaultAlarmEvaluationPeriod)
	p.Method = strings.ToUpper(p.Method)
	p.LogLevel = strings.ToUpper(p.LogLevel)
	return p
}

// validate reports every problem of defaulted props at once.
func (p LambdaPrewarmStackProps) validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !distributionPattern.MatchString(p.DistributionDomain) {
		add("distributionDomain %q: must be the distribution's dXXXX.cloudfront.net name", p.DistributionDomain)
	}
	if p.Host != "" && !isDomainName(p.Host) {
		add("host %q: not a DNS name", p.Host)
	}
	if !strings.HasPrefix(p.Path, "/") {
		add("path %q: must start with /", p.Path)
	}
	if p.HostID && p.Path != hostIDPath {
		add("path %q with hostId: the host identity is echoed on %s only (leave path unset)", p.Path, hostIDPath)
	}
	if p.Method != "GET" && p.Method != "HEAD" {
		add("method %q: must be GET or HEAD", p.Method)
	}
	if len(p.POPs) == 0 {
		add("pops: list at least one POP code, e.g. HKG54-C1")
	}
	for _, pop := range p.POPs {
		if !popPattern.MatchString(pop) {
			add("pop %q: not a POP code (three letters, one or two digits and an optional -C, -P or -E with one or two digits, e.g. HKG54-C1, SIN2-P11, PVG52-E1 or the older FRA2)", pop)
		}
	}
	if p.RequestsPerPOP < 1 {
		add("requestsPerPop %d: must be at least 1", p.RequestsPerPOP)
	}
	if p.Concurrency < 0 {
		add("concurrency %d: must not be negative", p.Concurrency)
	}
	if p.RequestTimeout <= 0 {
		add("requestTimeout %s: must be positive", envDuration(p.RequestTimeout))
	}
	if p.Metrics != MetricsLean && p.Metrics != MetricsFull {
		add("metrics %q: want %q (per POP only OriginColdRatio) or %q (every metric per POP)", p.Metrics, MetricsLean, MetricsFull)
	}
	if p.Schedule != ScheduleScheduler && p.Schedule != ScheduleRule {
		add("schedule %q: want %q (EventBridge Scheduler, aligned waves) or %q (a plain rule)", p.Schedule, ScheduleScheduler, ScheduleRule)
	}
	if p.Waves < 0 || p.Waves > 60 {
		add("waves %d: want 1 to 60, or unset for the Lambda's default", p.Waves)
	}
	if (p.Waves == 0) != (p.WaveInterval == 0) {
		add("waves %d, waveInterval %s: set both or neither (neither: the Lambda's defaults for the keep-alive)", p.Waves, envDuration(p.WaveInterval))
	}
	if p.Period != 0 && (p.Period < time.Second || p.Period >= p.KeepAlive) {
		add("period %s: must be at least 1s and shorter than the keep-alive %s", envDuration(p.Period), envDuration(p.KeepAlive))
	}
	if p.IPVersion != 4 && p.IPVersion != 6 && p.IPVersion != -1 {
		add("ipVersion %d: want 4, 6 or -1 (both)", p.IPVersion)
	}
	if p.WaveInterval < 0 {
		add("waveInterval %s: must be positive", envDuration(p.WaveInterval))
	}
	if p.Waves > 1 && p.WaveInterval >= p.KeepAlive {
		add("waveInterval %s: must be shorter than the keep-alive %s, or origin connections go idle between waves", envDuration(p.WaveInterval), envDuration(p.KeepAlive))
	}
	if t := p.timeout(); t > maxLambdaTimeout {
		add("max(%s, (waves − 1) × waveInterval) + requestTimeout + %s = %s: over the Lambda limit of %s", envDuration(alignedSpan), envDuration(timeoutMargin), envDuration(t), envDuration(maxLambdaTimeout))
	}
	if !logLevels[p.LogLevel] {
		add("logLevel %q: must be DEBUG, INFO, WARN or ERROR", p.LogLevel)
	}
	if p.MemoryMiB < 128 || p.MemoryMiB > 10240 {
		add("memoryMiB %d: must be 128–10240", p.MemoryMiB)
	}
	if p.ErrorRateThreshold <= 0 || p.ErrorRateThreshold > 1 {
		add("errorRateThreshold %v: must be in (0, 1]", p.ErrorRateThreshold)
	}
	if p.ColdRatioThreshold <= 0 || p.ColdRatioThreshold > 1 {
		add("coldRatioThreshold %v: must be in (0, 1]", p.ColdRatioThreshold)
	}
	if p.AlarmEvaluationPeriods < 1 {
		add("alarmEvaluationPeriods %d: must be at least 1", p.AlarmEvaluationPeriods)
	}
	if p.AlarmTopicARN != "" && !strings.HasPrefix(p.AlarmTopicARN, "arn:") {
		add("alarmTopicArn %q: not an ARN", p.AlarmTopicARN)
	}
	return errors.Join(errs...)
}

// timeout is the Lambda function timeout: the root module's
// lambdaenv.FunctionTimeout, max(60 s + 70 s, (waves − 1) × waveInterval)
// + requestTimeout + 10 s rounded up to whole seconds, whichever way the
// function is invoked. An aligned invocation may wait up to 130 s for its
// last slot; a plain-rule one starts its last wave (waves − 1) ×
// waveInterval after the first (the Lambda's default waves never take
// longer than 130 s); either needs one request timeout; the margin covers
// the handler's own (3 s to write the metrics and return) and a wave that
// starts late. TestContractFunctionTimeout checks this against the table
// the root module writes from its function.
func (p LambdaPrewarmStackProps) timeout() time.Duration {
	t := max(alignedSpan, time.Duration(p.Waves-1)*p.WaveInterval) + p.RequestTimeout + timeoutMargin
	if r := t % time.Second; r != 0 {
		t += time.Second - r
	}
	return t
}

// environment renders the props as the Lambda's environment.
func (p LambdaPrewarmStackProps) environment() map[string]*string {
	env := map[string]*string{
		"DISTRIBUTION_DOMAIN": jsii.String(p.DistributionDomain),
		"URL_PATH":            jsii.String(p.Path),
		"METHOD":              jsii.String(p.Method),
		"POPS":                jsii.String(strings.Join(p.POPs, ",")),
		"REQUESTS_PER_POP":    jsii.String(strconv.Itoa(p.RequestsPerPOP)),
		"REQUEST_TIMEOUT":     jsii.String(envDuration(p.RequestTimeout)),
		"KEEPALIVE":           jsii.String(envDuration(p.KeepAlive)),
		"EMF_NAMESPACE":       jsii.String(p.EMFNamespace),
		"METRICS":             jsii.String(p.Metrics),
		"LOG_LEVEL":           jsii.String(p.LogLevel),
	}
	if p.Host != "" {
		env["HOST"] = jsii.String(p.Host)
	}
	if p.HostID {
		env["HOST_ID_HEADER"] = jsii.String(hostIDHeader)
	}
	if p.Concurrency > 0 {
		env["CONCURRENCY"] = jsii.String(strconv.Itoa(p.Concurrency))
	}
	if p.IPVersion > 0 {
		env["IP_VERSION"] = jsii.String(strconv.Itoa(p.IPVersion))
	}
	if p.Waves > 0 {
		env["WAVES"] = jsii.String(strconv.Itoa(p.Waves))
		env["WAVE_INTERVAL"] = jsii.String(envDuration(p.WaveInterval))
	}
	if p.Period > 0 {
		env["PERIOD"] = jsii.String(envDuration(p.Period))
	}
	return env
}
