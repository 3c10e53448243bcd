// Command infra is the cfprewarm AWS CDK app. It synthesizes the backend
// stack (CloudfrontDynamicAPIStack) and one prewarm stack per configured
// region (LambdaPrewarmStack-<region>) from the context in cdk.json, with
// no AWS credentials. Run it with `cdk synth`/`cdk deploy`, or `go run .
// [-c key=value]...` to write cdk.out directly. See docs/deploying.md.
package main

import (
	"errors"
	"fmt"
	"maps"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/cfprewarm/cfprewarm/infra/stacks"
)

func main() {
	if note := stacks.QuietNodeEndOfLife(); note != "" {
		fmt.Fprintln(os.Stderr, "cfprewarm infra:", note)
	}
	err := run()
	jsii.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, "cfprewarm infra:", err)
		if errors.As(err, new(usageError)) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// usageError is a bad command line (exit status 2).
type usageError struct{ error }

func run() error {
	props, err := stacks.AppProps(".", os.Getenv)
	if err != nil {
		return err
	}
	if props != nil { // run directly: -c key=value overrides cdk.json
		overrides, err := stacks.ContextArgs(os.Args[1:])
		if err != nil {
			return usageError{err}
		}
		maps.Copy(*props.Context, overrides)
	}
	app := awscdk.NewApp(props)
	cfg, err := stacks.ConfigFromContext(app)
	if err != nil {
		return err
	}
	if _, err := stacks.Build(app, cfg, stacks.BuildOptions{}); err != nil {
		return err
	}
	// cdk-nag AwsSolutions checks unless -c nag=false.
	if nag := app.Node().TryGetContext(jsii.String(stacks.ContextNag)); nag != false && nag != "false" {
		stacks.AddNagChecks(app)
	}
	asm, err := stacks.Synth(app)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "templates written to %s\n", *asm.Directory())
	return nil
}
