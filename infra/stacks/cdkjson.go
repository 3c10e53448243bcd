package stacks

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

// AppProps returns the props for awscdk.NewApp. Under the CDK CLI (which
// sets CDK_OUTDIR and CDK_CONTEXT_JSON) it returns nil and the CLI's
// settings apply. Run directly (`go run .`), it reads the "context" of
// dir/cdk.json and writes to dir/cdk.out, as `cdk synth` would.
func AppProps(dir string, getenv func(string) string) (*awscdk.AppProps, error) {
	if getenv("CDK_OUTDIR") != "" || getenv("CDK_CONTEXT_JSON") != "" {
		return nil, nil
	}
	path := filepath.Join(dir, "cdk.json")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read cdk.json: %w", err)
	}
	var file struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &awscdk.AppProps{
		Outdir:  jsii.String(filepath.Join(dir, "cdk.out")),
		Context: &file.Context,
	}, nil
}
