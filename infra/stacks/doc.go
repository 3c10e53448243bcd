// Package stacks owns the cfprewarm AWS CDK stacks: the backend
// (CloudfrontDynamicAPIStack: VPC, ECS Fargate running current-time-app, a
// TLS network load balancer and a CloudFront distribution tuned for dynamic
// requests) and the prewarmer (LambdaPrewarmStack: the prewarm Lambda, its
// one-minute schedule, log group, alarms and dashboard), plus the expansion of
// one configuration into one prewarm stack per region.
//
// Everything here synthesizes without AWS credentials: accounts and regions
// come from props or context, hosted zones are imported by ID and name, the
// CloudFront origin-facing prefix list is resolved at deploy time, and the
// Lambda is bundled by a local `go build` instead of Docker.
package stacks
