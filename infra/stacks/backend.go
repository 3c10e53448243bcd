package stacks

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53targets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// NewCloudfrontDynamicAPIStack builds the backend: a two-AZ VPC, an ECS
// Fargate service (ARM64) running current-time-app behind a network load
// balancer that only CloudFront reaches (an internal NLB behind a VPC
// origin, or an internet-facing TLS NLB admitting CloudFront's
// origin-facing addresses: OriginAccess), and a CloudFront distribution
// tuned for uncached dynamic requests. It returns an
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
		sp.Description = jsii.String("cfprewarm backend: current-time-app on ECS Fargate behind an NLB and a CloudFront distribution for dynamic requests")
	}
	var viewerCert awscertificatemanager.ICertificate
	if p.viewerCertificateStack() {
		viewerCert = newViewerCertificateStack(scope, ViewerCertificateStackName(id), p)
		sp.CrossRegionReferences = jsii.Bool(true)
	}
	stack := awscdk.NewStack(scope, jsii.String(id), &sp)
	pinAvailabilityZones(stack, p.AvailabilityZones)
	if p.KeepAlive > DefaultKeepAliveQuota {
		upTo := envDuration(MaxKeepAlive)
		if p.OriginAccess == OriginAccessVPC {
			upTo = envDuration(MaxVPCOriginKeepAlive) + " for a VPC origin"
		}
		awscdk.Annotations_Of(stack).AddWarningV2(jsii.String("cfprewarm:keepAliveQuota"), jsii.String(fmt.Sprintf(
			"keepAlive %s: CloudFront accepts an origin keep-alive above %s only after a quota increase "+
				"(Service Quotas, CloudFront, \"Origin keep-alive timeout\"; up to %s once granted); the deployment fails without it",
			envDuration(p.KeepAlive), envDuration(DefaultKeepAliveQuota), upTo)))
	}
	var domainZone awsroute53.IHostedZone
	if p.DomainHostedZoneID != "" {
		domainZone = importZone(stack, "DomainZone", p.DomainHostedZoneID, p.DomainHostedZoneName)
	}
	if viewerCert == nil && len(p.DomainNames) > 0 {
		viewerCert = viewerCertificate(stack, domainZone, p)
	}

	logs := newAccessLogBucket(stack, p.AccessLogExpirationDays)
	vpcProps := &awsec2.VpcProps{
		IpAddresses: awsec2.IpAddresses_Cidr(jsii.String(VPCCIDR)),
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
	nlb, nlbSG := newOrigin(stack, vpc, logs, secret, p)
	dist := newDistribution(stack, logs, distributionOrigin(nlb, secret, p), viewerCert, p)
	if p.OriginAccess == OriginAccessVPC {
		admitVPCOrigin(stack, vpc, nlbSG, dist)
	}
	if domainZone != nil {
		newAliasRecords(stack, domainZone, dist, p.DomainNames)
	}

	awscdk.NewCfnOutput(stack, jsii.String("DistributionDomainName"), &awscdk.CfnOutputProps{
		Value:       dist.DistributionDomainName(),
		Description: jsii.String("CloudFront domain: the prewarm stacks' distributionDomain and the URL to probe"),
	})
	awscdk.NewCfnOutput(stack, jsii.String("DistributionId"), &awscdk.CfnOutputProps{
		Value:       dist.DistributionId(),
		Description: jsii.String("CloudFront distribution ID"),
	})
	nlbDescription := "NLB DNS name: point originDomainName at it (CNAME or alias) when no hosted zone is given"
	if p.OriginAccess == OriginAccessVPC {
		nlbDescription = "internal NLB DNS name (private addresses): CloudFront reaches it through the VPC origin"
	}
	awscdk.NewCfnOutput(stack, jsii.String("LoadBalancerDnsName"), &awscdk.CfnOutputProps{
		Value:       nlb.LoadBalancerDnsName(),
		Description: jsii.String(nlbDescription),
	})
	if len(p.DomainNames) > 0 {
		awscdk.NewCfnOutput(stack, jsii.String("DomainNames"), &awscdk.CfnOutputProps{
			Value:       jsii.String(strings.Join(p.DomainNames, ",")),
			Description: jsii.String("the distribution's alternate domain names: the prewarm stacks' host and the URL to probe"),
		})
	}
	addBackendSuppressions(stack, len(p.DomainNames) == 0)
	return stack, nil
}

