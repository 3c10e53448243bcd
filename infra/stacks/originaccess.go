package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfrontorigins"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	elbv2 "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53targets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/customresources"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// This file holds what differs between the two ways CloudFront reaches the
// NLB (OriginAccess): the listener, who may connect to it, and the
// distribution's origin. Everything else (service, target group, health
// check, timeouts) is shared by newOrigin.

// loadBalancerSGDescription describes the NLB's security group per mode.
func loadBalancerSGDescription(access OriginAccess) string {
	if access == OriginAccessVPC {
		return "NLB: HTTP from the CloudFront VPC-origin security group (" + VPCOriginSecurityGroupName + ") only"
	}
	return "NLB: HTTPS from CloudFront origin-facing addresses only"
}

// addPublicListener is OriginAccessPublic's listener: TLS on 443 with the
// certificate for OriginDomainName, reachable from CloudFront's
// origin-facing prefix list only; with a hosted zone, the alias record
// pointing OriginDomainName at the NLB.
func addPublicListener(stack awscdk.Stack, nlb elbv2.NetworkLoadBalancer, nlbSG awsec2.SecurityGroup, p CloudfrontDynamicAPIStackProps) elbv2.NetworkListener {
	nlbSG.AddIngressRule(awsec2.Peer_PrefixList(originFacingPrefixList(stack, p)), awsec2.Port_Tcp(jsii.Number(443)),
		jsii.String("HTTPS from "+OriginFacingPrefixListName), jsii.Bool(false))
	var zone awsroute53.IHostedZone
	if p.HostedZoneID != "" {
		zone = importZone(stack, "Zone", p.HostedZoneID, p.HostedZoneName)
		awsroute53.NewARecord(stack, jsii.String("OriginAlias"), &awsroute53.ARecordProps{
			Zone:       zone,
			RecordName: jsii.String(p.OriginDomainName),
			Target:     awsroute53.RecordTarget_FromAlias(awsroute53targets.NewLoadBalancerTarget(nlb, nil)),
		})
	}
	return nlb.AddListener(jsii.String("Tls"), &elbv2.BaseNetworkListenerProps{
		Port:           jsii.Number(443),
		Protocol:       elbv2.Protocol_TLS,
		Certificates:   &[]elbv2.IListenerCertificate{elbv2.ListenerCertificate_FromCertificateManager(certificate(stack, zone, p))},
		SslPolicy:      elbv2.SslPolicy_RECOMMENDED_TLS,
		TcpIdleTimeout: awscdk.Duration_Seconds(jsii.Number(p.NLBIdleTimeout.Seconds())),
	})
}

// addVPCOriginListener is OriginAccessVPC's listener: plain TCP on
// VPCOriginPort (an NLB with a TLS listener cannot be a VPC origin). It
// admits nobody yet: admitVPCOrigin opens it to CloudFront once the VPC
// origin exists.
func addVPCOriginListener(nlb elbv2.NetworkLoadBalancer, p CloudfrontDynamicAPIStackProps) elbv2.NetworkListener {
	return nlb.AddListener(jsii.String("Http"), &elbv2.BaseNetworkListenerProps{
		Port:           jsii.Number(VPCOriginPort),
		Protocol:       elbv2.Protocol_TCP,
		TcpIdleTimeout: awscdk.Duration_Seconds(jsii.Number(p.NLBIdleTimeout.Seconds())),
	})
}

// distributionOrigin is the distribution's origin: the origin domain over
// HTTPS (public) or the NLB as a VPC origin over HTTP (vpc), with the same
// keep-alive, read timeout, connection attempts and origin-verify header.
func distributionOrigin(nlb elbv2.NetworkLoadBalancer, secret awssecretsmanager.ISecret, p CloudfrontDynamicAPIStackProps) awscloudfront.IOrigin {
	keepAlive := awscdk.Duration_Seconds(jsii.Number(p.KeepAlive.Seconds()))
	readTimeout := awscdk.Duration_Seconds(jsii.Number(p.OriginReadTimeout.Seconds()))
	attempts := jsii.Number(float64(p.OriginConnectionAttempts))
	headers := &map[string]*string{
		// A CloudFormation dynamic reference: the value is resolved at
		// deploy time and never appears in the template.
		p.OriginVerifyHeader: secret.SecretValue().UnsafeUnwrap(),
	}
	if p.OriginAccess == OriginAccessVPC {
		return awscloudfrontorigins.VpcOrigin_WithNetworkLoadBalancer(nlb, &awscloudfrontorigins.VpcOriginWithEndpointProps{
			ProtocolPolicy:     awscloudfront.OriginProtocolPolicy_HTTP_ONLY,
			HttpPort:           jsii.Number(VPCOriginPort),
			KeepaliveTimeout:   keepAlive,
			ReadTimeout:        readTimeout,
			ConnectionAttempts: attempts,
			CustomHeaders:      headers,
		})
	}
	return awscloudfrontorigins.NewHttpOrigin(jsii.String(p.OriginDomainName), &awscloudfrontorigins.HttpOriginProps{
		ProtocolPolicy:     awscloudfront.OriginProtocolPolicy_HTTPS_ONLY,
		OriginSslProtocols: &[]awscloudfront.OriginSslPolicy{awscloudfront.OriginSslPolicy_TLS_V1_2},
		KeepaliveTimeout:   keepAlive,
		ReadTimeout:        readTimeout,
		ConnectionAttempts: attempts,
		CustomHeaders:      headers,
	})
}

