package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecrassets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	elbv2 "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"
)

// AppDockerfile is current-time-app's Dockerfile, relative to the
// repository root (the Docker build context).
const AppDockerfile = "cmd/current-time-app/Dockerfile"

// assetExcludes keeps the Docker build context small and free of
// recursion (infra/cdk.out lives inside the repository root).
var assetExcludes = []string{".git", "infra", "bin", "dist", "lab-out", "**/*.test", "**/cdk.out"}

// newOrigin creates the origin side of the backend: the ECS cluster and
// Fargate service, and the network load balancer in front of it, shaped by
// p.OriginAccess (originAccess.go): internet-facing with a TLS listener
// (public), or internal with a TCP listener for a CloudFront VPC origin
// (vpc). The tasks admit only the NLB on the app port and the VPC on the
// metrics port, and reach out only over HTTPS (taskEgress). Who may reach
// the NLB is decided by the access mode: the prefix list here (public),
// CloudFront's VPC-origin security group once the distribution exists
// (vpc, admitVPCOrigin).
func newOrigin(stack awscdk.Stack, vpc awsec2.Vpc, logs awss3.IBucket, secret awssecretsmanager.ISecret, p CloudfrontDynamicAPIStackProps) (elbv2.NetworkLoadBalancer, awsec2.SecurityGroup) {
	public := p.OriginAccess == OriginAccessPublic
	nlbSG := awsec2.NewSecurityGroup(stack, jsii.String("LoadBalancerSecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc:              vpc,
		Description:      jsii.String(loadBalancerSGDescription(p.OriginAccess)),
		AllowAllOutbound: jsii.Bool(false),
	})
	taskSG := awsec2.NewSecurityGroup(stack, jsii.String("TaskSecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc:              vpc,
		Description:      jsii.String("current-time-app tasks: HTTP from the NLB, metrics from the VPC, HTTPS out"),
		AllowAllOutbound: jsii.Bool(false),
	})
	taskSG.Connections().AllowFrom(nlbSG, awsec2.Port_Tcp(jsii.Number(AppPort)), jsii.String("app port from the NLB"))
	taskSG.AddIngressRule(awsec2.Peer_Ipv4(jsii.String(VPCCIDR)), awsec2.Port_Tcp(jsii.Number(MetricsPort)),
		jsii.String("/metrics from inside the VPC (Prometheus); the NLB and CloudFront never reach this port"), jsii.Bool(false))
	taskSG.AddEgressRule(awsec2.Peer_AnyIpv4(), awsec2.Port_Tcp(jsii.Number(443)), jsii.String(taskEgress), jsii.Bool(false))

	service := newService(stack, vpc, taskSG, secret, p)
	subnets := awsec2.SubnetType_PRIVATE_WITH_EGRESS
	if public {
		subnets = awsec2.SubnetType_PUBLIC
	}
	nlb := elbv2.NewNetworkLoadBalancer(stack, jsii.String("LoadBalancer"), &elbv2.NetworkLoadBalancerProps{
		Vpc:              vpc,
		InternetFacing:   jsii.Bool(public),
		CrossZoneEnabled: jsii.Bool(true),
		SecurityGroups:   &[]awsec2.ISecurityGroup{nlbSG},
		VpcSubnets:       &awsec2.SubnetSelection{SubnetType: subnets},
	})
	nlb.LogAccessLogs(logs, jsii.String("nlb"))
	var listener elbv2.NetworkListener
	if public {
		listener = addPublicListener(stack, nlb, nlbSG, p)
	} else {
		listener = addVPCOriginListener(nlb, p)
	}
	listener.AddTargets(jsii.String("App"), &elbv2.AddNetworkTargetsProps{
		Port:     jsii.Number(AppPort),
		Protocol: elbv2.Protocol_TCP,
		Targets: &[]elbv2.INetworkLoadBalancerTarget{service.LoadBalancerTarget(&awsecs.LoadBalancerTargetOptions{
			ContainerName: jsii.String("app"),
			ContainerPort: jsii.Number(AppPort),
		})},
		// A draining task's /healthz answers 503: the NLB stops sending
		// it new connections after two failed checks, within the drain.
		HealthCheck: &elbv2.HealthCheck{
			Protocol:                elbv2.Protocol_HTTP,
			Path:                    jsii.String(HealthCheckPath),
			Interval:                awscdk.Duration_Seconds(jsii.Number(HealthCheckInterval.Seconds())),
			Timeout:                 awscdk.Duration_Seconds(jsii.Number(HealthCheckInterval.Seconds() - 1)),
			HealthyThresholdCount:   jsii.Number(2),
			UnhealthyThresholdCount: jsii.Number(HealthCheckUnhealthyThreshold),
		},
		// Matched to the app's drain period: ECS sends SIGTERM once the
		// delay is over, and the app then drains as long again.
		DeregistrationDelay: awscdk.Duration_Seconds(jsii.Number(p.DrainPeriod.Seconds())),
	})
	return nlb, nlbSG
}

// taskEgress says why the tasks may open HTTPS connections: the app
// itself opens none, but Fargate pulls the image and the secret and ships
// the logs through the task's network interface, via the NAT gateway.
const taskEgress = "HTTPS to AWS APIs through the NAT gateway: ECR and S3 (image), Secrets Manager (origin-verify secret), CloudWatch Logs"

