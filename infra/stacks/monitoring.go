package stacks

import (
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/jsii-runtime-go"
)

// Metric names and dimensions the prewarm Lambda publishes in CloudWatch
// Embedded Metric Format, with dimension sets [Distribution, POP] and
// [Distribution].
const (
	MetricRequests        = "Requests"
	MetricErrors          = "Errors"
	MetricOriginColdRatio = "OriginColdRatio"
	MetricLatencyP50      = "LatencyP50"
	MetricLatencyP99      = "LatencyP99"
	DimensionDistribution = "Distribution"
	DimensionPOP          = "POP"
	// ErrorRateExpression is the alarm's metric math.
	ErrorRateExpression = "IF(requests > 0, errors / requests, 0)"
	// maxMetricsPerAlarm is CloudWatch's limit on the metrics one
	// metric-math alarm may use: more POPs make more cold-ratio alarms.
	maxMetricsPerAlarm = 10
)

// alarmPeriod is the period of the function alarms and of the per-POP
// cold ratio (docs/warm.md: the maximum over 5 minutes).
var alarmPeriod = 5 * time.Minute

// prewarmMetric is one EMF metric for the distribution, optionally for one
// POP, over one-minute periods.
func prewarmMetric(p LambdaPrewarmStackProps, name, statistic, pop string) awscloudwatch.Metric {
	dims := map[string]*string{DimensionDistribution: jsii.String(p.DistributionDomain)}
	props := &awscloudwatch.MetricProps{
		Namespace:     jsii.String(p.EMFNamespace),
		MetricName:    jsii.String(name),
		DimensionsMap: &dims,
		Statistic:     jsii.String(statistic),
		Period:        awscdk.Duration_Minutes(jsii.Number(1)),
	}
	if pop != "" {
		dims[DimensionPOP] = jsii.String(pop)
		props.Label = jsii.String(pop) // one line per POP on the dashboard
	}
	return awscloudwatch.NewMetric(props)
}