// admitVPCOrigin lets CloudFront's VPC-origin network interfaces reach the
// NLB's listener, and nothing else. CloudFront creates their security
// group (VPCOriginSecurityGroupName, one per VPC) with the first VPC
// origin and CloudFormation does not return its ID, so a custom resource
// reads it (ec2:DescribeSecurityGroups by VPC and name) after the
// distribution, and with it the VPC origin, is deployed. The rule is a
// resource of its own: inline in the NLB's group it would make the group
// depend on the distribution, which depends on the NLB.
func admitVPCOrigin(stack awscdk.Stack, vpc awsec2.IVpc, nlbSG awsec2.ISecurityGroup, dist awscloudfront.Distribution) {
	const idPath = "SecurityGroups.0.GroupId"
	lookup := describeAtDeploy(stack, "VPCOriginSecurityGroup", &customresources.AwsSdkCall{
		Service: jsii.String("EC2"),
		Action:  jsii.String("describeSecurityGroups"),
		Parameters: map[string]any{
			"Filters": []map[string]any{
				{"Name": "vpc-id", "Values": []*string{vpc.VpcId()}},
				{"Name": "group-name", "Values": []string{VPCOriginSecurityGroupName}},
			},
		},
		PhysicalResourceId: customresources.PhysicalResourceId_Of(jsii.String(VPCOriginSecurityGroupName)),
		OutputPaths:        jsii.Strings(idPath),
	})
	lookup.Node().AddDependency(dist)
	awsec2.NewCfnSecurityGroupIngress(stack, jsii.String("LoadBalancerFromVPCOrigin"), &awsec2.CfnSecurityGroupIngressProps{
		GroupId:               nlbSG.SecurityGroupId(),
		IpProtocol:            jsii.String("tcp"),
		FromPort:              jsii.Number(VPCOriginPort),
		ToPort:                jsii.Number(VPCOriginPort),
		SourceSecurityGroupId: lookup.GetResponseField(jsii.String(idPath)),
		Description:           jsii.String("HTTP from CloudFront VPC origins (" + VPCOriginSecurityGroupName + ")"),
	})
}

// certificate returns the NLB's certificate for the origin domain: the
// given ARN, or a new DNS-validated one in the hosted zone.
func certificate(stack awscdk.Stack, zone awsroute53.IHostedZone, p CloudfrontDynamicAPIStackProps) awscertificatemanager.ICertificate {
	if p.CertificateARN != "" {
		return awscertificatemanager.Certificate_FromCertificateArn(stack, jsii.String("Certificate"), jsii.String(p.CertificateARN))
	}
	return awscertificatemanager.NewCertificate(stack, jsii.String("Certificate"), &awscertificatemanager.CertificateProps{
		DomainName: jsii.String(p.OriginDomainName),
		Validation: awscertificatemanager.CertificateValidation_FromDns(zone),
	})
}

// originFacingPrefixList returns the ID of CloudFront's origin-facing
// managed prefix list: the configured one, or one read at deploy time by a
// custom resource calling ec2:DescribeManagedPrefixLists (the ID differs per
// region, and synth makes no AWS calls).
func originFacingPrefixList(stack awscdk.Stack, p CloudfrontDynamicAPIStackProps) *string {
	if p.OriginFacingPrefixListID != "" {
		return jsii.String(p.OriginFacingPrefixListID)
	}
	const idPath = "PrefixLists.0.PrefixListId"
	lookup := describeAtDeploy(stack, "OriginFacingPrefixList", &customresources.AwsSdkCall{
		Service: jsii.String("EC2"),
		Action:  jsii.String("describeManagedPrefixLists"),
		Parameters: map[string]any{
			"Filters": []map[string]any{{"Name": "prefix-list-name", "Values": []string{OriginFacingPrefixListName}}},
		},
		PhysicalResourceId: customresources.PhysicalResourceId_Of(jsii.String(OriginFacingPrefixListName)),
		OutputPaths:        jsii.Strings(idPath),
	})
	return lookup.GetResponseField(jsii.String(idPath))
}

// describeAtDeploy is a custom resource making one read-only AWS call on
// create and update, for a value synth cannot know; its logs are kept a
// week. The call's action allows no resource-level permissions, hence
// any resource (suppressed for cdk-nag in nag.go by id).
func describeAtDeploy(scope constructs.Construct, id string, call *customresources.AwsSdkCall) customresources.AwsCustomResource {
	return customresources.NewAwsCustomResource(scope, jsii.String(id), &customresources.AwsCustomResourceProps{
		OnCreate:            call,
		OnUpdate:            call,
		Policy:              customresources.AwsCustomResourcePolicy_FromSdkCalls(&customresources.SdkCallsPolicyOptions{Resources: customresources.AwsCustomResourcePolicy_ANY_RESOURCE()}),
		InstallLatestAwsSdk: jsii.Bool(false),
		LogGroup: awslogs.NewLogGroup(scope, jsii.String(id+"Logs"), &awslogs.LogGroupProps{
			Retention:     awslogs.RetentionDays_ONE_WEEK,
			RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
		}),
	})
}
