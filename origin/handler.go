package origin

import (
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
)

// BodyPrefix starts the body of GET /; the rest is the current time in UTC
// formatted with time.RFC1123, as the seed application answered.
const BodyPrefix = "Current date and time: "

// HealthPath answers load balancer health checks; origin verification and,
// by default, the access log leave it out.
const HealthPath = "/healthz"

// HostIDPath is the prewarm path on which the origin echoes the edge
// server's identity: a viewer-request CloudFront Function on this path's
// cache behavior (infra's sample stack) forwards cf.edgeLocation.serverIp
// in cloudfront.HeaderEdgeServerIP, and the answer carries it back, so
// that a prewarmer (cfprewarm warm --host-id-header, cfprewarm doctor)
// learns which edge server answered from a documented source. Only with
// origin verification on: a request without the secret never gets here,
// and without verification the path answers like / with no echo.
const HostIDPath = "/cfprewarm/host-id"

// MetricsPath is where the metrics are served: on the main listener, or
// on Config.MetricsAddr alone when that is set.
const MetricsPath = "/metrics"

// routes is the handler of a Server: the routes behind origin
// verification (when configured), observed for metrics and the access log,
// with "Connection: close" on every response during the drain.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	// "GET" patterns answer HEAD too; other methods get 405 with Allow.
	mux.HandleFunc("GET /{$}", s.serveTime)
	mux.HandleFunc("GET "+HealthPath, s.serveHealth)
	mux.HandleFunc("GET "+HostIDPath, s.serveHostID)
	if s.cfg.MetricsAddr == "" {
		mux.Handle("GET "+MetricsPath, s.metrics.handler())
	}

	var h http.Handler = mux
	if s.cfg.VerifySecret != "" {
		h = requireSecretHeader(s.cfg.VerifyHeader, s.cfg.VerifySecret, h)
	}
	return s.closeWhileDraining(s.observe(h))
}

// metricsServer serves /metrics alone, for Config.MetricsAddr.
func (s *Server) metricsServer() *http.Server {
	mux := http.NewServeMux()
	mux.Handle("GET "+MetricsPath, s.metrics.handler())
	return &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    s.cfg.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// serveTime answers GET and HEAD /.
func (s *Server) serveTime(w http.ResponseWriter, r *http.Request) {
	body := BodyPrefix + s.cfg.Now().UTC().Format(time.RFC1123)
	writeText(w, r, http.StatusOK, body)
}

// serveHostID answers like /, echoing the edge server address the
// CloudFront Function forwarded when origin verification vouches for the
// request. Only an IP address is echoed, in its canonical form.
func (s *Server) serveHostID(w http.ResponseWriter, r *http.Request) {
	if s.cfg.VerifySecret != "" {
		if ip, err := netip.ParseAddr(strings.TrimSpace(r.Header.Get(cloudfront.HeaderEdgeServerIP))); err == nil {
			w.Header().Set(cloudfront.HeaderEdgeServerIP, ip.String())
		}
	}
	s.serveTime(w, r)
}

// serveHealth answers 200, or 503 once the drain has begun: the load
// balancer then stops sending new connections.
func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		writeText(w, r, http.StatusServiceUnavailable, "draining\n")
		return
	}
	writeText(w, r, http.StatusOK, "ok\n")
}

// writeText sends a small uncacheable text/plain response with its length,
// which a HEAD response carries too.
func writeText(w http.ResponseWriter, r *http.Request, code int, body string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		_, _ = io.WriteString(w, body) // an error is a client gone away
	}
}
