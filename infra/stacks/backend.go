package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// NewCloudfrontDynamicAPIStack builds the backend: a two-AZ VPC, an ECS
// Fargate service (ARM64) running current-time-app behind a TLS network load
// balancer that admits only CloudFront's origin-facing addresses, and a
// CloudFront distribution tuned for uncached dynamic requests. It returns an
// error, before creating anything, when props are invalid — in particular
// when the timeouts are not ordered CloudFront keep-alive < app idle timeout
// < NLB idle timeout.
func NewCloudfrontDynamicAPIStack(scope constructs.Construct, id string, props *CloudfrontDynamicAPIStackProps) (awscdk.Stack, error) {
	if props == nil {
		props = &CloudfrontDynamicAPIStackProps{}
	}
	p := props.withDefaults()
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", id, err)
	}
	if p.Image == ImageFromAsset && p.RepoRoot == "" {
		root, err := FindRepoRoot(".")
		if err != nil {
			return nil, fmt.Errorf("%s: image from asset: %w", id, err)
		}
		p.RepoRoot = root
	}
	sp := p.StackProps
	if sp.Description == nil {
		sp.Description = jsii.String("cfprewarm backend: current-time-app on ECS Fargate behind a TLS NLB and a CloudFront distribution for dynamic requests")
	}
	stack := awscdk.NewStack(scope, jsii.String(id), &sp)
	pinAvailabilityZones(stack, p.AvailabilityZones)

	logs := newAccessLogBucket(stack, p.AccessLogExpirationDays)
	vpcProps := &awsec2.VpcProps{
		NatGateways: jsii.Number(float64(p.NATGateways)),
		FlowLogs: &map[string]*awsec2.FlowLogOptions{
			"FlowLogs": {
				Destination: awsec2.FlowLogDestination_ToS3(logs, jsii.String("vpc/"), nil),
				TrafficType: awsec2.FlowLogTrafficType_ALL,
			},
		},
	}
	if len(p.AvailabilityZones) > 0 {
		vpcProps.AvailabilityZones = jsii.Strings(p.AvailabilityZones...)
	} else {
		vpcProps.MaxAzs = jsii.Number(2)
	}
	vpc := awsec2.NewVpc(stack, jsii.String("Vpc"), vpcProps)

	secret := originVerifySecret(stack)
	origin := newOrigin(stack, vpc, logs, secret, p)
	dist := newDistribution(stack, logs, secret, p)

	awscdk.NewCfnOutput(stack, jsii.String("DistributionDomainName"), &awscdk.CfnOutputProps{
		Value:       dist.DistributionDomainName(),
		Description: jsii.String("CloudFront domain: the prewarm stacks' distributionDomain and the URL to probe"),
	})
	awscdk.NewCfnOutput(stack, jsii.String("DistributionId"), &awscdk.CfnOutputProps{
		Value:       dist.DistributionId(),
		Description: jsii.String("CloudFront distribution ID"),
	})
	awscdk.NewCfnOutput(stack, jsii.String("LoadBalancerDnsName"), &awscdk.CfnOutputProps{
		Value:       origin.LoadBalancerDnsName(),
		Description: jsii.String("NLB DNS name: point originDomainName at it (CNAME or alias) when no hosted zone is given"),
	})
	addBackendSuppressions(stack)
	return stack, nil
}

// pinAvailabilityZones answers the stack's availability-zones context
// query with the configured AZs, so that a stack with a concrete account
// synthesizes without an AZ lookup (which would need credentials).
func pinAvailabilityZones(stack awscdk.Stack, azs []string) {
	if len(azs) == 0 || stack.Account() == nil || *awscdk.Token_IsUnresolved(stack.Account()) {
		return
	}
	key := fmt.Sprintf("availability-zones:account=%s:region=%s", *stack.Account(), *stack.Region())
	if stack.Node().TryGetContext(jsii.String(key)) == nil {
		stack.Node().SetContext(jsii.String(key), azs)
	}
}

// newAccessLogBucket creates the bucket that receives CloudFront standard
// logs, NLB access logs and VPC flow logs. CloudFront standard logging
// writes with ACLs, so object ownership is BucketOwnerPreferred rather than
// BucketOwnerEnforced. It is retained on stack deletion: logs are evidence.
func newAccessLogBucket(scope constructs.Construct, expirationDays int) awss3.Bucket {
	return awss3.NewBucket(scope, jsii.String("AccessLogs"), &awss3.BucketProps{
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		EnforceSSL:        jsii.Bool(true),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_PREFERRED,
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:         jsii.String("expire-logs"),
			Expiration: awscdk.Duration_Days(jsii.Number(float64(expirationDays))),
		}},
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
}
