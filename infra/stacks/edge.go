package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"
)

// priceClasses maps the configuration names to CloudFront price classes.
var priceClasses = map[string]awscloudfront.PriceClass{
	"PriceClass_All": awscloudfront.PriceClass_PRICE_CLASS_ALL,
	"PriceClass_200": awscloudfront.PriceClass_PRICE_CLASS_200,
	"PriceClass_100": awscloudfront.PriceClass_PRICE_CLASS_100,
}

// newDistribution creates the CloudFront distribution in front of origin
// (distributionOrigin: the NLB through a VPC origin, or the origin domain
// over HTTPS, with the configured keep-alive and the origin-verify
// header): CachingDisabled, AllViewerExceptHostHeader (forwarding the
// viewer's Host would make CloudFront check the origin certificate against
// the distribution's name), Server-Timing on, and HTTP redirected to HTTPS.
//
// With domain names it serves them with the viewer certificate (SNI,
// TLSv1.2_2021 at least).
func newDistribution(stack awscdk.Stack, logs awss3.IBucket, origin awscloudfront.IOrigin, cert awscertificatemanager.ICertificate, p CloudfrontDynamicAPIStackProps) awscloudfront.Distribution {
	headers := awscloudfront.NewResponseHeadersPolicy(stack, jsii.String("ServerTiming"), &awscloudfront.ResponseHeadersPolicyProps{
		Comment: jsii.String("Server-Timing for cfprewarm probes (Pragma: server-timing)"),
	})
	// Written through the L1 resource: the L2 prop drops a sampling rate of
	// 0 (falsy in JavaScript) and with it the whole Server-Timing config, yet
	// 0 is the useful default: only probes sending "Pragma: server-timing"
	// get the header.
	headers.Node().DefaultChild().(awscdk.CfnResource).AddPropertyOverride(
		jsii.String("ResponseHeadersPolicyConfig.ServerTimingHeadersConfig"),
		map[string]any{"Enabled": true, "SamplingRate": p.ServerTimingSamplingRate})
	props := &awscloudfront.DistributionProps{
		Comment: jsii.String("cfprewarm dynamic API"),
		DefaultBehavior: &awscloudfront.BehaviorOptions{
			Origin:                origin,
			ViewerProtocolPolicy:  awscloudfront.ViewerProtocolPolicy_REDIRECT_TO_HTTPS,
			AllowedMethods:        awscloudfront.AllowedMethods_ALLOW_ALL(),
			CachePolicy:           awscloudfront.CachePolicy_CACHING_DISABLED(),
			OriginRequestPolicy:   awscloudfront.OriginRequestPolicy_ALL_VIEWER_EXCEPT_HOST_HEADER(),
			ResponseHeadersPolicy: headers,
			Compress:              jsii.Bool(true),
		},
		HttpVersion:   awscloudfront.HttpVersion_HTTP2_AND_3,
		PriceClass:    priceClasses[p.PriceClass],
		EnableLogging: jsii.Bool(true),
		LogBucket:     logs,
		LogFilePrefix: jsii.String("cloudfront/"),
	}
	if len(p.DomainNames) > 0 {
		props.DomainNames = jsii.Strings(p.DomainNames...)
		props.Certificate = cert
		props.MinimumProtocolVersion = awscloudfront.SecurityPolicyProtocol_TLS_V1_2_2021
		props.SslSupportMethod = awscloudfront.SSLMethod_SNI
	}
	dist := awscloudfront.NewDistribution(stack, jsii.String("Distribution"), props)
	if p.HostIDFunction {
		addHostIDBehavior(stack, dist, origin, headers) // hostid.go
	}
	return dist
}
