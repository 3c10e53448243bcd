package stacks

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

// The sample stack's host identity: with hostIdFunction the distribution
// has a /cfprewarm/* behavior, uncached, to the same origin (so with the
// origin-verify header), whose viewer requests run a JavaScript 2.0
// CloudFront Function that forwards cf.edgeLocation.serverIp; without it,
// neither.
func TestHostIDFunction(t *testing.T) {
	app := newTestApp(t)
	stack, err := NewCloudfrontDynamicAPIStack(app, "BackendHostID", &CloudfrontDynamicAPIStackProps{
		StackProps:       awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("eu-central-1")}},
		OriginDomainName: "origin.example.com",
		CertificateARN:   testCertARN,
		HostIDFunction:   true,
	})
	if err != nil {
		t.Fatal(err)
	}
	tm := assertions.Template_FromStack(stack, nil)
	fnID, fn := only(t, tm, "AWS::CloudFront::Function")
	code, _ := fn["FunctionCode"].(string)
	for _, want := range []string{"import cf from 'cloudfront'", "cf.edgeLocation", "edge.serverIp", "request.headers['" + strings.ToLower(hostIDHeader) + "']"} {
		if !strings.Contains(code, want) {
			t.Errorf("function code lacks %q:\n%s", want, code)
		}
	}
	jsonEqual(t, "function runtime", fn["FunctionConfig"].(map[string]any)["Runtime"], "cloudfront-js-2.0")
	_, dist := only(t, tm, "AWS::CloudFront::Distribution")
	cfg := dist["DistributionConfig"].(map[string]any)
	behaviors, _ := cfg["CacheBehaviors"].([]any)
	if len(behaviors) != 1 {
		t.Fatalf("cache behaviors %v: want the prewarm path's", behaviors)
	}
	b := behaviors[0].(map[string]any)
	def := cfg["DefaultCacheBehavior"].(map[string]any)
	jsonEqual(t, "path pattern", b["PathPattern"], hostIDPathPattern)
	jsonEqual(t, "function association", b["FunctionAssociations"], []any{map[string]any{
		"EventType": "viewer-request", "FunctionARN": map[string]any{"Fn::GetAtt": []any{fnID, "FunctionARN"}}}})
	for _, k := range []string{"TargetOriginId", "CachePolicyId", "OriginRequestPolicyId", "ResponseHeadersPolicyId"} {
		jsonEqual(t, "prewarm path "+k+" as the default behavior's", b[k], def[k])
	}
	if !strings.HasPrefix(hostIDPath, strings.TrimSuffix(hostIDPathPattern, "*")) {
		t.Errorf("the behavior %s does not cover %s", hostIDPathPattern, hostIDPath)
	}

	f := shared(t)
	if n := len(resources(t, f.template(f.backend), "AWS::CloudFront::Function")); n != 0 {
		t.Errorf("without hostIdFunction: %d functions", n)
	}
}

// The header and path are the root module's: the emulator adds the header
// on that path, the origin echoes it there, warm and doctor read it.
func TestContractHostIdentity(t *testing.T) {
	if got := stringConsts(rootSource(t, "cloudfront"))["HeaderEdgeServerIP"]; got != hostIDHeader {
		t.Errorf("cloudfront.HeaderEdgeServerIP = %q, infra has %q", got, hostIDHeader)
	}
	if got := stringConsts(rootSource(t, "origin"))["HostIDPath"]; got != hostIDPath {
		t.Errorf("origin.HostIDPath = %q, infra has %q", got, hostIDPath)
	}
}

// A prewarm entry with hostId warms the prewarm path and counts edge hosts
// by the header the function forwards: URL_PATH and HOST_ID_HEADER are the
// path and header the backend's function and origin use; an entry without
// it sets neither.
func TestPrewarmHostID(t *testing.T) {
	f := shared(t)
	env := func(region string) map[string]any {
		_, fn := only(t, f.template(prewarmStack(t, f, region)), "AWS::Lambda::Function")
		return fn["Environment"].(map[string]any)["Variables"].(map[string]any)
	}
	if e := env("eu-west-1"); e["URL_PATH"] != hostIDPath || e["HOST_ID_HEADER"] != hostIDHeader {
		t.Errorf("eu-west-1 (hostId): URL_PATH %v, HOST_ID_HEADER %v: want %s and %s", e["URL_PATH"], e["HOST_ID_HEADER"], hostIDPath, hostIDHeader)
	}
	if e := env("ap-east-1"); e["URL_PATH"] != DefaultPath || e["HOST_ID_HEADER"] != nil {
		t.Errorf("ap-east-1 (no hostId): URL_PATH %v, HOST_ID_HEADER %v: want %s and none", e["URL_PATH"], e["HOST_ID_HEADER"], DefaultPath)
	}
}
