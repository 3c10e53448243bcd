// Package doctor measures, on the user's own distribution, what the
// prewarm model assumes and CloudFront does not document
// (shared/reference/cloudfront-facts.md, "What nobody has documented"):
// whether CloudFront answers and with Server-Timing, the upstream layer
// (EDGE, REC, Origin Shield); per POP the DNS answers (how many
// addresses, TTL, stable or not), what the via ids name (edgehosts.Judge:
// per host, per request, constant, per address, per connection, chained),
// the host count per address and pooled and whether hosts are shared by
// the addresses or split among them, and, with a host identity header,
// whether the via id names the edge server; the effective origin
// keep-alive (a bounded search of warm-up, wait, burst); the cold penalty
// and the origin round trip it implies; with the origin's own URL, its
// idle timeout and the timeout order (the origin closing before
// CloudFront's keep-alive, found from outside).
//
// Every request is billed, so a run has a plan (PlanOf: the most requests
// it may send, known before the first) and a budget it must fit; the
// sender never sends beyond the plan. Each step is a small function over
// the run's sender; a run stopped by its context returns what it knew.
// The report writes the hosts file (Report.HostsFile, edgehosts schema 2)
// that `cfprewarm plan --hosts-file` and `warm --hosts-file` read, with
// the measured host counts and keep-alive. Reporters are in doctor/format;
// docs/doctor.md says what each check costs and how to read it.
package doctor
