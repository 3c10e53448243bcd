// Package lab runs the whole cfprewarm system on one machine, on loopback,
// with no AWS account: the real origin (package origin) serving TLS with a
// lab CA, emulated CloudFront POPs (internal/loopback/edge) with per-host
// origin pools and keep-alive expiry, user-space latency links
// (internal/loopback/link), a DNS server for *.cloudfront.net
// (internal/loopback/dnsserver), the real probe as the viewer and the real
// prewarm engine (package warm).
//
// A Profile fixes the geography (viewer↔POP and POP↔origin round-trip times);
// a Scenario fixes the CloudFront and origin settings and whether prewarming
// runs. Run runs scenarios and returns a report.Report; Start brings up one
// environment and keeps it running (cfprewarm lab serve); RunTraffic sends
// viewer traffic to its POPs, which write CloudFront access logs (cfprewarm
// lab traffic). The environment is internal/loopback's CloudFront, which
// brings up the origin, the POPs and the DNS server together.
//
// Time scaling: every timeout and interval (keep-alive, origin idle timeout,
// probe spacing, prewarm cadence) is divided by the time scale K, never the
// round-trip times, so that a 30-minute experiment runs in under a minute
// while each request still costs what it costs on the real network.
package lab
