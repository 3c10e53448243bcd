// Package plan turns a distribution's traffic into a prewarm plan: which
// POPs to warm, with how many requests per wave, on which schedule, from
// which AWS region, at what monthly cost, and how much viewer waiting it
// removes (docs/plan.md has the model, its derivation and its limits).
//
// Run(ctx, Input, Config) is the planner. The Input is the traffic and
// the target: access logs (read with package accesslog into Counts, per
// POP the requests of every second and their time-to-first-byte), a
// per-second counts file such as an Athena query produces (ReadCounts), or
// Counts already made; and the distribution, Host and path the prewarm
// requests ask for (names left empty come from the logs). The Config starts
// from DefaultConfig. The plan is made in steps, each a function of the
// ones before it (docs/architecture.md lists them): the model of every POP
// (a POP of H edge hosts, each keeping its origin connection K seconds
// after its last request, applied with today's keep-alive and the target
// keep-alive alone; the cold penalty fitted from the POP's own
// time-to-first-byte), the selection with its Lambdas, one per region, each
// on the cheapest option that keeps every POP within the target cold share,
// judged by value for money (seconds of waiting removed per dollar) with
// every POP's reason in words, and the same POPs under every option
// (compare: the aligned Lambda with one or two waves per keep-alive, the
// waves Lambda, the daemon, at the target keep-alive and at 180 s, and the
// seed). Every cost is the whole monthly bill (Cost: CloudFront requests
// and responses, Lambda invocations and GB-seconds waits included,
// Scheduler or rule, CloudWatch metrics at the metric level, alarms,
// dashboards, logs) from one function (group, with price for a POP's own
// lines and Prices.bill for the charges); every schedule number comes from
// package schedule. It never formats: plan/format has the reporters.
package plan
