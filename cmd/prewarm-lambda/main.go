// Command prewarm-lambda is the prewarm engine as an AWS Lambda function
// (provided.al2023, arm64, built with -tags lambda.norpc into a binary named
// bootstrap). EventBridge invokes it once a minute; each invocation runs
// several prewarm waves paced inside the minute and stops before the
// function's deadline. Configuration comes from environment variables, and
// the invocation event may only narrow them (never more requests, waves,
// concurrency or POPs, another target only where EVENT_OVERRIDES allows).
// The response is a bounded per-POP summary; what a process learns (TLS
// sessions, edge host estimates, adaptive sizing) carries over to its next
// invocations.
// Metrics go to the log as CloudWatch Embedded Metric Format lines: no API
// call, no cloudwatch:PutMetricData permission. See docs/warm.md.
package main

import (
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(&handler{getenv: os.Getenv, metrics: os.Stdout, logs: os.Stderr})
}
