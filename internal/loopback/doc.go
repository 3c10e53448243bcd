// Package loopback builds a CloudFront on one machine: a CA, the origin
// (package origin's current-time-app with a certificate from that CA),
// emulated POPs (package edge) on 127.0.0.x addresses that all listen on one
// port, as real POPs all listen on 443, and a DNS server answering
// <dist>.<POP>.cloudfront.net and any extra names with those addresses.
//
// It is the one environment both the lab and the tests run against: Start
// takes a Config (links, edge hosts, keep-alive, seed: what the lab varies),
// New is the test helper (a CloudFront for a test, stopped when the test
// ends; zero latency and one edge host per POP unless a spec says otherwise).
// Each POP is described by a POPSpec (its own edge host count, if it
// differs), which can also make it fail: a name
// that does not resolve, connections refused, a certificate for another
// name, a slow POP, one answering as another POP or with an error status.
//
// Config.Subnets makes the DNS server answer by EDNS Client Subnet: viewers
// from a subnet get the addresses of its POP.
//
// Everything listens on loopback only, TLS is verified against the CA (its
// PEM file is CloudFront.CAFile), and clients find the POPs through the DNS
// server at CloudFront.DNSAddr, never the system resolver.
//
// Subpackages are the parts: edge (the POP emulator), link (latency),
// dnsserver and labca.
package loopback
