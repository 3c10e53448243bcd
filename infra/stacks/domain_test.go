package stacks

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"
)

// TestCustomDomainDNSValidated: a backend outside us-east-1 with domain
// names in its hosted zone gets a DNS-validated viewer certificate from a
// us-east-1 stack, serves the names with it, and points A and AAAA alias
// records at the distribution.
func TestCustomDomainDNSValidated(t *testing.T) {
	f := shared(t)
	if got := *f.certStack.Region(); got != ViewerCertificateRegion {
		t.Fatalf("certificate stack in %s, want %s", got, ViewerCertificateRegion)
	}
	certTm := f.template(f.certStack)
	_, cert := only(t, certTm, "AWS::CertificateManager::Certificate")
	jsonEqual(t, "viewer certificate", map[string]any{
		"DomainName": cert["DomainName"], "SubjectAlternativeNames": cert["SubjectAlternativeNames"],
		"ValidationMethod": cert["ValidationMethod"], "DomainValidationOptions": cert["DomainValidationOptions"],
	}, map[string]any{
		"DomainName": "api.example.com", "SubjectAlternativeNames": []string{"www.example.com"}, "ValidationMethod": "DNS",
		"DomainValidationOptions": []any{
			map[string]any{"DomainName": "api.example.com", "HostedZoneId": "Z0123456789EXAMPLE"},
			map[string]any{"DomainName": "www.example.com", "HostedZoneId": "Z0123456789EXAMPLE"},
		},
	})

	tm := f.template(f.backend)
	distID, dist := only(t, tm, "AWS::CloudFront::Distribution")
	cfg := dist["DistributionConfig"].(map[string]any)
	jsonEqual(t, "aliases", cfg["Aliases"], []string{"api.example.com", "www.example.com"})
	vc := cfg["ViewerCertificate"].(map[string]any)
	jsonEqual(t, "viewer protocol", []any{vc["MinimumProtocolVersion"], vc["SslSupportMethod"]}, []any{"TLSv1.2_2021", "sni-only"})
	// The ARN crosses regions as a weak reference
	// (@aws-cdk/core:defaultCrossStackReferences "weak"): CloudFormation
	// reads the certificate stack's output at deploy time.
	ref, _ := vc["AcmCertificateArn"].(map[string]any)["Fn::GetStackOutput"].(map[string]any)
	if ref["StackName"] != *f.certStack.StackName() || ref["Region"] != ViewerCertificateRegion {
		t.Errorf("viewer certificate ARN %v: want Fn::GetStackOutput of the %s stack %s", vc["AcmCertificateArn"], ViewerCertificateRegion, *f.certStack.StackName())
	}
	check(t, "the certificate stack publishes the ARN", func() {
		certTm.HasOutput(jsii.String(ref["OutputName"].(string)), map[string]any{"Value": map[string]any{"Ref": assertions.Match_AnyValue()}})
	})
	if deps := f.backend.Dependencies(); deps == nil || len(*deps) == 0 || *(*deps)[0].StackName() != *f.certStack.StackName() {
		t.Errorf("the backend does not depend on the certificate stack")
	}

	// Origin record plus A and AAAA for each domain name.
	aliases := map[string]bool{}
	for _, r := range resources(t, tm, "AWS::Route53::RecordSet") {
		p := r["Properties"].(map[string]any)
		target, _ := json.Marshal(p["AliasTarget"])
		if strings.Contains(string(target), distID) {
			aliases[fmt.Sprintf("%s %s %s", p["Name"], p["Type"], p["HostedZoneId"])] = true
		}
	}
	jsonEqual(t, "alias records to the distribution", aliases, map[string]bool{
		"api.example.com. A Z0123456789EXAMPLE": true, "api.example.com. AAAA Z0123456789EXAMPLE": true,
		"www.example.com. A Z0123456789EXAMPLE": true, "www.example.com. AAAA Z0123456789EXAMPLE": true,
	})
	check(t, "DomainNames output", func() {
		tm.HasOutput(jsii.String("DomainNames"), map[string]any{"Value": "api.example.com,www.example.com"})
	})
}

// TestKeepAliveQuotaWarning: above 60 s CloudFront needs a quota increase;
// synth says so (a warning, since it may have been granted).
func TestKeepAliveQuotaWarning(t *testing.T) {
	f := shared(t)
	warnings := func(s awscdk.Stack) []string {
		var out []string
		for _, st := range *f.asm.StacksRecursively() {
			if *st.StackName() != *s.StackName() {
				continue
			}
			for _, m := range *st.Messages() {
				if m.Level == cxapi.SynthesisMessageLevel_WARNING {
					out = append(out, fmt.Sprint(m.Entry.Data))
				}
			}
		}
		return out
	}
	hasQuota := func(ws []string) bool {
		for _, w := range ws {
			if strings.Contains(w, "quota increase") && strings.Contains(w, "180s") {
				return true
			}
		}
		return false
	}
	if ws := warnings(f.backendAsset); !hasQuota(ws) {
		t.Errorf("keepAlive 120s: no quota warning in %q", ws)
	}
	if ws := warnings(f.backend); hasQuota(ws) {
		t.Errorf("keepAlive 60s: quota warning %q", ws)
	}
}
