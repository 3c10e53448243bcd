package origin

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
)

// Server is current-time-app: an http.Server with the origin's routes,
// timeouts, TLS and connection accounting. Create it with NewServer.
type Server struct {
	cfg   Config
	log   *slog.Logger
	srv   *http.Server
	conns *connTracker
	codes codeCounts
	tls   bool // serve with TLS (http.Server owns the TLSConfig once serving)

	started atomic.Bool
}

// NewServer validates cfg, loads the TLS key pair when files are given and
// returns a Server ready to Serve. A nil logger discards every log record,
// the access log included.
func NewServer(cfg Config, logger *slog.Logger) (*Server, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("origin: %w", err)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	tlsCfg, err := serverTLS(cfg)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: logger, conns: newConnTracker(), tls: tlsCfg != nil}
	s.srv = &http.Server{
		Handler:           s.routes(),
		TLSConfig:         tlsCfg,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		ConnContext:       s.conns.connContext,
		ConnState:         s.conns.connState,
		// TLS handshake failures and protocol errors from clients.
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	return s, nil
}

// serverTLS returns the TLS configuration to serve with, or nil for
// plain HTTP.
func serverTLS(cfg Config) (*tls.Config, error) {
	var tc *tls.Config
	switch {
	case cfg.TLSConfig != nil:
		tc = cfg.TLSConfig.Clone()
	case cfg.CertFile != "":
		cert, err := tls.LoadX509KeyPair(cfg.CertFile, cfg.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("origin: load TLS key pair: %w", err)
		}
		tc = &tls.Config{Certificates: []tls.Certificate{cert}}
	default:
		return nil, nil
	}
	tc.MinVersion = max(tc.MinVersion, tls.VersionTLS12)
	return tc, nil
}

// Handler returns the server's handler (routes, origin verification,
// metrics and access log). Mounted in another http.Server it works, but
// connection ids and reuse are only known to requests that come through
// Serve.
func (s *Server) Handler() http.Handler { return s.srv.Handler }

// Stats returns a snapshot of the counters /metrics reports.
func (s *Server) Stats() Stats {
	st := Stats{Requests: s.codes.snapshot()}
	s.conns.snapshot(&st)
	return st
}

// ListenAndServe listens on Config.Addr (TCP) and calls Serve.
func (s *Server) ListenAndServe(ctx context.Context) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("origin: listen: %w", err)
	}
	return s.Serve(ctx, ln)
}

// Serve answers requests on ln, with TLS when configured, until ctx is done;
// then it shuts down gracefully: it stops accepting, closes idle keep-alive
// connections, lets in-flight requests finish (HTTP/1.1 responses carry
// "Connection: close", HTTP/2 connections get GOAWAY) and returns nil once
// every connection is closed. If that takes longer than ShutdownTimeout, it
// closes the remaining connections and returns an error wrapping
// context.DeadlineExceeded. Serve closes ln and may be called only once.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if !s.started.CompareAndSwap(false, true) {
		ln.Close()
		return errors.New("origin: Serve called more than once")
	}
	errc := make(chan error, 1)
	go func() {
		if s.tls {
			errc <- s.srv.ServeTLS(ln, "", "")
		} else {
			errc <- s.srv.Serve(ln)
		}
	}()
	s.log.Info("serving",
		slog.String("addr", ln.Addr().String()),
		slog.Bool("tls", s.tls),
		slog.String("idle_timeout", s.cfg.IdleTimeout.String()),
		slog.String("read_header_timeout", s.cfg.ReadHeaderTimeout.String()),
		slog.String("write_timeout", s.cfg.WriteTimeout.String()),
		slog.String("shutdown_timeout", s.cfg.ShutdownTimeout.String()),
		slog.Bool("origin_verify", s.cfg.VerifySecret != ""),
	)

	select {
	case err := <-errc:
		return fmt.Errorf("origin: serve %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}

	st := s.Stats()
	s.log.Info("shutting down", slog.Int("open", st.ConnectionsOpen), slog.Int("idle", st.ConnectionsIdle))
	drain, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ShutdownTimeout)
	defer cancel()
	err := s.srv.Shutdown(drain)
	<-errc // http.ErrServerClosed, now that Shutdown has begun
	if err != nil {
		open := s.Stats().ConnectionsOpen
		s.srv.Close()
		return fmt.Errorf("origin: shutdown: %d connections still open after %v: %w", open, s.cfg.ShutdownTimeout, err)
	}
	s.log.Info("stopped", slog.Uint64("requests", s.Stats().TotalRequests()))
	return nil
}
