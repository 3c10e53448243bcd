// Package origin is current-time-app, the sample CloudFront origin: its HTTP
// handler, its server and the connection metrics that show whether
// prewarming works.
//
// It owns:
//   - the routes: GET/HEAD / answers "Current date and time: <RFC1123 UTC>"
//     (compatible with the seed application), /healthz answers load balancer
//     health checks, /metrics exposes counters in Prometheus text format;
//   - the origin-verify check: with a secret configured, requests without the
//     matching header get 403 (constant-time comparison; /healthz stays open);
//   - the server: keep-alive (idle), read-header, write and shutdown timeouts,
//     optional TLS 1.2+ with HTTP/2, and graceful shutdown that finishes
//     every accepted request;
//   - connection accounting through http.Server's ConnContext and ConnState
//     hooks: connection ids, connections accepted/open/idle, TLS handshakes
//     completed and requests that arrived on a reused connection;
//   - the access log, one log/slog record per request.
//
// Configuration is a validated Config; Config.Validate also enforces the
// timeout order that keeps connections alive end to end:
//
//	CloudFront origin keep-alive < origin idle timeout < load balancer idle timeout
//
// The package never reads flags or the environment: cmd/current-time-app
// maps those onto a Config, and the lab builds one in process.
package origin
