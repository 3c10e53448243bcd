package stacks

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"
)

// nagErrors returns the unsuppressed cdk-nag AwsSolutions errors of one
// stack of a synthesized assembly.
func nagErrors(asm cxapi.CloudAssembly, stack awscdk.Stack) []string {
	var out []string
	for _, e := range SynthErrors(asm) {
		if strings.HasPrefix(e, "/"+*stack.Node().Path()+"/") && strings.Contains(e, "AwsSolutions-") {
			out = append(out, e)
		}
	}
	return out
}

// nagSuppressed lists the rule IDs the stack's nag report shows as
// suppressed, from AwsSolutions--<stack>-NagReport.csv (the empty part
// is the stage name).
func nagSuppressed(t *testing.T, asm cxapi.CloudAssembly, stack awscdk.Stack) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(*asm.Directory(), "AwsSolutions--"+*stack.ArtifactId()+"-NagReport.csv"))
	if err != nil {
		t.Fatalf("nag report: %v", err)
	}
	var ids []string
	for line := range strings.SplitSeq(string(data), "\n") {
		if f := strings.Split(line, ","); len(f) > 3 && f[2] == `"Suppressed"` {
			ids = append(ids, strings.Trim(f[0], `"`))
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// TestNagAwsSolutions: every stack passes the AwsSolutions pack with zero
// unsuppressed errors, and the suppressions are exactly the justified ones
// in nag.go (a new finding cannot hide behind an old suppression).
func TestNagAwsSolutions(t *testing.T) {
	f := shared(t)
	all := append([]awscdk.Stack{f.backend, f.certStack, f.backendAsset, f.backendVPC}, f.prewarm...)
	for _, s := range all {
		t.Run(*s.StackName(), func(t *testing.T) {
			if errs := nagErrors(f.asm, s); len(errs) > 0 {
				t.Errorf("unsuppressed cdk-nag errors:\n%s", strings.Join(errs, "\n"))
			}
		})
	}
	// Both backends serve a custom domain: CFR4 (the default certificate's
	// viewer protocol) no longer applies.
	backendWant := []string{"AwsSolutions-CFR1", "AwsSolutions-CFR2", "AwsSolutions-ECS2", "AwsSolutions-IAM5", "AwsSolutions-S1", "AwsSolutions-SMG4"}
	if got := nagSuppressed(t, f.asm, f.backend); !slices.Equal(got, backendWant) {
		t.Errorf("backend suppressions %v, want %v", got, backendWant)
	}
	// The prefix-list lookup brings CDK's custom-resource provider.
	assetWant := []string{"AwsSolutions-CFR1", "AwsSolutions-CFR2", "AwsSolutions-ECS2", "AwsSolutions-IAM4", "AwsSolutions-IAM5", "AwsSolutions-S1", "AwsSolutions-SMG4"}
	if got := nagSuppressed(t, f.asm, f.backendAsset); !slices.Equal(got, assetWant) {
		t.Errorf("backend (lookup) suppressions %v, want %v", got, assetWant)
	}
	// The VPC origin: the security-group lookup brings the provider too,
	// and the distribution keeps the default certificate (CFR4).
	vpcWant := []string{"AwsSolutions-CFR1", "AwsSolutions-CFR2", "AwsSolutions-CFR4", "AwsSolutions-ECS2", "AwsSolutions-IAM4", "AwsSolutions-IAM5", "AwsSolutions-S1", "AwsSolutions-SMG4"}
	if got := nagSuppressed(t, f.asm, f.backendVPC); !slices.Equal(got, vpcWant) {
		t.Errorf("backend (VPC origin) suppressions %v, want %v", got, vpcWant)
	}
	// The Scheduler's role may invoke the function and its versions
	// (ARN:*): one IAM5, on that role alone; the plain rule needs none.
	if got, want := nagSuppressed(t, f.asm, f.prewarm[0]), []string{"AwsSolutions-IAM5"}; !slices.Equal(got, want) {
		t.Errorf("prewarm stack (Scheduler) without tracing: suppressions %v, want %v (the Scheduler's role only)", got, want)
	}
	if got, want := nagSuppressed(t, f.asm, f.prewarm[1]), []string{"AwsSolutions-IAM5"}; !slices.Equal(got, want) {
		t.Errorf("prewarm stack (rule) with tracing: suppressions %v, want %v (X-Ray only)", got, want)
	}
}

// TestNagCatchesFindings is the control: the same check reports a bare
// bucket, so a clean result above means something.
func TestNagCatchesFindings(t *testing.T) {
	app := newTestApp(t)
	stack := awscdk.NewStack(app, jsii.String("Bare"), nil)
	awss3.NewBucket(stack, jsii.String("Bucket"), nil)
	AddNagChecks(app)
	_, err := Synth(app)
	var synthErr *SynthError
	if !errors.As(err, &synthErr) {
		t.Fatalf("synth of a bare bucket: %v, want a *SynthError", err)
	}
	if !slices.ContainsFunc(synthErr.Findings, func(e string) bool {
		return strings.HasPrefix(e, "/"+*stack.Node().Path()+"/") && strings.Contains(e, "AwsSolutions-S10")
	}) {
		t.Errorf("cdk-nag missed the bucket without SSL enforcement; errors: %v", synthErr.Findings)
	}
}
