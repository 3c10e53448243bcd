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
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// NewLambdaPrewarmStack builds one region's prewarmer: the prewarm Lambda
// (provided.al2023, arm64) with its configuration in the environment, a
// one-minute EventBridge rule, a one-week log group, a role that can write
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
	awsevents.NewRule(stack, jsii.String("Schedule"), &awsevents.RuleProps{
		Description: jsii.String("cfprewarm: run the prewarmer every minute"),
		Schedule:    awsevents.Schedule_Rate(awscdk.Duration_Minutes(jsii.Number(1))),
		Enabled:     jsii.Bool(!p.ScheduleDisabled),
		Targets: &[]awsevents.IRuleTarget{awseventstargets.NewLambdaFunction(fn, &awseventstargets.LambdaFunctionProps{
			// A late prewarm run is useless: the next one is a minute away.
			RetryAttempts: jsii.Number(0),
			MaxEventAge:   awscdk.Duration_Minutes(jsii.Number(1)),
		})},
	})
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
