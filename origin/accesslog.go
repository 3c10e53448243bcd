package origin

import (
	"log/slog"
	"net/http"
	"time"
)

// observe wraps next: it counts every request by status code, records its
// duration, marks requests on reused connections, and writes the access
// log record.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ci := connFromContext(r.Context())
		reused := s.conns.requestStarted(ci)

		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		took := time.Since(start)
		code := rec.code()
		s.codes.add(code)
		s.metrics.observe(r, took)

		if r.URL.Path == HealthPath && !s.cfg.LogHealthChecks {
			return
		}
		if !s.log.Enabled(r.Context(), slog.LevelInfo) {
			return
		}
		var id uint64
		if ci != nil {
			id = ci.id
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", code),
			slog.Float64("duration_ms", float64(took.Microseconds())/1000),
			slog.String("remote", r.RemoteAddr),
			slog.Uint64("conn", id),
			slog.Bool("reused", reused),
			slog.String("proto", r.Proto),
		)
	})
}

// statusRecorder remembers the status code a handler sent.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 && code >= 200 { // 1xx responses are not final
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// code is the status sent, 200 when the handler wrote nothing.
func (r *statusRecorder) code() int {
	if r.status == 0 {
		return http.StatusOK
	}
	return r.status
}
