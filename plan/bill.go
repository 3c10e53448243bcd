package plan

// Usage is what prewarming uses in a month (30 days): the quantities AWS
// bills, each line of the whole bill (docs/plan.md, "The whole bill").
// Quantities are fractional where a POP carries a share of its region's
// Lambda.
type Usage struct {
	// Requests are the prewarm requests: billed CloudFront HTTPS requests.
	Requests float64 `json:"requests"`
	// ResponseGB is their responses: CloudFront data transfer out, in GB
	// of 2^30 bytes.
	ResponseGB float64 `json:"response_gb"`
	// Invocations of the prewarm Lambda, and its billed duration in
	// GB-seconds, waits between waves included.
	Invocations float64 `json:"lambda_invocations"`
	GBSeconds   float64 `json:"lambda_gb_s"`
	// SchedulerInvocations are EventBridge Scheduler's (the aligned
	// Lambda); RuleEvents those of a plain EventBridge rule (the waves
	// Lambda).
	SchedulerInvocations float64 `json:"scheduler_invocations"`
	RuleEvents           float64 `json:"rule_events"`
	// Metrics are the CloudWatch custom metrics the Lambda's EMF lines
	// create at the metric level (metric-months); AlarmMetrics the metrics
	// its alarms evaluate (a metric-math alarm counts each); Dashboards its
	// dashboards.
	Metrics      float64 `json:"metrics"`
	AlarmMetrics float64 `json:"alarm_metrics"`
	Dashboards   float64 `json:"dashboards"`
	// LogGB is the CloudWatch Logs ingestion of the Lambda's log lines
	// (its EMF lines and Lambda's own), in GB of 2^30 bytes.
	LogGB float64 `json:"log_gb"`
}

// lines returns a pointer to every line of u.
func (u *Usage) lines() []*float64 {
	return []*float64{&u.Requests, &u.ResponseGB, &u.Invocations, &u.GBSeconds, &u.SchedulerInvocations,
		&u.RuleEvents, &u.Metrics, &u.AlarmMetrics, &u.Dashboards, &u.LogGB}
}

// add returns u + v, line by line.
func (u Usage) add(v Usage) Usage {
	sum(u.lines(), v.lines())
	return u
}

// scale returns u × f, line by line.
func (u Usage) scale(f float64) Usage {
	for _, l := range u.lines() {
		*l *= f
	}
	return u
}

// sum adds each of from to the line of to at its place.
func sum(to, from []*float64) {
	for i, l := range from {
		*to[i] += *l
	}
}

// Charges are a month's charges, line by line, in the prices' currency.
type Charges struct {
	Requests   float64 `json:"cloudfront_requests"`
	Data       float64 `json:"cloudfront_data"`
	Lambda     float64 `json:"lambda"` // invocations and duration
	Scheduler  float64 `json:"scheduler"`
	Rules      float64 `json:"rule_events"`
	Metrics    float64 `json:"metrics"`
	Alarms     float64 `json:"alarms"`
	Dashboards float64 `json:"dashboards"`
	Logs       float64 `json:"logs"`
}

// lines returns a pointer to every line of c.
func (c *Charges) lines() []*float64 {
	return []*float64{&c.Requests, &c.Data, &c.Lambda, &c.Scheduler, &c.Rules, &c.Metrics, &c.Alarms, &c.Dashboards, &c.Logs}
}

func (c Charges) add(d Charges) Charges {
	sum(c.lines(), d.lines())
	return c
}

// CloudFront is what CloudFront charges: the requests and their responses.
func (c Charges) CloudFront() float64 { return c.Requests + c.Data }

// CloudWatch is what CloudWatch charges: metrics, alarms, dashboards, logs.
func (c Charges) CloudWatch() float64 { return c.Metrics + c.Alarms + c.Dashboards + c.Logs }

// Schedule is what the scheduler charges: EventBridge Scheduler or a rule.
func (c Charges) Schedule() float64 { return c.Scheduler + c.Rules }

// Total is the sum of every line.
func (c Charges) Total() float64 { return c.CloudFront() + c.Lambda + c.Schedule() + c.CloudWatch() }

// Cost is a monthly bill: the usage, its charges line by line, and their
// total. Free tiers are never subtracted (Prices.FreeTier notes them).
type Cost struct {
	Usage   Usage   `json:"usage"`
	Charges Charges `json:"charges"`
	Total   float64 `json:"total"`
}

// add returns the bill of both.
func (c Cost) add(d Cost) Cost {
	ch := c.Charges.add(d.Charges)
	return Cost{Usage: c.Usage.add(d.Usage), Charges: ch, Total: ch.Total()}
}

// bill prices a month's usage: the CloudFront lines at the prices of
// geography (the POP's; "" for usage with no CloudFront part, such as a
// region's Lambda), every other line at its one price. Every cost of the
// plan is made here.
func (pr Prices) bill(u Usage, geography string) Cost {
	const perMillion = 1e-6
	ch := Charges{
		Requests:   u.Requests / 1e4 * pr.CloudFrontPer10000[geography],
		Data:       u.ResponseGB * pr.CloudFrontPerGB[geography],
		Lambda:     u.Invocations*perMillion*pr.LambdaPerMillion + u.GBSeconds*pr.LambdaGBSecond,
		Scheduler:  u.SchedulerInvocations * perMillion * pr.SchedulerPerMillion,
		Rules:      u.RuleEvents * perMillion * pr.RulePerMillion,
		Metrics:    u.Metrics * pr.MetricMonth,
		Alarms:     u.AlarmMetrics * pr.AlarmMetricMonth,
		Dashboards: u.Dashboards * pr.DashboardMonth,
		Logs:       u.LogGB * pr.LogsPerGB,
	}
	return Cost{Usage: u, Charges: ch, Total: ch.Total()}
}
