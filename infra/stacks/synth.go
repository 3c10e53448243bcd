package stacks

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
)

// SynthError is a synthesis that found errors: unsuppressed cdk-nag
// findings, CDK or CloudFormation validation errors.
type SynthError struct {
	// Findings are "construct path: message" lines.
	Findings []string
	// Report is the validation report the CDK wrote, if any.
	Report string
}

func (e *SynthError) Error() string {
	msg := fmt.Sprintf("%d synth errors:\n%s", len(e.Findings), strings.Join(e.Findings, "\n"))
	if e.Report != "" {
		msg += "\n(report: " + e.Report + ")"
	}
	return msg
}

// Synth synthesizes app and returns a *SynthError when synthesis found
// errors. With the pinned feature flag
// @aws-cdk/core:annotationsInValidationReport the CDK puts error
// annotations (cdk-nag's findings among them) into its validation report
// and throws, which jsii turns into a panic; Synth reads the report
// instead. Without the flag, the errors stay annotations of the assembly
// (SynthErrors).
func Synth(app awscdk.App) (asm cxapi.CloudAssembly, err error) {
	// A report left by an earlier synth into the same directory must not
	// be read as this one's.
	report := filepath.Join(*app.Outdir(), "validation-report.json")
	os.Remove(report)
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if findings, rerr := validationFindings(report); rerr == nil && len(findings) > 0 {
			err = &SynthError{Findings: findings, Report: report}
			return
		}
		err = fmt.Errorf("synth: %v", r)
	}()
	asm = app.Synth(nil)
	if findings := SynthErrors(asm); len(findings) > 0 {
		return asm, &SynthError{Findings: findings}
	}
	return asm, nil
}

// SynthErrors returns the error annotations of every stack in a
// synthesized assembly as "construct path: message" lines.
func SynthErrors(asm cxapi.CloudAssembly) []string {
	var out []string
	for _, st := range *asm.StacksRecursively() {
		for _, m := range *st.Messages() {
			if m.Level == cxapi.SynthesisMessageLevel_ERROR {
				out = append(out, fmt.Sprintf("%s: %v", *m.Id, m.Entry.Data))
			}
		}
	}
	return out
}

// validationFindings reads the error-severity violations of a CDK
// validation report (validation-report.json) as "/construct path: message"
// lines, the form SynthErrors uses.
func validationFindings(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var report struct {
		PluginReports []struct {
			Violations []struct {
				Description         string `json:"description"`
				Severity            string `json:"severity"`
				ViolatingConstructs []struct {
					ConstructPath string `json:"constructPath"`
				} `json:"violatingConstructs"`
			} `json:"violations"`
		} `json:"pluginReports"`
	}
	if err := json.Unmarshal(data, &report); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []string
	for _, p := range report.PluginReports {
		for _, v := range p.Violations {
			if v.Severity != "error" {
				continue
			}
			for _, c := range v.ViolatingConstructs {
				out = append(out, "/"+c.ConstructPath+": "+strings.TrimSpace(v.Description))
			}
		}
	}
	if len(out) == 0 {
		return nil, errors.New(path + ": no errors in the validation report")
	}
	return out, nil
}
