// Package cloudfront is the project's vocabulary for Amazon CloudFront: the
// one place that knows what CloudFront's names, headers and metrics look
// like, so that the probe, the prewarm engine, the lab's POP emulator and the
// origin all read and write them the same way.
//
// It owns:
//   - POP codes in every form CloudFront has written (HKG54-C1, SIN2-P11,
//     PVG52-E1, the older FRA2; POPCodeRule), their case normalized in one
//     place (NormalizePOPCode), and the per-POP DNS name
//     <dist-label>.<POP>.cloudfront.net (POPHostname);
//   - the response headers CloudFront adds (x-amz-cf-id, x-amz-cf-pop,
//     x-cache, via) and the edge host id inside via: the last CloudFront
//     entry of all via lines, unknown when longer than MaxEdgeHostIDLen;
//   - the Server-Timing header: parsing (ParseServerTiming) and formatting
//     (FormatServerTiming), the cdn-* metric names, and what
//     cdn-upstream-connect says about the POP's origin connection
//     (OriginConn: warm, cold or unknown);
//   - the kinds a failed request is counted by (ErrorKind);
//   - the syntax checks every configuration uses: RFC 9110 tokens (header
//     names), header values, DNS host names.
//
// It does no I/O and depends on nothing but the standard library. Its facts
// come from the CloudFront Developer Guide (response headers policies and
// the Server-Timing header, custom origins' request and response behavior);
// the per-POP DNS names are community practice AWS does not document.
package cloudfront
