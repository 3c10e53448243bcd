// Package warm is the prewarm engine: it keeps CloudFront POPs' connections
// to the origin open by sending each POP a burst of small requests, wave
// after wave, and measures how well the previous wave did.
//
// A wave resolves <dist-label>.<POP>.cloudfront.net for every POP
// concurrently (A and AAAA), spreads the POP's requests over all of its
// addresses, and sends each request with package probe on a new viewer
// connection with SNI and Host set to the distribution or custom domain and
// "Pragma: server-timing", so CloudFront says in cdn-upstream-connect whether
// the request found a warm origin connection. The share of requests that did
// not (the origin-cold ratio) is the direct measure of how well the previous
// wave covered the POP.
//
// Each POP's requests are sized per wave (sizing.go): a fixed number, or
// with Config.Auto the fewest that reach Config.Coverage of the POP's edge
// hosts, counted from the edge host ids of the answers (package edgehosts),
// optionally adapted from the cold ratio the waves find. A State keeps what
// the waves learned, in two parts: the host model per POP (ids, estimate,
// adaptive factor; a wave's sizing is planned from it and what the wave
// observed is returned from it) and the TLS session store (a cache per
// address). It can be shared across Runners. Requests
// resume TLS 1.2 sessions per address (probers.go): each is still a new
// connection, so still lands on a random edge host. A client subnet
// (Config.ClientSubnets) is a target found by EDNS Client Subnet.
//
// The package owns the configuration and its validation (Config), the run
// and its pacing (Run, Runner, on package pace), the sizing and the typed results:
// Result (a run), Wave, POPResult, Record (one request: the probe's Result
// plus its POP, wave and address) and Stats (the probe's Summary, from one
// probe.Tally, plus planned and unfinished counts). It never formats: the
// reporters (table, JSON, CloudWatch EMF) are in warm/format.
//
// Safety limits hold for every run: at most Waves × len(POPs) ×
// RequestsPerPOP requests, at most Concurrency in flight, each bounded by
// Timeout, and the whole run bounded by the context's deadline.
package warm