// newMonitoring adds the alarms and a dashboard: with the lean metrics the
// cold ratio per POP and the rest over the POPs, with the full ones a line
// per POP in every graph. The
// alarms: the prewarm error rate; the per-POP maximum of OriginColdRatio
// (one alarm per ten POPs); and the function itself: errors, throttles,
// and, when the schedule is on, missing invocations (missing data
// breaching: no data means the function did not run).
func newMonitoring(stack awscdk.Stack, fn awslambda.Function, p LambdaPrewarmStackProps) {
	label := strings.SplitN(p.DistributionDomain, ".", 2)[0]
	name := func(what string) *string {
		return jsii.String(fmt.Sprintf("cfprewarm-%s-%s-%s", label, *stack.Region(), what))
	}
	errorRate := awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression: jsii.String(ErrorRateExpression),
		UsingMetrics: &map[string]awscloudwatch.IMetric{
			"errors":   prewarmMetric(p, MetricErrors, "Sum", ""),
			"requests": prewarmMetric(p, MetricRequests, "Sum", ""),
		},
		Period: awscdk.Duration_Minutes(jsii.Number(1)),
		Label:  jsii.String("prewarm error rate"),
	})
	alarms := []awscloudwatch.Alarm{
		errorRate.CreateAlarm(stack, jsii.String("ErrorRateAlarm"), &awscloudwatch.CreateAlarmOptions{
			AlarmName:          name("error-rate"),
			AlarmDescription:   jsii.String(fmt.Sprintf("Prewarm requests to %s failing above %.0f%%", p.DistributionDomain, p.ErrorRateThreshold*100)),
			Threshold:          jsii.Number(p.ErrorRateThreshold),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
			EvaluationPeriods:  jsii.Number(float64(p.AlarmEvaluationPeriods)),
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		}),
	}
	alarms = append(alarms, coldRatioAlarms(stack, p, name)...)
	fnMetric := func(m func(*awscloudwatch.MetricOptions) awscloudwatch.Metric) awscloudwatch.Metric {
		return m(&awscloudwatch.MetricOptions{Statistic: jsii.String("Sum"), Period: awscdk.Duration_Minutes(jsii.Number(alarmPeriod.Minutes()))})
	}
	for _, a := range []struct {
		id, name, what string
		metric         awscloudwatch.Metric
	}{
		{"FunctionErrorsAlarm", "function-errors", "failed (an error or a timeout)", fnMetric(fn.MetricErrors)},
		{"FunctionThrottlesAlarm", "function-throttles", "was throttled", fnMetric(fn.MetricThrottles)},
	} {
		alarms = append(alarms, a.metric.CreateAlarm(stack, jsii.String(a.id), &awscloudwatch.CreateAlarmOptions{
			AlarmName:          name(a.name),
			AlarmDescription:   jsii.String(fmt.Sprintf("The prewarm Lambda for %s %s at least once in %s", p.DistributionDomain, a.what, envDuration(alarmPeriod))),
			Threshold:          jsii.Number(1),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
			EvaluationPeriods:  jsii.Number(1),
			// No data: no invocation, the alarm below.
			TreatMissingData: awscloudwatch.TreatMissingData_NOT_BREACHING,
		}))
	}
	if !p.ScheduleDisabled {
		alarms = append(alarms, fnMetric(fn.MetricInvocations).CreateAlarm(stack, jsii.String("FunctionInvocationsAlarm"), &awscloudwatch.CreateAlarmOptions{
			AlarmName:          name("missing-invocations"),
			AlarmDescription:   jsii.String(fmt.Sprintf("The prewarm Lambda for %s was not invoked in %s although it is scheduled every minute", p.DistributionDomain, envDuration(alarmPeriod))),
			Threshold:          jsii.Number(1),
			ComparisonOperator: awscloudwatch.ComparisonOperator_LESS_THAN_THRESHOLD,
			EvaluationPeriods:  jsii.Number(1),
			TreatMissingData:   awscloudwatch.TreatMissingData_BREACHING,
		}))
	}
	if p.AlarmTopicARN != "" {
		topic := awssns.Topic_FromTopicArn(stack, jsii.String("AlarmTopic"), jsii.String(p.AlarmTopicARN))
		for _, a := range alarms {
			a.AddAlarmAction(awscloudwatchactions.NewSnsAction(topic))
		}
	}

	perPOP := func(name, statistic string) *[]awscloudwatch.IMetric {
		ms := make([]awscloudwatch.IMetric, 0, len(p.POPs))
		for _, pop := range p.POPs {
			ms = append(ms, prewarmMetric(p, name, statistic, pop))
		}
		return &ms
	}
	graph := func(title string, left *[]awscloudwatch.IMetric) awscloudwatch.IWidget {
		return awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{Title: jsii.String(title), Left: left, Width: jsii.Number(12)})
	}
	dash := awscloudwatch.NewDashboard(stack, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
		DashboardName: jsii.String(fmt.Sprintf("cfprewarm-%s-%s", label, *stack.Region())),
	})
	iAlarms := make([]interfacesawscloudwatch.IAlarmRef, len(alarms))
	for i, a := range alarms {
		iAlarms[i] = a
	}
	dash.AddWidgets(
		awscloudwatch.NewAlarmWidget(&awscloudwatch.AlarmWidgetProps{Title: jsii.String("Prewarm error rate"), Alarm: alarms[0], Width: jsii.Number(12)}),
		awscloudwatch.NewAlarmWidget(&awscloudwatch.AlarmWidgetProps{Title: jsii.String("Origin cold ratio, maximum over the POPs"), Alarm: alarms[1], Width: jsii.Number(12)}),
	)
	dash.AddWidgets(awscloudwatch.NewAlarmStatusWidget(&awscloudwatch.AlarmStatusWidgetProps{Title: jsii.String("Alarms"), Alarms: &iAlarms, Width: jsii.Number(24)}))
	lambda := graph("Lambda invocations, errors, throttles, duration", &[]awscloudwatch.IMetric{fn.MetricInvocations(nil), fn.MetricErrors(nil), fn.MetricThrottles(nil), fn.MetricDuration(nil)})
	coldPerPOP := graph("Origin cold ratio per POP (0 = all reused)", perPOP(MetricOriginColdRatio, "Average"))
	if p.Metrics == MetricsFull {
		dash.AddWidgets(graph("Requests per POP", perPOP(MetricRequests, "Sum")), graph("Errors per POP", perPOP(MetricErrors, "Sum")))
		dash.AddWidgets(coldPerPOP, lambda)
		dash.AddWidgets(graph("Latency p50 per POP (ms)", perPOP(MetricLatencyP50, "Average")), graph("Latency p99 per POP (ms)", perPOP(MetricLatencyP99, "Average")))
		return
	}
	// Lean metrics: per POP only the cold ratio; the rest over the POPs.
	all := func(name, statistic, label string) awscloudwatch.IMetric {
		return prewarmMetric(p, name, statistic, "").With(&awscloudwatch.MetricOptions{Label: jsii.String(label)})
	}
	dash.AddWidgets(graph("Requests and errors, all POPs", &[]awscloudwatch.IMetric{all(MetricRequests, "Sum", "requests"), all(MetricErrors, "Sum", "errors")}),
		coldPerPOP)
	dash.AddWidgets(graph("Latency over the POPs (ms)", &[]awscloudwatch.IMetric{all(MetricLatencyP50, "Average", "p50"), all(MetricLatencyP99, "Average", "p99")}),
		lambda)
}

