package plan

import "time"

// What one prewarm stack (infra/stacks: a Lambda per region) creates and
// writes, for its bill. The metric counts follow warm/format's EMF lines
// (plan/format's TestMetricLevelsMatchEMF writes them and counts); the
// alarms and the dashboard follow infra/stacks/monitoring.go.
const (
	// alarmMetricsPerRegion: the error-rate alarm (metric math over Errors
	// and Requests), and the function's errors, throttles and missing
	// invocations.
	alarmMetricsPerRegion = 5
	// alarmMetricsPerPOP: the POP's OriginColdRatio in a cold-ratio alarm
	// (one metric-math alarm per ten POPs, each POP a metric).
	alarmMetricsPerPOP  = 1
	dashboardsPerRegion = 1
	// logBytesPerInvocation: Lambda's START, END and REPORT lines and the
	// handler's summary line.
	logBytesPerInvocation = 700
)

// gib is the size of the GB AWS bills data transfer and logs in.
const gib = 1 << 30

// MetricsPer returns the custom metrics the level creates: per POP (the
// dimension set [Distribution, POP]) and per region (the Lambda's
// [Distribution] set: CloudWatch metrics are regional).
func (l MetricLevel) MetricsPer() (perPOP, perRegion int) {
	if l == MetricsFull {
		return 7, 5
	}
	return 1, 5
}

// EMFLineBytes is the most an EMF line (one POP, one wave) at the level
// takes, for the log ingestion it costs: with every optional field (an
// adaptive sizing with an estimate, error kinds, a client subnet, a
// resolve error) 1,081 bytes lean and 1,147 full (plan/format's
// TestMetricLevelsMatchEMF writes one); a plain line is shorter.
func (l MetricLevel) EMFLineBytes() int {
	if l == MetricsFull {
		return 1200
	}
	return 1100
}

// waveNetwork is the time a wave waits for the network beyond its CPU:
// the slowest request's round trips (docs/plan.md).
const waveNetwork = time.Second

// vcpu is the CPU a Lambda gets: one vCPU at 1,769 MB, in proportion below.
func vcpu(mem int) float64 { return min(float64(mem)/1769, 6) }

// waveTime is how long a wave of requests requests (all POPs) keeps the
// Lambda busy: their CPU on the function's share of a vCPU, then the
// network.
func (pl planner) waveTime(requests int) time.Duration {
	cpu := time.Duration(float64(requests) * float64(pl.cfg.CPUPerRequest) / vcpu(pl.cfg.MemoryMiB))
	return cpu + waveNetwork
}

// lambdaUsage is what one region's Lambda uses in a month apart from its
// POPs' own lines, when it sends perPOP requests to each of pops POPs per
// wave on o: its invocations and their billed duration, waits between
// waves included (schedule.Option.Billed), the scheduler's invocations or
// the rule's events, the per-function metrics and alarms, the dashboard
// and Lambda's own log lines. It returns the mean billed duration of an
// invocation too. A daemon uses none of it.
func (pl planner) lambdaUsage(o option, pops, perPOP int) (time.Duration, Usage) {
	if !o.lambda() {
		return 0, Usage{}
	}
	billed := o.sched.Billed(pl.waveTime(pops * perPOP)).Mean
	inv := o.sched.InvocationsPerMonth()
	_, perRegion := pl.cfg.Metrics.MetricsPer()
	u := Usage{
		Invocations:  inv,
		GBSeconds:    inv * billed.Seconds() * float64(pl.cfg.MemoryMiB) / 1024,
		Metrics:      float64(perRegion),
		AlarmMetrics: alarmMetricsPerRegion,
		Dashboards:   dashboardsPerRegion,
		LogGB:        inv * logBytesPerInvocation / gib,
	}
	if o.scheduler() {
		u.SchedulerInvocations = inv
	} else {
		u.RuleEvents = inv
	}
	return billed, u
}

// popUsage is what n requests per wave on o use for one POP in a month:
// the requests and their responses and, from a Lambda, the POP's metrics,
// its alarm metric and its EMF lines.
func (pl planner) popUsage(o option, n int) Usage {
	waves := o.sched.WavesPerMonth()
	u := Usage{Requests: float64(n) * waves}
	u.ResponseGB = u.Requests * float64(pl.responseBytes) / gib
	if o.lambda() {
		perPOP, _ := pl.cfg.Metrics.MetricsPer()
		u.Metrics = float64(perPOP)
		u.AlarmMetrics = alarmMetricsPerPOP
		u.LogGB = waves * float64(pl.cfg.Metrics.EMFLineBytes()) / gib
	}
	return u
}
