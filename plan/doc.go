// Package plan turns a distribution's traffic into a prewarm plan: which
// POPs to warm, with how many requests per wave, on which schedule, from
// which AWS region, at what monthly cost, and how much viewer waiting it
// removes (docs/plan.md has the model, its derivation and its limits).
//
// Its input is Counts: per POP, the requests of every second and their
// time-to-first-byte, read from access logs (FromLogs, through package
// accesslog) or from a per-second counts file such as an Athena query
// produces (ReadCounts). Make applies the model (a POP of H edge hosts,
// each keeping its origin connection K seconds after its last request) in
// three cases, today's keep-alive, the target keep-alive alone, and the
// target keep-alive with prewarming, estimates each POP's cold penalty from
// its own time-to-first-byte, picks the POPs worth warming and prices the
// plan beside the seed's and today's default schedules. It never formats:
// plan/format has the reporters.
package plan