// ColdRatioExpression is the metric math of a cold-ratio alarm over n
// POPs: the largest of their OriginColdRatio maxima (metrics p0 … pn-1).
func ColdRatioExpression(n int) string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("p%d", i)
	}
	return "MAX([" + strings.Join(ids, ", ") + "])"
}

// coldRatioAlarms alarm when any POP's OriginColdRatio, at its maximum
// over alarmPeriod, is above the threshold (docs/warm.md): one metric-math
// alarm per group of up to maxMetricsPerAlarm POPs.
func coldRatioAlarms(stack awscdk.Stack, p LambdaPrewarmStackProps, name func(string) *string) []awscloudwatch.Alarm {
	var alarms []awscloudwatch.Alarm
	for start := 0; start < len(p.POPs); start += maxMetricsPerAlarm {
		pops := p.POPs[start:min(start+maxMetricsPerAlarm, len(p.POPs))]
		using := map[string]awscloudwatch.IMetric{}
		for i, pop := range pops {
			m := prewarmMetric(p, MetricOriginColdRatio, "Maximum", pop)
			using[fmt.Sprintf("p%d", i)] = m.With(&awscloudwatch.MetricOptions{Period: awscdk.Duration_Minutes(jsii.Number(alarmPeriod.Minutes()))})
		}
		id, suffix := "OriginColdRatioAlarm", "origin-cold-ratio"
		if len(p.POPs) > maxMetricsPerAlarm {
			n := start/maxMetricsPerAlarm + 1
			id, suffix = fmt.Sprintf("%s%d", id, n), fmt.Sprintf("%s-%d", suffix, n)
		}
		expr := awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
			Expression:   jsii.String(ColdRatioExpression(len(pops))),
			UsingMetrics: &using,
			Period:       awscdk.Duration_Minutes(jsii.Number(alarmPeriod.Minutes())),
			Label:        jsii.String("origin cold ratio, maximum over " + strings.Join(pops, ", ")),
		})
		alarms = append(alarms, expr.CreateAlarm(stack, jsii.String(id), &awscloudwatch.CreateAlarmOptions{
			AlarmName: name(suffix),
			AlarmDescription: jsii.String(fmt.Sprintf("A POP of %s (%s) opened new origin connections for more than %v of its prewarm requests (OriginColdRatio, maximum over %s)",
				p.DistributionDomain, strings.Join(pops, ", "), p.ColdRatioThreshold, envDuration(alarmPeriod))),
			Threshold:          jsii.Number(p.ColdRatioThreshold),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
			EvaluationPeriods:  jsii.Number(1),
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		}))
	}
	return alarms
}
