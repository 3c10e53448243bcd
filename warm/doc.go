// Package warm is the prewarm engine: it keeps CloudFront POPs' connections
// to the origin open by sending each POP a burst of small requests, wave
// after wave, and measures how well the previous wave did.
//
// A wave resolves <dist-label>.<POP>.cloudfront.net for every POP
// concurrently (A and AAAA), spreads the POP's requests over all of its
// addresses, and sends each request on a new viewer connection with SNI and
// Host set to the distribution or custom domain and "Pragma: server-timing",
// so CloudFront says in cdn-upstream-connect whether the request found a warm
// origin connection. The share of requests that did not (the origin-cold
// ratio) is the direct measure of how well the previous wave covered the POP.
//
// The package owns the configuration and its validation (Config), the run
// and its pacing (Run, Runner), the typed results (Result, Wave, POPResult,
// Stats, Request) and the reporters that format them: a table for people
// (WriteTable), JSON (WriteJSON) and CloudWatch Embedded Metric Format lines
// (WriteEMF). The engine never formats; the reporters never measure. The
// requests themselves are sent by package probe.
//
// Safety limits hold for every run: at most Waves × len(POPs) ×
// RequestsPerPOP requests, at most Concurrency in flight, each bounded by
// Timeout, and the whole run bounded by the context's deadline.
package warm
