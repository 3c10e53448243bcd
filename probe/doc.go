// Package probe times single HTTPS requests phase by phase, the way curl's
// -w timings do, and reads what CloudFront says about them.
//
// Every probe opens a new TCP and TLS connection unless Config.Reuse is set.
// The dial is done by the probe itself (resolve, TCP connect, TLS handshake),
// so the phase boundaries are measured directly rather than reconstructed
// from net/http/httptrace hooks, which miss DNS when dialing an IP, fire
// several ConnectStart under Happy Eyeballs and report HTTP/2 differently.
//
// From the response it reads CloudFront's headers and Server-Timing with
// package cloudfront: cdn-upstream-connect with dur=0 means the POP reused a
// connection to the origin (cloudfront.OriginWarm), dur>0 that it opened a
// new one (OriginCold); without the metric the state is OriginUnknown.
//
// Config.TLS (TLSTuning) makes new connections cheap for the prewarm
// engine: a TLS session cache to resume from, a version cap (TLS 1.2, with a
// fallback to TLS 1.3 for servers that speak nothing else) and the key
// exchanges offered. A probe on a new HTTP/1.1 connection is written and
// read directly on its connection (direct.go), without net/http's
// transport. An Option changes one probe: AfterHandshake calls back once
// the probe's TLS 1.2 session is stored, so that the prewarm engine can
// start the requests that resume it. LookupSubnet resolves a name with
// EDNS Client Subnet.
//
// A Result is the one record of a request in the project: the prewarm
// engine's records embed it. Run sends a paced series (package pace); a
// Tally (or Summarize) turns results into a Summary, for probe series and
// prewarm waves alike. The package never formats output: the reporters are
// in probe/format.
package probe
