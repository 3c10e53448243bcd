package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// AddNagChecks runs the cdk-nag AwsSolutions rules over every stack of the
// app at synth; unsuppressed findings become error annotations.
func AddNagChecks(app awscdk.App) {
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
}

// suppression is one justified cdk-nag suppression.
func suppression(id, reason string, appliesTo ...string) *cdknag.NagPackSuppression {
	s := &cdknag.NagPackSuppression{Id: jsii.String(id), Reason: jsii.String(reason)}
	if len(appliesTo) > 0 {
		a := make([]any, len(appliesTo))
		for i, v := range appliesTo {
			a[i] = v
		}
		s.AppliesTo = &a
	}
	return s
}

// addBackendSuppressions records why the backend stack departs from the
// AwsSolutions rules it is flagged for.
func addBackendSuppressions(stack awscdk.Stack, defaultCertificate bool) {
	suppressOn(stack, "AccessLogs",
		suppression("AwsSolutions-S1", "This bucket is itself the access-log destination for CloudFront, the NLB and VPC flow logs; logging its own access would need yet another bucket."))
	suppressOn(stack, "OriginVerifySecret",
		suppression("AwsSolutions-SMG4", "The origin-verify value lives in both the CloudFront origin config and the ECS task; a rotation Lambda cannot switch both at once without 403s. It is rotated by redeploying (docs/deploying.md)."))
	suppressOn(stack, "Task",
		suppression("AwsSolutions-ECS2", "The environment holds only non-secret settings (listen address, timeouts, header name); the origin-verify secret comes from Secrets Manager through the secrets block."),
		suppression("AwsSolutions-IAM5", "ecr:GetAuthorizationToken supports no resource-level permissions; the image pull itself is scoped to the repository.", "Resource::*"))
	suppressOn(stack, "OriginFacingPrefixList",
		suppression("AwsSolutions-IAM5", "ec2:DescribeManagedPrefixLists supports no resource-level permissions; the call is read-only.", "Resource::*"))
	suppressOn(stack, "VPCOriginSecurityGroup",
		suppression("AwsSolutions-IAM5", "ec2:DescribeSecurityGroups supports no resource-level permissions; the call is read-only.", "Resource::*"))
	// The singleton Lambda behind every AwsCustomResource, created by CDK
	// under this fixed ID.
	suppressOn(stack, "AWS679f53fac002430cb0da5b7982bd2287",
		suppression("AwsSolutions-IAM4", "CDK's AwsCustomResource provider uses AWSLambdaBasicExecutionRole for its own logs only; it runs once per deployment to read the prefix-list or security-group ID.",
			"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"),
		suppression("AwsSolutions-L1", "The runtime of CDK's AwsCustomResource provider is chosen and kept current by the CDK release."))
	distribution := []*cdknag.NagPackSuppression{
		suppression("AwsSolutions-CFR1", "A public API served worldwide: geo restriction would defeat keeping every POP warm."),
		suppression("AwsSolutions-CFR2", "WAF is a per-account choice with per-request cost; the origin already accepts only CloudFront with the origin-verify header."),
	}
	if defaultCertificate {
		distribution = append(distribution, suppression("AwsSolutions-CFR4",
			"The distribution uses the default *.cloudfront.net certificate, for which CloudFront fixes the minimum viewer protocol; with domainNames and their certificate it requires TLSv1.2_2021."))
	}
	suppressOn(stack, "Distribution", distribution...)
}

// suppressOn attaches suppressions to the named child of stack and its
// descendants, if that child exists.
func suppressOn(stack awscdk.Stack, child string, s ...*cdknag.NagPackSuppression) {
	if c := stack.Node().TryFindChild(jsii.String(child)); c != nil {
		cdknag.NagSuppressions_AddResourceSuppressions(c, &s, jsii.Bool(true))
	}
}