// appEnvironment is current-time-app's environment in the task (besides
// ORIGIN_VERIFY_SECRET, an ECS secret).
func appEnvironment(p CloudfrontDynamicAPIStackProps) map[string]*string {
	return map[string]*string{
		"LISTEN_ADDR":          jsii.String(fmt.Sprintf(":%d", AppPort)),
		"METRICS_LISTEN_ADDR":  jsii.String(fmt.Sprintf(":%d", MetricsPort)),
		"IDLE_TIMEOUT":         jsii.String(envDuration(p.AppIdleTimeout)),
		"CLOUDFRONT_KEEPALIVE": jsii.String(envDuration(p.KeepAlive)),
		"LB_IDLE_TIMEOUT":      jsii.String(envDuration(p.NLBIdleTimeout)),
		"DRAIN_PERIOD":         jsii.String(envDuration(p.DrainPeriod)),
		"SHUTDOWN_TIMEOUT":     jsii.String(envDuration(AppShutdownTimeout)),
		"ORIGIN_VERIFY_HEADER": jsii.String(p.OriginVerifyHeader),
	}
}

// originVerifySecret is the shared secret CloudFront sends in the
// origin-verify header and the app requires. Punctuation is excluded so the
// value is a plain header token.
func originVerifySecret(stack awscdk.Stack) awssecretsmanager.Secret {
	return awssecretsmanager.NewSecret(stack, jsii.String("OriginVerifySecret"), &awssecretsmanager.SecretProps{
		Description: jsii.String("Value CloudFront sends in the origin-verify header; current-time-app rejects requests without it"),
		GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
			ExcludePunctuation: jsii.Bool(true),
			IncludeSpace:       jsii.Bool(false),
			PasswordLength:     jsii.Number(48),
		},
	})
}

// newService creates the cluster, the ARM64 task definition and the
// Fargate service running current-time-app in the private subnets.
func newService(stack awscdk.Stack, vpc awsec2.Vpc, sg awsec2.ISecurityGroup, secret awssecretsmanager.ISecret, p CloudfrontDynamicAPIStackProps) awsecs.FargateService {
	cluster := awsecs.NewCluster(stack, jsii.String("Cluster"), &awsecs.ClusterProps{
		Vpc:                 vpc,
		ContainerInsightsV2: awsecs.ContainerInsights_ENABLED,
	})
	task := awsecs.NewFargateTaskDefinition(stack, jsii.String("Task"), &awsecs.FargateTaskDefinitionProps{
		Cpu:            jsii.Number(float64(p.TaskCPU)),
		MemoryLimitMiB: jsii.Number(float64(p.TaskMemoryMiB)),
		RuntimePlatform: &awsecs.RuntimePlatform{
			CpuArchitecture:       awsecs.CpuArchitecture_ARM64(),
			OperatingSystemFamily: awsecs.OperatingSystemFamily_LINUX(),
		},
	})
	appLogs := awslogs.NewLogGroup(stack, jsii.String("AppLogs"), &awslogs.LogGroupProps{
		Retention:     awslogs.RetentionDays_ONE_WEEK,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	env := appEnvironment(p)
	task.AddContainer(jsii.String("app"), &awsecs.ContainerDefinitionOptions{
		ContainerName:          jsii.String("app"),
		Image:                  containerImage(stack, p),
		ReadonlyRootFilesystem: jsii.Bool(true),
		PortMappings: &[]*awsecs.PortMapping{
			{ContainerPort: jsii.Number(AppPort), Protocol: awsecs.Protocol_TCP},
			{ContainerPort: jsii.Number(MetricsPort), Protocol: awsecs.Protocol_TCP},
		},
		// SIGKILL only after the drain and the shutdown.
		StopTimeout: awscdk.Duration_Seconds(jsii.Number(p.stopTimeout().Seconds())),
		Environment: &env,
		Secrets: &map[string]awsecs.Secret{
			"ORIGIN_VERIFY_SECRET": awsecs.Secret_FromSecretsManager(secret, nil),
		},
		Logging: awsecs.LogDriver_AwsLogs(&awsecs.AwsLogDriverProps{
			StreamPrefix: jsii.String("current-time-app"),
			LogGroup:     appLogs,
		}),
	})
	return awsecs.NewFargateService(stack, jsii.String("Service"), &awsecs.FargateServiceProps{
		Cluster:           cluster,
		TaskDefinition:    task,
		DesiredCount:      jsii.Number(float64(p.DesiredCount)),
		MinHealthyPercent: jsii.Number(100),
		MaxHealthyPercent: jsii.Number(200),
		CircuitBreaker:    &awsecs.DeploymentCircuitBreaker{Rollback: jsii.Bool(true)},
		SecurityGroups:    &[]awsec2.ISecurityGroup{sg},
		VpcSubnets:        &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PRIVATE_WITH_EGRESS},
		AssignPublicIp:    jsii.Bool(false),
	})
}

// containerImage resolves the image source chosen by props.
func containerImage(stack awscdk.Stack, p CloudfrontDynamicAPIStackProps) awsecs.ContainerImage {
	if p.Image == ImageFromAsset {
		return awsecs.ContainerImage_FromAsset(jsii.String(p.RepoRoot), &awsecs.AssetImageProps{
			File:     jsii.String(AppDockerfile),
			Platform: awsecrassets.Platform_LINUX_ARM64(),
			Exclude:  jsii.Strings(assetExcludes...),
		})
	}
	repo := awsecr.Repository_FromRepositoryName(stack, jsii.String("AppRepository"), jsii.String(p.ECRRepositoryName))
	// The CDK takes a digest where a tag goes: repository@sha256:….
	return awsecs.ContainerImage_FromEcrRepository(repo, jsii.String(firstNonEmpty(p.ImageDigest, p.ImageTag)))
}
