package promexport

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/net/netutil"
)

// Paths the exporter answers.
const (
	MetricsPath = "/metrics"
	HealthPath  = "/healthz"
)

// MaxConns caps the connections Serve keeps open: a Prometheus server or
// two, the platform's health checks and someone with curl. Beyond it new
// connections wait in the kernel's accept queue until one closes.
const MaxConns = 8

// Timeouts of Serve's connections: a client that sends its request slowly,
// reads slowly or keeps an idle connection frees its slot after them.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 60 * time.Second
	maxHeaderBytes    = 8 << 10
)

// Handler answers GET (and HEAD) /metrics and /healthz; everything else is
// 404 (or 405 for another method).
func (e *Exporter) Handler() http.Handler {
	metrics := promhttp.HandlerFor(e.reg, promhttp.HandlerOpts{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+MetricsPath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		metrics.ServeHTTP(w, r)
	})
	mux.HandleFunc("GET "+HealthPath, e.serveHealth)
	return mux
}

// Serve answers Handler on ln, with at most MaxConns connections open,
// until ctx ends; then it closes ln and every connection (a scrape is not
// worth waiting for) and returns nil. It returns the error that stopped it
// otherwise.
func (e *Exporter) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           e.Handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
	}
	stop := context.AfterFunc(ctx, func() { srv.Close() })
	defer stop()
	err := srv.Serve(netutil.LimitListener(ln, MaxConns))
	if errors.Is(err, http.ErrServerClosed) && ctx.Err() != nil {
		return nil
	}
	return err
}
