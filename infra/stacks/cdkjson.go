package stacks

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

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

// ContextArgs parses the command line of `go run .`: `-c key=value` (or
// `--context key=value`), repeatable, as the CDK CLI takes them, so that a
// direct run can override one context value of cdk.json, e.g.
// -c backend='{"region": "eu-central-1", "originAccess": "public", …}' or
// -c nag=false. Values stay strings, as the CLI passes them; the app's
// configuration reads JSON strings. Anything else is a usage error.
func ContextArgs(args []string) (map[string]any, error) {
	ctx := map[string]any{}
	fs := flag.NewFlagSet("infra", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	set := contextFlag(ctx)
	fs.Var(set, "c", "")
	fs.Var(set, "context", "")
	if err := fs.Parse(args); err != nil {
		return nil, fmt.Errorf("%w (usage: go run . [-c key=value]...)", err)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (usage: go run . [-c key=value]...)", fs.Arg(0))
	}
	for key := range ctx {
		if !knownContextKey(key) {
			return nil, fmt.Errorf("-c %s: not a context key this app reads (%s, %s, %s, %s, or a namespaced key such as @aws-cdk/…:flag); a setting of the backend or of the prewarm stacks goes inside its object, e.g. -c backend='{…, \"originAccess\": \"public\"}' (usage: go run . [-c key=value]...)",
				key, ContextBackend, ContextPrewarmDefaults, ContextPrewarm, ContextNag)
		}
	}
	return ctx, nil
}

// ContextNag turns cdk-nag off with -c nag=false.
const ContextNag = "nag"

// knownContextKey is a key the app reads, or one of the namespaced keys
// the CDK and its libraries read (feature flags "@aws-cdk/…:…", lookups
// "availability-zones:…"): a top-level key that is neither, such as
// originAccess (a setting inside backend), would be ignored without a word.
func knownContextKey(key string) bool {
	switch key {
	case ContextBackend, ContextPrewarmDefaults, ContextPrewarm, ContextNag:
		return true
	}
	return strings.HasPrefix(key, "@") || strings.Contains(key, ":")
}

// contextFlag collects key=value pairs into a context map.
type contextFlag map[string]any

func (c contextFlag) String() string { return "" }

func (c contextFlag) Set(kv string) error {
	key, value, ok := strings.Cut(kv, "=")
	if !ok || key == "" {
		return fmt.Errorf("context %q: want key=value", kv)
	}
	c[key] = value
	return nil
}
