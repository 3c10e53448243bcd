package stacks

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsscheduler"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsschedulertargets"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// NewLambdaPrewarmStack builds one region's prewarmer: the prewarm Lambda
// (provided.al2023, arm64) with its configuration in the environment, a
// one-minute EventBridge Scheduler schedule that puts the scheduled time in
// its input (or, with Schedule "rule", a one-minute EventBridge rule), a
// one-week log group, a role that can write
// those logs and nothing else (plus X-Ray when Tracing is on), alarms on
// the prewarm error rate, the per-POP OriginColdRatio and the function
// itself (errors, throttles, missing invocations), and a per-POP dashboard. It
// returns an error, before creating anything, when props are invalid or the
// Lambda does not build.
func NewLambdaPrewarmStack(scope constructs.Construct, id string, props *LambdaPrewarmStackProps) (awscdk.Stack, error) {
	if props == nil {
		props = &LambdaPrewarmStackProps{}
	}
	p := props.withDefaults()
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", id, err)
	}
	codePath, err := p.code()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", id, err)
	}
	sp := p.StackProps
	if sp.Description == nil {
		sp.Description = jsii.String("cfprewarm prewarmer: keeps CloudFront POPs' origin connections warm for " + p.DistributionDomain)
	}
	stack := awscdk.NewStack(scope, jsii.String(id), &sp)

	logGroup := awslogs.NewLogGroup(stack, jsii.String("Logs"), &awslogs.LogGroupProps{
		Retention:     awslogs.RetentionDays_ONE_WEEK,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	role := awsiam.NewRole(stack, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("cfprewarm prewarm Lambda: writes its own log group only"),
	})
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("WriteOwnLogs"),
		Actions:   jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
		Resources: &[]*string{logGroup.LogGroupArn()},
	}))
	tracing := awslambda.Tracing_DISABLED
	if p.Tracing {
		tracing = awslambda.Tracing_ACTIVE
	}
	env := p.environment()
	fn := awslambda.NewFunction(stack, jsii.String("Function"), &awslambda.FunctionProps{
		Description:  jsii.String("cfprewarm: prewarm CloudFront POP origin connections"),
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture: awslambda.Architecture_ARM_64(),
		Handler:      jsii.String("bootstrap"),
		Code:         awslambda.Code_FromAsset(jsii.String(codePath), nil),
		MemorySize:   jsii.Number(float64(p.MemoryMiB)),
		Timeout:      awscdk.Duration_Seconds(jsii.Number(p.timeout().Seconds())),
		Environment:  &env,
		LogGroup:     logGroup,
		Role:         role,
		Tracing:      tracing,
	})
	newSchedule(stack, fn, p)
	if p.Tracing {
		suppressOn(stack, "Role", suppression("AwsSolutions-IAM5",
			"xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions; added only because tracing is on.",
			"Resource::*"))
	}
	newMonitoring(stack, fn, p)
	awscdk.NewCfnOutput(stack, jsii.String("FunctionName"), &awscdk.CfnOutputProps{
		Value:       fn.FunctionName(),
		Description: jsii.String("prewarm Lambda; invoke it by hand with `aws lambda invoke`"),
	})
	return stack, nil
}

// code returns the directory of the Lambda asset: CodePath, or a fresh
// build of cmd/prewarm-lambda.
func (p LambdaPrewarmStackProps) code() (string, error) {
	if p.CodePath != "" {
		if _, err := os.Stat(filepath.Join(p.CodePath, "bootstrap")); err != nil {
			return "", fmt.Errorf("codePath %s: %w", p.CodePath, err)
		}
		return p.CodePath, nil
	}
	root := p.RepoRoot
	if root == "" {
		var err error
		if root, err = FindRepoRoot("."); err != nil {
			return "", err
		}
	}
	dir := LambdaBuildDir(root)
	if err := BuildLambda(context.Background(), root, dir); err != nil {
		return "", err
	}
	return dir, nil
}

// newSchedule invokes fn every minute, asynchronously, with no retry and a
// 60 s maximum event age (the least either service takes): a prewarm
// invocation delivered late is worthless, since the next minute's comes
// anyway and a retried or queued one only adds billed requests (by default
// both would retry for up to 24 h, 185 times). EventBridge Scheduler (the
// default) puts the scheduled time in the input, {"scheduledTime":
// "<aws.scheduler.scheduled-time>"}, with the flexible time window off, so
// that each invocation knows which minute it stands for and sends only the
// slots of the aligned grid that minute owns. A plain rule (Schedule
// "rule") sends EventBridge's scheduled event, which carries no usable
// scheduled time: the Lambda then sends WAVES waves.
func newSchedule(stack awscdk.Stack, fn awslambda.Function, p LambdaPrewarmStackProps) {
	const retries = 0
	maxAge := awscdk.Duration_Seconds(jsii.Number(60))
	if p.Schedule == ScheduleRule {
		awsevents.NewRule(stack, jsii.String("Schedule"), &awsevents.RuleProps{
			Description: jsii.String("cfprewarm: run the prewarmer every minute (plain rule: WAVES waves per invocation)"),
			Schedule:    awsevents.Schedule_Rate(awscdk.Duration_Minutes(jsii.Number(1))),
			Enabled:     jsii.Bool(!p.ScheduleDisabled),
			Targets: &[]awsevents.IRuleTarget{awseventstargets.NewLambdaFunction(fn, &awseventstargets.LambdaFunctionProps{
				RetryAttempts: jsii.Number(retries),
				MaxEventAge:   maxAge,
			})},
		})
		return
	}
	// The role Scheduler invokes the function with: the target grants it
	// lambda:InvokeFunction on this function and its versions (ARN:*).
	role := awsiam.NewRole(stack, jsii.String("SchedulerRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("scheduler.amazonaws.com"), nil),
		Description: jsii.String("cfprewarm: EventBridge Scheduler invokes the prewarm Lambda"),
	})
	awsscheduler.NewSchedule(stack, jsii.String("Schedule"), &awsscheduler.ScheduleProps{
		Description: jsii.String("cfprewarm: run the prewarmer every minute with the scheduled time (aligned waves)"),
		Schedule:    awsscheduler.ScheduleExpression_Rate(awscdk.Duration_Minutes(jsii.Number(1))),
		Enabled:     jsii.Bool(!p.ScheduleDisabled),
		TimeWindow:  awsscheduler.TimeWindow_Off(),
		Target: awsschedulertargets.NewLambdaInvoke(fn, &awsschedulertargets.ScheduleTargetBaseProps{
			Input: awsscheduler.ScheduleTargetInput_FromObject(map[string]*string{
				SchedulerInputField: awsscheduler.ContextAttribute_ScheduledTime(),
			}),
			RetryAttempts: jsii.Number(retries),
			MaxEventAge:   maxAge,
			Role:          role,
		}),
	})
	// After the schedule: binding the target created the role's policy.
	suppressOn(stack, "SchedulerRole", suppression("AwsSolutions-IAM5",
		"The Scheduler target's grant covers this one function and its versions and aliases (function ARN:*), nothing else.",
		"Resource::<Function76856677.Arn>:*"))
}

// SchedulerInputField is the event field that carries the scheduled time
// (warm/lambdaenv reads it; TestContractSchedulerInput checks the name).
const SchedulerInputField = "scheduledTime"
