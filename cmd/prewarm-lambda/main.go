// Command prewarm-lambda is the prewarm engine as an AWS Lambda function
// (provided.al2023, arm64, built with -tags lambda.norpc into a binary named
// bootstrap). EventBridge Scheduler invokes it once a minute with the
// scheduled time in its input: each invocation sends a wave at each slot of
// the aligned grid (one every keep-alive less 2 s, aligned to the epoch)
// its minute owns, so that waves stay evenly spaced however late it runs
// (package schedule); a late one sends only its remaining slots, a stale or
// duplicate one nothing. Invoked without a scheduled time (a plain
// EventBridge rule, by hand) it runs WAVES waves WAVE_INTERVAL apart. It
// stops before the function's deadline. Configuration comes from environment variables, and
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
