package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/jsii-runtime-go"
)

// The documented edge server identity (docs/doctor.md): a viewer-request
// CloudFront Function on a dedicated prewarm path forwards
// cf.edgeLocation.serverIp, "the IPv4 or IPv6 address of the server that
// handled the request", to the origin, and current-time-app echoes it on
// that path to requests carrying the origin-verify secret. A prewarmer
// then counts edge servers by a documented identity instead of the via id
// (cfprewarm warm --path /cfprewarm/host-id --host-id-header
// X-Cfprewarm-Edge-Server-Ip), and cfprewarm doctor checks the via id
// against it.

// Names shared with the root module (infra/ does not import it):
// cloudfront.HeaderEdgeServerIP and origin.HostIDPath.
// TestContractHostIdentity checks them against its source.
const (
	hostIDHeader      = "X-Cfprewarm-Edge-Server-Ip"
	hostIDPath        = "/cfprewarm/host-id"
	hostIDPathPattern = "/cfprewarm/*"
)

// hostIDFunctionCode is the function, JavaScript runtime 2.0 (the
// cloudfront module and cf.edgeLocation need it). CloudFront Functions
// take header names in lower case. A viewer cannot fake the header: the
// function sets it, or removes what the viewer sent.
const hostIDFunctionCode = `import cf from 'cloudfront';

function handler(event) {
  var request = event.request;
  var edge = cf.edgeLocation;
  if (edge && edge.serverIp) {
    request.headers['x-cfprewarm-edge-server-ip'] = { value: edge.serverIp };
  } else {
    delete request.headers['x-cfprewarm-edge-server-ip'];
  }
  return request;
}
`

// addHostIDBehavior adds the prewarm path's cache behavior to the
// distribution: the default behavior's origin and policies (caching off,
// all viewer headers but Host, Server-Timing) with the function on
// viewer requests.
func addHostIDBehavior(stack awscdk.Stack, dist awscloudfront.Distribution, origin awscloudfront.IOrigin, headers awscloudfront.IResponseHeadersPolicy) {
	fn := awscloudfront.NewFunction(stack, jsii.String("HostIDFunction"), &awscloudfront.FunctionProps{
		Comment: jsii.String("cfprewarm: forwards cf.edgeLocation.serverIp to the origin on " + hostIDPathPattern),
		Code:    awscloudfront.FunctionCode_FromInline(jsii.String(hostIDFunctionCode)),
		Runtime: awscloudfront.FunctionRuntime_JS_2_0(),
	})
	dist.AddBehavior(jsii.String(hostIDPathPattern), origin, &awscloudfront.AddBehaviorOptions{
		ViewerProtocolPolicy:  awscloudfront.ViewerProtocolPolicy_HTTPS_ONLY,
		AllowedMethods:        awscloudfront.AllowedMethods_ALLOW_GET_HEAD(),
		CachePolicy:           awscloudfront.CachePolicy_CACHING_DISABLED(),
		OriginRequestPolicy:   awscloudfront.OriginRequestPolicy_ALL_VIEWER_EXCEPT_HOST_HEADER(),
		ResponseHeadersPolicy: headers,
		FunctionAssociations: &[]*awscloudfront.FunctionAssociation{{
			Function:  fn,
			EventType: awscloudfront.FunctionEventType_VIEWER_REQUEST,
		}},
	})
}
