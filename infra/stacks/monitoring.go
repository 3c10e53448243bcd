package stacks

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
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
)

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

// newMonitoring adds the alarms (prewarm error rate and OriginColdRatio, per
// distribution) and a dashboard with one line per POP.
func newMonitoring(stack awscdk.Stack, fn awslambda.Function, p LambdaPrewarmStackProps) {
	label := strings.SplitN(p.DistributionDomain, ".", 2)[0]
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
			AlarmName:          jsii.String(fmt.Sprintf("cfprewarm-%s-%s-error-rate", label, *stack.Region())),
			AlarmDescription:   jsii.String(fmt.Sprintf("Prewarm requests to %s failing above %.0f%%", p.DistributionDomain, p.ErrorRateThreshold*100)),
			Threshold:          jsii.Number(p.ErrorRateThreshold),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
			EvaluationPeriods:  jsii.Number(float64(p.AlarmEvaluationPeriods)),
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		}),
		prewarmMetric(p, MetricOriginColdRatio, "Average", "").CreateAlarm(stack, jsii.String("OriginColdRatioAlarm"), &awscloudwatch.CreateAlarmOptions{
			AlarmName:          jsii.String(fmt.Sprintf("cfprewarm-%s-%s-origin-cold-ratio", label, *stack.Region())),
			AlarmDescription:   jsii.String(fmt.Sprintf("Prewarm requests to %s opening new origin connections: average OriginColdRatio above %v", p.DistributionDomain, p.ColdRatioThreshold)),
			Threshold:          jsii.Number(p.ColdRatioThreshold),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
			EvaluationPeriods:  jsii.Number(float64(p.AlarmEvaluationPeriods)),
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		}),
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
	dash.AddWidgets(
		awscloudwatch.NewAlarmWidget(&awscloudwatch.AlarmWidgetProps{Title: jsii.String("Prewarm error rate"), Alarm: alarms[0], Width: jsii.Number(12)}),
		awscloudwatch.NewAlarmWidget(&awscloudwatch.AlarmWidgetProps{Title: jsii.String("Origin cold ratio"), Alarm: alarms[1], Width: jsii.Number(12)}),
	)
	dash.AddWidgets(graph("Requests per POP", perPOP(MetricRequests, "Sum")), graph("Errors per POP", perPOP(MetricErrors, "Sum")))
	dash.AddWidgets(graph("Origin cold ratio per POP (0 = all reused)", perPOP(MetricOriginColdRatio, "Average")),
		graph("Lambda invocations, errors, duration", &[]awscloudwatch.IMetric{fn.MetricInvocations(nil), fn.MetricErrors(nil), fn.MetricDuration(nil)}))
	dash.AddWidgets(graph("Latency p50 per POP (ms)", perPOP(MetricLatencyP50, "Average")), graph("Latency p99 per POP (ms)", perPOP(MetricLatencyP99, "Average")))
}
