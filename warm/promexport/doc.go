// Package promexport exposes the prewarm daemon (cfprewarm warm --every)
// to Prometheus and to a container platform's health checks: /metrics in
// the Prometheus text format (prometheus/client_golang) and /healthz, which
// answers 503 when no wave succeeded within a window.
//
// It is fed, like the reporters of warm/format, with each warm.Result after
// its run (Exporter.Observe); it never measures. Per target POP it counts
// requests, errors by kind (cloudfront.ErrorKind) and the origin state of
// the answers, and keeps the last wave's origin-cold ratio, edge hosts seen
// and estimated, the POP's time in the wave and when the POP last
// succeeded; for the daemon as a whole, the wave durations, the waves that
// succeeded and failed, and the time of the last successful wave.
//
// A POP succeeds in a wave when at least one of its requests got an answer
// (not a failure, so not a 5xx) from that POP itself; a wave succeeds when
// every one of its POPs (and client subnets) did. Serve answers on a
// listener with a small connection cap and bounded reads and writes, so a
// scraper or a port scan cannot exhaust the daemon.
package promexport
