package origin

import (
	"io"
	"net/http"
	"strconv"
	"time"
)

// BodyPrefix starts the body of GET /; the rest is the current time in UTC
// formatted with time.RFC1123, as the seed application answered.
const BodyPrefix = "Current date and time: "

// HealthPath answers load balancer health checks; origin verification and,
// by default, the access log leave it out.
const HealthPath = "/healthz"

// routes is the handler of a Server: the three routes behind origin
// verification (when configured), observed for metrics and the access log.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	// "GET" patterns answer HEAD too; other methods get 405 with Allow.
	mux.HandleFunc("GET /{$}", s.serveTime)
	mux.HandleFunc("GET "+HealthPath, serveHealth)
	mux.HandleFunc("GET /metrics", s.serveMetrics)

	var h http.Handler = mux
	if s.cfg.VerifySecret != "" {
		h = requireSecretHeader(s.cfg.VerifyHeader, s.cfg.VerifySecret, h)
	}
	return s.observe(h)
}

// serveTime answers GET and HEAD /.
func (s *Server) serveTime(w http.ResponseWriter, r *http.Request) {
	body := BodyPrefix + s.cfg.Now().UTC().Format(time.RFC1123)
	writeText(w, r, http.StatusOK, body)
}

func serveHealth(w http.ResponseWriter, r *http.Request) {
	writeText(w, r, http.StatusOK, "ok\n")
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	if r.Method == http.MethodHead {
		return
	}
	// An error here is a client gone away; nothing to answer to.
	_ = WriteMetrics(w, s.Stats())
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
