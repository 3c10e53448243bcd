package stacks

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

// prewarmStack returns the shared prewarm stack of a region.
func prewarmStack(t *testing.T, f *fixture, region string) awscdk.Stack {
	t.Helper()
	for _, s := range f.prewarm {
		if *s.Region() == region {
			return s
		}
	}
	t.Fatalf("no prewarm stack in %s", region)
	return nil
}

func TestPrewarmFunction(t *testing.T) {
	f := shared(t)
	tm := f.template(prewarmStack(t, f, "ap-east-1"))
	_, fn := only(t, tm, "AWS::Lambda::Function")
	jsonEqual(t, "runtime", fn["Runtime"], "provided.al2023")
	jsonEqual(t, "architectures", fn["Architectures"], []string{"arm64"})
	jsonEqual(t, "memory", fn["MemorySize"], 128)
	jsonEqual(t, "handler", fn["Handler"], "bootstrap")
	// An aligned invocation may wait up to 60 s + 70 s for its last slot,
	// + 10 s request timeout + 10 s margin.
	jsonEqual(t, "timeout", fn["Timeout"], 150)
	// No WAVES or WAVE_INTERVAL: the Lambda's own, which follow KEEPALIVE.
	jsonEqual(t, "environment", fn["Environment"], map[string]any{"Variables": map[string]string{
		"DISTRIBUTION_DOMAIN": testDistribution,
		"URL_PATH":            "/",
		"METHOD":              "GET",
		"POPS":                "HKG54-C1,HKG62-C1",
		"REQUESTS_PER_POP":    "60",
		"REQUEST_TIMEOUT":     "10s",
		"KEEPALIVE":           "60s",
		"IP_VERSION":          "4",
		"EMF_NAMESPACE":       "CFPrewarm",
		"METRICS":             "lean",
		"LOG_LEVEL":           "INFO",
	}})
	if tc, ok := fn["TracingConfig"].(map[string]any); ok && tc["Mode"] == "Active" {
		t.Errorf("tracing is on by default: %v", tc)
	}
	logGroupID, lg := only(t, tm, "AWS::Logs::LogGroup")
	jsonEqual(t, "log retention", lg["RetentionInDays"], 7)
	jsonEqual(t, "function log group", fn["LoggingConfig"], map[string]any{"LogGroup": map[string]any{"Ref": logGroupID}})

	// Least privilege: one inline statement writing the function's own log
	// group, no managed policies.
	roleID := fn["Role"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
	if role := resources(t, tm, "AWS::IAM::Role")[roleID]["Properties"].(map[string]any); role["ManagedPolicyArns"] != nil {
		t.Errorf("role has managed policies: %v", role["ManagedPolicyArns"])
	}
	jsonEqual(t, "policy statements", policyOf(t, tm, roleID)["Statement"], []any{map[string]any{
		"Sid":      "WriteOwnLogs",
		"Effect":   "Allow",
		"Action":   []string{"logs:CreateLogStream", "logs:PutLogEvents"},
		"Resource": map[string]any{"Fn::GetAtt": []string{logGroupID, "Arn"}},
	}})
}

// policyOf is the policy document of the one inline policy of a role.
func policyOf(t *testing.T, tm assertions.Template, roleID string) map[string]any {
	t.Helper()
	var docs []map[string]any
	for _, p := range resources(t, tm, "AWS::IAM::Policy") {
		props := p["Properties"].(map[string]any)
		for _, r := range props["Roles"].([]any) {
			if r.(map[string]any)["Ref"] == roleID {
				docs = append(docs, props["PolicyDocument"].(map[string]any))
			}
		}
	}
	if len(docs) != 1 {
		t.Fatalf("role %s has %d inline policies, want 1", roleID, len(docs))
	}
	return docs[0]
}

// The default schedule is EventBridge Scheduler, every minute, with the
// flexible time window off, the scheduled time in the input (the Lambda's
// aligned waves), no retry and a 60 s maximum event age (a late prewarm is
// worthless), invoking the function through a role that may invoke it and
// nothing else. The plain-rule option keeps the one-minute rule, with the
// same retry policy.
func TestPrewarmSchedule(t *testing.T) {
	f := shared(t)
	retry := map[string]any{"MaximumEventAgeInSeconds": 60, "MaximumRetryAttempts": 0}
	for _, region := range []string{"ap-east-1", "eu-west-1"} {
		tm := f.template(prewarmStack(t, f, region))
		if rules := resources(t, tm, "AWS::Events::Rule"); len(rules) != 0 {
			t.Errorf("%s: an EventBridge rule besides the schedule: %v", region, rules)
		}
		fnID, _ := only(t, tm, "AWS::Lambda::Function")
		_, s := only(t, tm, "AWS::Scheduler::Schedule")
		jsonEqual(t, region+" schedule", []any{s["ScheduleExpression"], s["State"], s["FlexibleTimeWindow"]},
			[]any{"rate(1 minute)", "ENABLED", map[string]any{"Mode": "OFF"}})
		target := s["Target"].(map[string]any)
		jsonEqual(t, region+" target", target["Arn"], map[string]any{"Fn::GetAtt": []string{fnID, "Arn"}})
		jsonEqual(t, region+" input", target["Input"], `{"scheduledTime":"<aws.scheduler.scheduled-time>"}`)
		jsonEqual(t, region+" retry policy", target["RetryPolicy"], retry)
		roleID := target["RoleArn"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
		role := resources(t, tm, "AWS::IAM::Role")[roleID]["Properties"].(map[string]any)
		jsonEqual(t, region+" scheduler role trust", role["AssumeRolePolicyDocument"].(map[string]any)["Statement"].([]any)[0].(map[string]any)["Principal"],
			map[string]any{"Service": "scheduler.amazonaws.com"})
		stmts := policyOf(t, tm, roleID)["Statement"].([]any)
		if len(stmts) != 1 || stmts[0].(map[string]any)["Action"] != "lambda:InvokeFunction" || !strings.Contains(fmt.Sprint(stmts[0].(map[string]any)["Resource"]), fnID) {
			t.Errorf("%s: the scheduler role may %v, want lambda:InvokeFunction on the function alone", region, stmts)
		}
	}
	env := func(region string) map[string]any {
		_, fn := only(t, f.template(prewarmStack(t, f, region)), "AWS::Lambda::Function")
		return fn["Environment"].(map[string]any)["Variables"].(map[string]any)
	}
	if e := env("eu-west-1"); e["PERIOD"] != "29s" || e["WAVES"] != nil {
		t.Errorf("eu-west-1 (period 29s): environment %v", e)
	}

	// A plain rule, disabled (scheduleEnabled: false), with its own waves.
	tm := f.template(prewarmStack(t, f, "ap-northeast-1"))
	if s := resources(t, tm, "AWS::Scheduler::Schedule"); len(s) != 0 {
		t.Errorf("a Scheduler schedule besides the rule: %v", s)
	}
	_, rule := only(t, tm, "AWS::Events::Rule")
	jsonEqual(t, "rule", []any{rule["ScheduleExpression"], rule["State"]}, []any{"rate(1 minute)", "DISABLED"})
	targets := rule["Targets"].([]any)
	if len(targets) != 1 || targets[0].(map[string]any)["Input"] != nil {
		t.Fatalf("want one target and no input, got %v", targets)
	}
	jsonEqual(t, "rule retry policy", targets[0].(map[string]any)["RetryPolicy"], retry)
	check(t, "invoke permission", func() {
		tm.HasResourceProperties(jsii.String("AWS::Lambda::Permission"), map[string]any{
			"Action": "lambda:InvokeFunction", "Principal": "events.amazonaws.com",
		})
	})
	if e := env("ap-northeast-1"); e["WAVES"] != "4" || e["WAVE_INTERVAL"] != "33s" {
		t.Errorf("ap-northeast-1 (4 waves 33 s apart): environment %v", e)
	}
	// max(130 s, 3 × 33 s) + 10 s + 10 s.
	_, fn := only(t, tm, "AWS::Lambda::Function")
	jsonEqual(t, "plain-rule timeout", fn["Timeout"], 150)
}

// alarmsByName returns a stack's alarms by the last part of their name
// (cfprewarm-<label>-<region>-<what>).
func alarmsByName(t *testing.T, f *fixture, region string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	prefix := "cfprewarm-d111111abcdef8-" + region + "-"
	for _, a := range resources(t, f.template(prewarmStack(t, f, region)), "AWS::CloudWatch::Alarm") {
		p := a["Properties"].(map[string]any)
		name, _ := p["AlarmName"].(string)
		what, ok := strings.CutPrefix(name, prefix)
		if !ok {
			t.Errorf("alarm name %q without the prefix %q", name, prefix)
		}
		out[what] = p
	}
	return out
}

func TestPrewarmAlarms(t *testing.T) {
	f := shared(t)
	dims := []any{map[string]any{"Name": DimensionDistribution, "Value": testDistribution}}
	metric := func(name, stat string) map[string]any {
		return map[string]any{"Metric": map[string]any{"Namespace": "CFPrewarm", "MetricName": name, "Dimensions": dims}, "Period": 60, "Stat": stat}
	}
	alarms := alarmsByName(t, f, "ap-east-1")
	var names []string
	for n := range alarms {
		names = append(names, n)
	}
	slices.Sort(names)
	jsonEqual(t, "alarms", names, []string{"error-rate", "function-errors", "function-throttles", "missing-invocations", "origin-cold-ratio"})

	errorRate := alarms["error-rate"]
	jsonEqual(t, "error-rate threshold", []any{errorRate["Threshold"], errorRate["EvaluationPeriods"], errorRate["ComparisonOperator"], errorRate["TreatMissingData"]},
		[]any{DefaultErrorRateThreshold, 5, "GreaterThanThreshold", "notBreaching"})
	expr, used := mathAlarm(t, errorRate)
	jsonEqual(t, "expression", expr, ErrorRateExpression)
	jsonEqual(t, "expression inputs", used, map[string]any{"errors": metric(MetricErrors, "Sum"), "requests": metric(MetricRequests, "Sum")})

	for _, p := range alarms {
		if p["AlarmActions"] != nil {
			t.Errorf("alarm actions without a topic: %v", p["AlarmActions"])
		}
	}

	// The other region notifies its SNS topic, and its schedule is off:
	// no missing-invocations alarm.
	other := alarmsByName(t, f, "ap-northeast-1")
	if _, ok := other["missing-invocations"]; ok || len(other) != 4 {
		t.Errorf("alarms with the schedule disabled: %v, want four, without missing-invocations", slices.Collect(maps.Keys(other)))
	}
	for n, p := range other {
		jsonEqual(t, n+" actions", p["AlarmActions"], []any{"arn:aws:sns:ap-northeast-1:123456789012:cfprewarm-alerts"})
	}
}

// mathAlarm returns a metric-math alarm's expression and its inputs'
// MetricStat by id.
func mathAlarm(t *testing.T, alarm map[string]any) (string, map[string]any) {
	t.Helper()
	var expr string
	used := map[string]any{}
	for _, m := range alarm["Metrics"].([]any) {
		m := m.(map[string]any)
		if e, ok := m["Expression"].(string); ok {
			expr = e
		} else {
			used[m["Id"].(string)] = m["MetricStat"]
		}
	}
	return expr, used
}

// TestPrewarmFunctionAlarms: the function's errors and throttles alarm at
// the first one in 5 minutes; missing invocations alarm with missing data
// breaching (no data: the function did not run).
func TestPrewarmFunctionAlarms(t *testing.T) {
	f := shared(t)
	tm := f.template(prewarmStack(t, f, "ap-east-1"))
	fnID, _ := only(t, tm, "AWS::Lambda::Function")
	alarms := alarmsByName(t, f, "ap-east-1")
	for _, tc := range []struct {
		name, metric, op, missing string
		threshold                 float64
	}{
		{"function-errors", "Errors", "GreaterThanOrEqualToThreshold", "notBreaching", 1},
		{"function-throttles", "Throttles", "GreaterThanOrEqualToThreshold", "notBreaching", 1},
		{"missing-invocations", "Invocations", "LessThanThreshold", "breaching", 1},
	} {
		a := alarms[tc.name]
		jsonEqual(t, tc.name, map[string]any{
			"Namespace": a["Namespace"], "MetricName": a["MetricName"], "Dimensions": a["Dimensions"], "Statistic": a["Statistic"],
			"Period": a["Period"], "Threshold": a["Threshold"], "EvaluationPeriods": a["EvaluationPeriods"],
			"ComparisonOperator": a["ComparisonOperator"], "TreatMissingData": a["TreatMissingData"],
		}, map[string]any{
			"Namespace": "AWS/Lambda", "MetricName": tc.metric, "Dimensions": []any{map[string]any{"Name": "FunctionName", "Value": map[string]any{"Ref": fnID}}},
			"Statistic": "Sum", "Period": 300, "Threshold": tc.threshold, "EvaluationPeriods": 1,
			"ComparisonOperator": tc.op, "TreatMissingData": tc.missing,
		})
	}
}

// TestPrewarmColdRatioAlarm: the largest per-POP maximum of
// OriginColdRatio over 5 minutes, above docs/warm.md's 0.2; more than ten
// POPs (CloudWatch's limit per metric-math alarm) make one alarm per ten.
func TestPrewarmColdRatioAlarm(t *testing.T) {
	f := shared(t)
	perPOP := func(pop string) map[string]any {
		return map[string]any{"Metric": map[string]any{"Namespace": "CFPrewarm", "MetricName": MetricOriginColdRatio, "Dimensions": []any{
			map[string]any{"Name": DimensionDistribution, "Value": testDistribution},
			map[string]any{"Name": DimensionPOP, "Value": pop},
		}}, "Period": 300, "Stat": "Maximum"}
	}
	check := func(alarm map[string]any, pops ...string) {
		t.Helper()
		if alarm == nil {
			t.Fatalf("no alarm for %v", pops)
		}
		expr, used := mathAlarm(t, alarm)
		want := map[string]any{}
		for i, pop := range pops {
			want[fmt.Sprintf("p%d", i)] = perPOP(pop)
		}
		jsonEqual(t, "expression", expr, ColdRatioExpression(len(pops)))
		jsonEqual(t, "per-POP inputs", used, want)
		jsonEqual(t, "threshold", []any{alarm["Threshold"], alarm["EvaluationPeriods"], alarm["ComparisonOperator"], alarm["TreatMissingData"]},
			[]any{0.2, 1, "GreaterThanThreshold", "notBreaching"})
	}
	check(alarmsByName(t, f, "ap-east-1")["origin-cold-ratio"], "HKG54-C1", "HKG62-C1")
	if got := ColdRatioExpression(2); got != "MAX([p0, p1])" {
		t.Errorf("expression %q", got)
	}

	dub := alarmsByName(t, f, "eu-west-1")
	check(dub["origin-cold-ratio-1"], "DUB1-C1", "DUB2-C1", "DUB3-C1", "DUB4-C1", "DUB5-C1", "DUB6-C1", "DUB7-C1", "DUB8-C1", "DUB9-C1", "DUB10-C1")
	check(dub["origin-cold-ratio-2"], "DUB11-C1", "DUB12-C1")
	if _, ok := dub["origin-cold-ratio"]; ok {
		t.Error("an alarm over all twelve POPs: CloudWatch refuses more than ten metrics")
	}
}

// dashboardBody flattens the dashboard's Fn::Join into text, tokens as
// "<token>".
func dashboardBody(t *testing.T, tm interface {
	ToJSON() *map[string]any
}) string {
	t.Helper()
	raw, _ := json.Marshal((*tm.ToJSON())["Resources"])
	var res map[string]struct {
		Type       string
		Properties struct{ DashboardBody any }
	}
	json.Unmarshal(raw, &res)
	for _, r := range res {
		if r.Type != "AWS::CloudWatch::Dashboard" {
			continue
		}
		switch b := r.Properties.DashboardBody.(type) {
		case string:
			return b
		case map[string]any:
			var sb strings.Builder
			for _, part := range b["Fn::Join"].([]any)[1].([]any) {
				if s, ok := part.(string); ok {
					sb.WriteString(s)
				} else {
					sb.WriteString("<token>")
				}
			}
			return sb.String()
		}
	}
	t.Fatal("no dashboard")
	return ""
}

// The dashboard follows the metric level: lean (ap-east-1) graphs the
// cold ratio per POP and the rest over the POPs (the metrics the Lambda
// then creates); full (ap-northeast-1) graphs every metric per POP.
func TestPrewarmDashboard(t *testing.T) {
	f := shared(t)
	perPOP := func(name, pop string) string {
		return `"CFPrewarm","` + name + `","Distribution","` + testDistribution + `","POP","` + pop + `"`
	}
	all := func(name string) string {
		return `"CFPrewarm","` + name + `","Distribution","` + testDistribution + `",{`
	}
	lean := dashboardBody(t, f.template(prewarmStack(t, f, "ap-east-1")))
	for _, pop := range []string{"HKG54-C1", "HKG62-C1"} {
		if !strings.Contains(lean, perPOP(MetricOriginColdRatio, pop)) {
			t.Errorf("lean dashboard lacks the cold ratio of %s", pop)
		}
		for _, name := range []string{MetricRequests, MetricErrors, MetricLatencyP50, MetricLatencyP99} {
			if strings.Contains(lean, perPOP(name, pop)) {
				t.Errorf("lean dashboard graphs %s per POP, a metric the lean Lambda does not create", name)
			}
		}
	}
	for _, name := range []string{MetricRequests, MetricErrors, MetricLatencyP50, MetricLatencyP99} {
		if !strings.Contains(lean, all(name)) {
			t.Errorf("lean dashboard lacks %s over the POPs (%s)", name, all(name))
		}
	}
	if strings.Contains(lean, "NRT57-P2") {
		t.Error("ap-east-1 dashboard shows another region's POP")
	}
	full := dashboardBody(t, f.template(prewarmStack(t, f, "ap-northeast-1")))
	for _, name := range []string{MetricRequests, MetricErrors, MetricOriginColdRatio, MetricLatencyP50, MetricLatencyP99} {
		if !strings.Contains(full, perPOP(name, "NRT57-P2")) {
			t.Errorf("full dashboard lacks the %s graph line for NRT57-P2", name)
		}
	}
}

func TestPrewarmOverrides(t *testing.T) {
	f := shared(t)
	tm := f.template(prewarmStack(t, f, "ap-northeast-1"))
	_, fn := only(t, tm, "AWS::Lambda::Function")
	vars := fn["Environment"].(map[string]any)["Variables"].(map[string]any)
	for k, want := range map[string]string{"POPS": "NRT57-P2", "REQUESTS_PER_POP": "30", "HOST": "api.example.com", "CONCURRENCY": "8"} {
		if vars[k] != want {
			t.Errorf("%s = %v, want %s", k, vars[k], want)
		}
	}
	jsonEqual(t, "memory", fn["MemorySize"], 256)
	jsonEqual(t, "tracing", fn["TracingConfig"], map[string]any{"Mode": "Active"})
	// Tracing adds exactly the X-Ray write actions to the logs statement.
	_, policy := only(t, tm, "AWS::IAM::Policy")
	var actions []string
	for _, s := range policy["PolicyDocument"].(map[string]any)["Statement"].([]any) {
		switch a := s.(map[string]any)["Action"].(type) {
		case string:
			actions = append(actions, a)
		case []any:
			for _, x := range a {
				actions = append(actions, x.(string))
			}
		}
	}
	slices.Sort(actions) // the order is the CDK's (sorted with @aws-cdk/aws-iam:minimizePolicies)
	jsonEqual(t, "actions with tracing", actions, []string{"logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTelemetryRecords", "xray:PutTraceSegments"})
}

func TestPrewarmTimeout(t *testing.T) {
	for _, c := range []struct {
		p    LambdaPrewarmStackProps
		want time.Duration
	}{
		{LambdaPrewarmStackProps{Waves: 4, WaveInterval: 15 * time.Second, RequestTimeout: 3 * time.Second}, 143 * time.Second}, // 130 s + 3 s + 10 s
		{LambdaPrewarmStackProps{Waves: 4, WaveInterval: 50 * time.Second, RequestTimeout: 3 * time.Second}, 163 * time.Second}, // 3 × 50 s + 3 s + 10 s
		{LambdaPrewarmStackProps{}, 150 * time.Second},
	} {
		if got := c.p.withDefaults().timeout(); got != c.want {
			t.Errorf("%d waves %v apart, request timeout %v: timeout %v, want %v", c.p.Waves, c.p.WaveInterval, c.p.RequestTimeout, got, c.want)
		}
	}
}
