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
	"time"
)

// Server is current-time-app: an http.Server with the origin's routes,
// timeouts, TLS, connection cap, drain and connection accounting. Create it
// with NewServer.
type Server struct {
	cfg     Config
	log     *slog.Logger
	srv     *http.Server
	conns   *connTracker
	codes   codeCounts
	limit   *connLimit
	metrics *metrics
	tls     bool // serve with TLS (http.Server owns the TLSConfig once serving)

	draining    atomic.Bool // the drain period has begun
	started     atomic.Bool
	metricsAddr atomic.Pointer[net.Addr] // where the metrics listener is bound
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
	s := &Server{cfg: cfg, log: logger, conns: newConnTracker(), limit: newConnLimit(cfg.MaxConnections), tls: tlsCfg != nil}
	s.metrics = newMetrics(s)
	s.srv = &http.Server{
		Handler:           s.routes(),
		TLSConfig:         tlsCfg,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    cfg.MaxHeaderBytes,
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
	st := Stats{Requests: s.codes.snapshot(), Draining: s.draining.Load()}
	s.conns.snapshot(&st)
	s.limit.snapshot(&st)
	return st
}

// MetricsAddr is the address of the metrics listener once Serve has
// opened it (Config.MetricsAddr with the port chosen for ":0"), or nil.
func (s *Server) MetricsAddr() net.Addr {
	if a := s.metricsAddr.Load(); a != nil {
		return *a
	}
	return nil
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

// Serve answers requests on ln, with TLS when configured, and /metrics on
// Config.MetricsAddr when that is set, until ctx is done. Then it drains
// for Config.DrainPeriod: /healthz answers 503, ln keeps accepting, every
// response carries "Connection: close" (HTTP/2 connections get GOAWAY),
// and idle keep-alive connections stay open so that a client reusing one
// is answered rather than met by a closed socket. After the drain period
// it shuts down gracefully: it stops accepting, closes the connections
// that are idle, lets in-flight requests finish and returns nil once every
// connection is closed. If that takes longer than ShutdownTimeout, it
// closes the remaining connections and returns an error wrapping
// context.DeadlineExceeded. Serve closes ln and may be called only once.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if !s.started.CompareAndSwap(false, true) {
		ln.Close()
		return errors.New("origin: Serve called more than once")
	}
	var msrv *http.Server
	var mln net.Listener
	if s.cfg.MetricsAddr != "" {
		var err error
		var lc net.ListenConfig
		if mln, err = lc.Listen(ctx, "tcp", s.cfg.MetricsAddr); err != nil {
			ln.Close()
			return fmt.Errorf("origin: metrics listen: %w", err)
		}
		addr := mln.Addr()
		s.metricsAddr.Store(&addr)
		msrv = s.metricsServer()
	}
	errc := make(chan error, 2)
	limited := newListener(ln, s.limit)
	go func() {
		if s.tls {
			errc <- s.srv.ServeTLS(limited, "", "")
		} else {
			errc <- s.srv.Serve(limited)
		}
	}()
	attrs := []any{
		slog.String("addr", ln.Addr().String()),
		slog.Bool("tls", s.tls),
		slog.String("idle_timeout", s.cfg.IdleTimeout.String()),
		slog.String("read_header_timeout", s.cfg.ReadHeaderTimeout.String()),
		slog.String("read_timeout", s.cfg.ReadTimeout.String()),
		slog.String("write_timeout", s.cfg.WriteTimeout.String()),
		slog.String("drain_period", max(s.cfg.DrainPeriod, 0).String()),
		slog.String("shutdown_timeout", s.cfg.ShutdownTimeout.String()),
		slog.Int("max_connections", s.cfg.MaxConnections),
		slog.Int("max_header_bytes", s.cfg.MaxHeaderBytes),
		slog.Bool("origin_verify", s.cfg.VerifySecret != ""),
	}
	if msrv != nil {
		mlimited := newListener(mln, newConnLimit(s.cfg.MetricsMaxConnections))
		go func() { errc <- msrv.Serve(mlimited) }()
		attrs = append(attrs, slog.String("metrics_addr", mln.Addr().String()), slog.Int("metrics_max_connections", s.cfg.MetricsMaxConnections))
	}
	s.log.Info("serving", attrs...)

	select {
	case err := <-errc:
		s.srv.Close()
		if msrv != nil {
			msrv.Close()
		}
		return fmt.Errorf("origin: serve %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}

	if err := s.drain(errc); err != nil {
		s.srv.Close()
		if msrv != nil {
			msrv.Close()
		}
		return fmt.Errorf("origin: serve %s: %w", ln.Addr(), err)
	}

	settled := s.settle(limited)
	st := s.Stats()
	s.log.Info("shutting down", slog.Int("open", st.ConnectionsOpen), slog.Int("idle", st.ConnectionsIdle),
		slog.String("settled", settled))
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ShutdownTimeout)
	defer cancel()
	err := s.srv.Shutdown(shutdown)
	if msrv != nil {
		msrv.Close() // a scrape is not worth waiting for
	}
	if err != nil {
		open := s.Stats().ConnectionsOpen
		s.srv.Close()
		return fmt.Errorf("origin: shutdown: %d connections still open after %v: %w", open, s.cfg.ShutdownTimeout, err)
	}
	st = s.Stats()
	s.log.Info("stopped", slog.Uint64("requests", st.TotalRequests()), slog.Uint64("connections", st.ConnectionsAccepted))
	return nil
}

// settleMax bounds settle; settleGrace is how long no connection may be
// waiting for its first request before the shutdown begins.
const (
	settleMax   = time.Second
	settleGrace = 10 * time.Millisecond
)

// settle readies the shutdown at the end of the drain period so that it
// drops no request: no new connection can complete and every connection
// already completed is accepted (listener.quieten), and every accepted
// connection has sent its request (net/http's Shutdown closes, without an
// answer, a connection whose request it reads after the shutdown began).
// It gives up after settleMax (the connection cap may hold accepting back;
// a client may connect and send nothing).
//
// It returns what it achieved, for the log: "quiet" (both), "listener
// not quiet", "connections waiting for a request" or "requests read"
// (where the listener cannot be quietened).
func (s *Server) settle(ln *listener) string {
	deadline := time.NewTimer(settleMax)
	defer deadline.Stop()
	quiet := ln.quieten()
	if quiet != nil {
		select {
		case <-quiet:
		case <-deadline.C:
			return "listener not quiet"
		}
	}
	for {
		select {
		case <-deadline.C:
			return fmt.Sprintf("%d connections waiting for a request", s.conns.waitingForRequest())
		default:
		}
		if s.conns.waitingForRequest() == 0 {
			time.Sleep(settleGrace)
			if s.conns.waitingForRequest() == 0 {
				if quiet == nil {
					return "requests read"
				}
				return "quiet"
			}
		}
		time.Sleep(time.Millisecond)
	}
}

// drain runs the drain period (see Serve). It returns early with the error
// of a server that stopped serving on its own.
func (s *Server) drain(errc <-chan error) error {
	s.draining.Store(true)
	if s.cfg.DrainPeriod <= 0 {
		return nil
	}
	st := s.Stats()
	s.log.Info("draining", slog.String("drain_period", s.cfg.DrainPeriod.String()),
		slog.Int("open", st.ConnectionsOpen), slog.Int("idle", st.ConnectionsIdle))
	t := time.NewTimer(s.cfg.DrainPeriod)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case err := <-errc:
		return err
	}
}

// closeWhileDraining makes every response sent during the drain period
// ask the client to close the connection: net/http closes an HTTP/1.1
// connection after such a response, and an HTTP/2 connection gets GOAWAY.
func (s *Server) closeWhileDraining(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.draining.Load() {
			w.Header().Set("Connection", "close")
		}
		next.ServeHTTP(w, r)
	})
}
