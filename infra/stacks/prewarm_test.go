package stacks

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
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
	// 3 waves × 20 s + 5 s request timeout + 10 s margin.
	jsonEqual(t, "timeout", fn["Timeout"], 75)
	jsonEqual(t, "environment", fn["Environment"], map[string]any{"Variables": map[string]string{
		"DISTRIBUTION_DOMAIN": testDistribution,
		"URL_PATH":            "/",
		"METHOD":              "GET",
		"POPS":                "HKG54-C1,HKG62-C1",
		"REQUESTS_PER_POP":    "60",
		"REQUEST_TIMEOUT":     "5s",
		"WAVES":               "3",
		"WAVE_INTERVAL":       "20s",
		"KEEPALIVE":           "60s",
		"IP_VERSION":          "4",
		"EMF_NAMESPACE":       "CFPrewarm",
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
	roleID, role := only(t, tm, "AWS::IAM::Role")
	if role["ManagedPolicyArns"] != nil {
		t.Errorf("role has managed policies: %v", role["ManagedPolicyArns"])
	}
	jsonEqual(t, "function role", fn["Role"], map[string]any{"Fn::GetAtt": []string{roleID, "Arn"}})
	_, policy := only(t, tm, "AWS::IAM::Policy")
	jsonEqual(t, "policy roles", policy["Roles"], []any{map[string]any{"Ref": roleID}})
	jsonEqual(t, "policy statements", policy["PolicyDocument"].(map[string]any)["Statement"], []any{map[string]any{
		"Sid":      "WriteOwnLogs",
		"Effect":   "Allow",
		"Action":   []string{"logs:CreateLogStream", "logs:PutLogEvents"},
		"Resource": map[string]any{"Fn::GetAtt": []string{logGroupID, "Arn"}},
	}})
}

func TestPrewarmSchedule(t *testing.T) {
	f := shared(t)
	for _, tc := range []struct {
		region, state string
	}{
		{"ap-east-1", "ENABLED"},
		{"ap-northeast-1", "DISABLED"}, // scheduleEnabled: false
	} {
		t.Run(tc.region, func(t *testing.T) {
			tm := f.template(prewarmStack(t, f, tc.region))
			_, rule := only(t, tm, "AWS::Events::Rule")
			jsonEqual(t, "schedule", rule["ScheduleExpression"], "rate(1 minute)")
			jsonEqual(t, "state", rule["State"], tc.state)
			targets := rule["Targets"].([]any)
			if len(targets) != 1 {
				t.Fatalf("want one target, got %v", targets)
			}
			jsonEqual(t, "retry policy", targets[0].(map[string]any)["RetryPolicy"], map[string]any{"MaximumEventAgeInSeconds": 60, "MaximumRetryAttempts": 0})
			check(t, "invoke permission", func() {
				tm.HasResourceProperties(jsii.String("AWS::Lambda::Permission"), map[string]any{
					"Action": "lambda:InvokeFunction", "Principal": "events.amazonaws.com",
				})
			})
		})
	}
}

func TestPrewarmAlarms(t *testing.T) {
	f := shared(t)
	dims := []any{map[string]any{"Name": DimensionDistribution, "Value": testDistribution}}
	metric := func(name, stat string) map[string]any {
		return map[string]any{"Metric": map[string]any{"Namespace": "CFPrewarm", "MetricName": name, "Dimensions": dims}, "Period": 60, "Stat": stat}
	}
	tm := f.template(prewarmStack(t, f, "ap-east-1"))
	alarms := resources(t, tm, "AWS::CloudWatch::Alarm")
	if len(alarms) != 2 {
		t.Fatalf("want 2 alarms, got %d", len(alarms))
	}
	var errorRate, cold map[string]any
	for _, a := range alarms {
		p := a["Properties"].(map[string]any)
		if p["Metrics"] != nil {
			errorRate = p
		} else {
			cold = p
		}
	}
	if errorRate == nil || cold == nil {
		t.Fatalf("want one metric-math alarm and one metric alarm: %v", alarms)
	}
	jsonEqual(t, "error-rate threshold", []any{errorRate["Threshold"], errorRate["EvaluationPeriods"], errorRate["ComparisonOperator"], errorRate["TreatMissingData"]},
		[]any{DefaultErrorRateThreshold, 5, "GreaterThanThreshold", "notBreaching"})
	var expr map[string]any
	used := map[string]any{}
	for _, m := range errorRate["Metrics"].([]any) {
		m := m.(map[string]any)
		if m["Expression"] != nil {
			expr = m
		} else {
			used[m["Id"].(string)] = m["MetricStat"]
		}
	}
	jsonEqual(t, "expression", expr["Expression"], ErrorRateExpression)
	jsonEqual(t, "expression inputs", used, map[string]any{"errors": metric(MetricErrors, "Sum"), "requests": metric(MetricRequests, "Sum")})

	jsonEqual(t, "cold-ratio alarm", map[string]any{
		"Namespace": cold["Namespace"], "MetricName": cold["MetricName"], "Dimensions": cold["Dimensions"],
		"Statistic": cold["Statistic"], "Period": cold["Period"], "Threshold": cold["Threshold"],
		"EvaluationPeriods": cold["EvaluationPeriods"], "ComparisonOperator": cold["ComparisonOperator"],
	}, map[string]any{
		"Namespace": "CFPrewarm", "MetricName": MetricOriginColdRatio, "Dimensions": dims,
		"Statistic": "Average", "Period": 60, "Threshold": 0.5,
		"EvaluationPeriods": 5, "ComparisonOperator": "GreaterThanThreshold",
	})
	for _, p := range []map[string]any{errorRate, cold} {
		if p["AlarmActions"] != nil {
			t.Errorf("alarm actions without a topic: %v", p["AlarmActions"])
		}
	}

	// The other region notifies its SNS topic.
	tm2 := f.template(prewarmStack(t, f, "ap-northeast-1"))
	check(t, "alarm actions", func() {
		tm2.ResourcePropertiesCountIs(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{
			"AlarmActions": []any{"arn:aws:sns:ap-northeast-1:123456789012:cfprewarm-alerts"},
		}, jsii.Number(2))
	})
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

func TestPrewarmDashboard(t *testing.T) {
	f := shared(t)
	body := dashboardBody(t, f.template(prewarmStack(t, f, "ap-east-1")))
	for _, name := range []string{MetricRequests, MetricErrors, MetricOriginColdRatio, MetricLatencyP50, MetricLatencyP99} {
		for _, pop := range []string{"HKG54-C1", "HKG62-C1"} {
			want := `"CFPrewarm","` + name + `","Distribution","` + testDistribution + `","POP","` + pop + `"`
			if !strings.Contains(body, want) {
				t.Errorf("dashboard lacks the %s graph line for %s (%s)", name, pop, want)
			}
		}
	}
	if strings.Contains(body, "NRT57-P2") {
		t.Error("ap-east-1 dashboard shows another region's POP")
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
	jsonEqual(t, "actions with tracing", actions, []string{"logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTraceSegments", "xray:PutTelemetryRecords"})
}

func TestPrewarmTimeout(t *testing.T) {
	p := LambdaPrewarmStackProps{Waves: 4, WaveInterval: 15 * time.Second, RequestTimeout: 3 * time.Second}.withDefaults()
	if got, want := p.timeout(), 73*time.Second; got != want {
		t.Errorf("timeout = %v, want %v", got, want)
	}
}
