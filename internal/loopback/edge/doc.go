// Package edge emulates a CloudFront POP for the lab, with caching off.
//
// A POP serves viewers over TLS (HTTP/1.1 and HTTP/2) on one listener. Each
// accepted viewer connection is assigned at random (seeded) to one of
// Config.Hosts edge hosts, and every request on it is proxied to the origin
// by that host. Each host keeps its own pool of HTTP/1.1-over-TLS connections
// to the origin, closed after the origin keep-alive timeout (CloudFront's
// default is 5 s): a viewer that lands on a host with an open pooled
// connection is served warm, any other pays a new TCP connect and TLS
// handshake to the origin. This is what makes infrequent dynamic traffic slow
// and what prewarming fixes.
//
// Requests are forwarded like CloudFront's AllViewerExceptHostHeader origin
// request policy: method, path, query, body and viewer headers except Host
// and hop-by-hop headers; Host is the origin domain, whose certificate is
// verified against Config.OriginRoots. CloudFront adds X-Amz-Cf-Id, Via and
// X-Forwarded-For, and so does the emulator. If the origin closed a pooled
// connection first (origin idle timeout shorter than the edge keep-alive), a
// GET or HEAD sent on it is retried on a new connection, and the cost shows
// in the timings; other methods fail with 502.
//
// Responses carry x-amz-cf-pop, x-amz-cf-id, x-cache, via and, for requests
// with "Pragma: server-timing" or as sampled by Config.ServerTimingSampleRate,
// a Server-Timing header in CloudFront's format:
//
//	cdn-upstream-layer;desc="EDGE",cdn-upstream-dns;dur=0,cdn-upstream-connect;dur=0,
//	cdn-upstream-fbl;dur=191,cdn-cache-miss,cdn-pop;desc="HKG62-C1",cdn-rid;desc="<id>",
//	cdn-downstream-fbl;dur=193
//
// cdn-upstream-connect is 0 when the host reused a pooled origin connection
// and otherwise the measured origin TCP connect plus TLS handshake in
// milliseconds (at least 1). cdn-upstream-dns is always 0: the emulator dials
// Config.OriginAddr directly.
//
// Header names and values, request ids and the Server-Timing format come
// from package cloudfront (Via, NewRequestID, FormatServerTiming, ...), the
// vocabulary its clients read them with.
//
// Latency comes from package link: Config.OriginLink on the hosts' origin
// connections (client side), Config.ViewerLink on the viewer listener
// (server side; viewers dial with that link's ConnectDial). POP.Stats
// counts viewer connections, TLS handshakes, requests (also per listen
// address) and origin connections per host; Config.OnRequest sees every
// request as it arrives.
//
// Config.Faults make a POP fail the way real ones do, for tests of the
// clients that must cope: refuse connections, hold every request (a slow
// POP), answer as another POP, answer every request with an error of its
// own (x-cache "Error from cloudfront") without contacting the origin, or
// name a new id in every via instead of the edge host's (ids per request,
// which a prewarmer cannot count hosts by). A
// POP with a certificate for another name is one given that certificate as
// Config.Cert.
//
// Config.Field picks among the alternatives CloudFront does not document,
// so that the tools which must not depend on them are tested against each:
// several addresses per POP with hosts shared or split per address, what
// the via id names (per host, per request, constant, per address, per
// connection, chained), the origin pool policy (a waiting request may take
// a connection another frees, or a new connection whenever none is idle),
// the upstream layer and the Origin Shield role, and the header a
// CloudFront Function forwarding cf.edgeLocation.serverIp would add
// (docs/doctor.md, "The lab").
//
// See docs/lab-model.md for what is modelled and what is not.
package edge