// ViewerCertificateStackName is the name of the us-east-1 stack that holds
// the DNS-validated viewer certificate of backend stack id.
func ViewerCertificateStackName(id string) string { return id + "-ViewerCertificate" }

// newViewerCertificateStack creates, in us-east-1 (where CloudFront reads
// viewer certificates), a stack with a certificate for the domain names,
// validated through DNS records in their hosted zone. The backend reads
// its ARN through a CDK cross-region reference (an SSM parameter).
func newViewerCertificateStack(scope constructs.Construct, id string, p CloudfrontDynamicAPIStackProps) awscertificatemanager.ICertificate {
	stack := awscdk.NewStack(scope, jsii.String(id), &awscdk.StackProps{
		Env:                   &awscdk.Environment{Account: p.Env.Account, Region: jsii.String(ViewerCertificateRegion)},
		CrossRegionReferences: jsii.Bool(true),
		Description:           jsii.String("cfprewarm: the CloudFront viewer certificate for " + strings.Join(p.DomainNames, ", ")),
	})
	zone := importZone(stack, "DomainZone", p.DomainHostedZoneID, p.DomainHostedZoneName)
	return newDNSCertificate(stack, "ViewerCertificate", zone, p.DomainNames)
}

// viewerCertificate is the distribution's certificate when it lives in
// the backend stack: the given ARN, or a DNS-validated one (backend in
// us-east-1).
func viewerCertificate(stack awscdk.Stack, zone awsroute53.IHostedZone, p CloudfrontDynamicAPIStackProps) awscertificatemanager.ICertificate {
	if p.ViewerCertificateARN != "" {
		return awscertificatemanager.Certificate_FromCertificateArn(stack, jsii.String("ViewerCertificate"), jsii.String(p.ViewerCertificateARN))
	}
	return newDNSCertificate(stack, "ViewerCertificate", zone, p.DomainNames)
}

// newDNSCertificate is a certificate for names, validated by DNS records
// the stack creates in zone.
func newDNSCertificate(scope constructs.Construct, id string, zone awsroute53.IHostedZone, names []string) awscertificatemanager.Certificate {
	props := &awscertificatemanager.CertificateProps{
		DomainName: jsii.String(names[0]),
		Validation: awscertificatemanager.CertificateValidation_FromDns(zone),
	}
	if len(names) > 1 {
		props.SubjectAlternativeNames = jsii.Strings(names[1:]...)
	}
	return awscertificatemanager.NewCertificate(scope, jsii.String(id), props)
}

// importZone imports a hosted zone by ID and name: no lookup, no
// credentials.
func importZone(scope constructs.Construct, id, zoneID, zoneName string) awsroute53.IHostedZone {
	return awsroute53.HostedZone_FromHostedZoneAttributes(scope, jsii.String(id), &awsroute53.HostedZoneAttributes{
		HostedZoneId: jsii.String(zoneID),
		ZoneName:     jsii.String(zoneName),
	})
}

// newAliasRecords points every domain name at the distribution, over IPv4
// and IPv6 (A and AAAA alias records).
func newAliasRecords(stack awscdk.Stack, zone awsroute53.IHostedZone, dist awscloudfront.Distribution, names []string) {
	target := awsroute53.RecordTarget_FromAlias(awsroute53targets.NewCloudFrontTarget(dist))
	for i, name := range names {
		awsroute53.NewARecord(stack, jsii.String(fmt.Sprintf("DomainAlias%d", i)), &awsroute53.ARecordProps{
			Zone: zone, RecordName: jsii.String(name), Target: target,
		})
		awsroute53.NewAaaaRecord(stack, jsii.String(fmt.Sprintf("DomainAliasIPv6%d", i)), &awsroute53.AaaaRecordProps{
			Zone: zone, RecordName: jsii.String(name), Target: target,
		})
	}
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
