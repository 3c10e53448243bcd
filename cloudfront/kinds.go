package cloudfront

// ErrorKind classifies a failed request for counting. The kinds are the same
// for a viewer probe and a prewarm request, and appear in JSON, CSV, tables
// and metrics.
type ErrorKind string

const (
	KindNone     ErrorKind = ""
	KindDNS      ErrorKind = "dns"      // the name did not resolve
	KindRefused  ErrorKind = "refused"  // connection refused
	KindTimeout  ErrorKind = "timeout"  // the request's time limit or the caller's deadline passed
	KindTLS      ErrorKind = "tls"      // handshake or certificate verification failed
	KindCanceled ErrorKind = "canceled" // the caller canceled (Ctrl-C)
	KindProtocol ErrorKind = "protocol" // malformed or oversized response, reset, EOF
	KindOther    ErrorKind = "other"
	// KindStatus5xx is a response with status 500 or more: CloudFront could
	// not get an answer from the origin, so the request warmed nothing. Only
	// the prewarm engine counts it as a failure.
	KindStatus5xx ErrorKind = "status_5xx"
)
