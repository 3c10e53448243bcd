package edge

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/cfprewarm/cfprewarm/pace"
)

// Viewer-side server timeouts. They are not part of the model; they only
// keep a stuck viewer from holding a connection forever.
const (
	viewerHeaderTimeout = 30 * time.Second
	viewerIdleTimeout   = 60 * time.Second
)

// POP is one emulated CloudFront POP. Create it with New, run it with Serve.
type POP struct {
	cfg   Config
	log   *slog.Logger
	hosts []*host
	srv   *http.Server

	mu     sync.Mutex // guards rng and byAddr
	rng    *rand.Rand
	byAddr map[string]int64 // local IP address → requests

	constantID string // the id of every via with Field.Via ViaConstant
}

// New checks cfg and builds the POP and its hosts. Nothing listens yet.
func New(cfg Config) (*POP, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	h := fnv.New64a()
	h.Write([]byte(cfg.POP))
	p := &POP{
		cfg:    cfg,
		log:    cfg.Logger.With("pop", cfg.POP),
		rng:    rand.New(rand.NewPCG(cfg.Seed, h.Sum64())),
		byAddr: map[string]int64{},
	}
	for i := range cfg.Hosts {
		p.hosts = append(p.hosts, newHost(p, i, p.hostID()))
	}
	p.constantID = hashID(cfg.POP, "constant", "")
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	protocols.SetHTTP2(true)
	p.srv = &http.Server{
		Handler: http.HandlerFunc(p.serveHTTP),
		TLSConfig: &tls.Config{
			Certificates:       []tls.Certificate{cfg.Cert},
			MinVersion:         tls.VersionTLS12,
			GetConfigForClient: p.helloReceived,
		},
		Protocols:         protocols,
		ConnContext:       p.assign,
		ReadHeaderTimeout: viewerHeaderTimeout,
		IdleTimeout:       viewerIdleTimeout,
		// Viewers that hang up mid-handshake are normal (probes, warmers):
		// their errors are debug noise.
		ErrorLog: slog.NewLogLogger(p.log.Handler(), slog.LevelDebug),
	}
	return p, nil
}

// Name returns the POP code, e.g. "HKG62-C1".
func (p *POP) Name() string { return p.cfg.POP }

// Serve accepts viewer connections on ln (wrapped with Config.ViewerLink)
// until ctx is done or Close is called, then returns nil. It may be called
// for several listeners. A POP with Faults.Refuse closes ln and returns at
// once.
func (p *POP) Serve(ctx context.Context, ln net.Listener) error {
	if p.cfg.Faults.Refuse {
		if err := ln.Close(); err != nil {
			return fmt.Errorf("edge: %s: close listener: %w", p.cfg.POP, err)
		}
		return nil
	}
	stop := context.AfterFunc(ctx, func() { p.Close() })
	defer stop()
	err := p.srv.ServeTLS(p.cfg.ViewerLink.WrapListener(ln), "", "")
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("edge: %s: serve: %w", p.cfg.POP, err)
}

// Close stops serving, closes viewer connections and every host's idle
// origin connections.
func (p *POP) Close() error {
	err := p.srv.Close()
	for _, h := range p.hosts {
		h.closeIdle()
	}
	if err != nil {
		return fmt.Errorf("edge: %s: close: %w", p.cfg.POP, err)
	}
	return nil
}

type hostKey struct{}

// assign picks the host of a new viewer connection (http.Server.ConnContext):
// any host, or with Field.Split one behind the address connected to.
func (p *POP) assign(ctx context.Context, c net.Conn) context.Context {
	h := p.hosts[p.pickFor(c.LocalAddr())]
	h.counters.viewerConns.Add(1)
	return context.WithValue(ctx, hostKey{}, h)
}

// pickFor draws the host of a connection to local: uniformly among all
// hosts, or with Field.Split among those of the address (i mod A).
func (p *POP) pickFor(local net.Addr) int {
	f := p.cfg.Field
	a := -1
	if ta, ok := local.(*net.TCPAddr); ok && f.Split {
		ip, _ := netip.AddrFromSlice(ta.IP)
		a = f.addrIndex(ip)
	}
	if a < 0 {
		return p.pick()
	}
	n := len(f.Addrs)
	mine := (len(p.hosts) - a + n - 1) / n // hosts a, a+n, a+2n, ...
	p.mu.Lock()
	defer p.mu.Unlock()
	return a + n*p.rng.IntN(mine)
}

// helloReceived counts a TLS handshake begun, on the connection's host
// (tls.Config.GetConfigForClient: called for every ClientHello, resumed
// sessions too), and spends the POP's Config.TLSTime before the handshake
// goes on.
func (p *POP) helloReceived(hello *tls.ClientHelloInfo) (*tls.Config, error) {
	if h, ok := hello.Context().Value(hostKey{}).(*host); ok {
		h.counters.handshakes.Add(1)
	}
	if d := p.cfg.TLSTime; d > 0 && !pace.Sleep(hello.Context(), d) {
		return nil, hello.Context().Err()
	}
	return nil, nil
}

// countAddr counts a request on the local address it came to.
func (p *POP) countAddr(r *http.Request) {
	a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return
	}
	ip := a.String()
	if host, _, err := net.SplitHostPort(ip); err == nil {
		ip = host
	}
	p.mu.Lock()
	p.byAddr[ip]++
	p.mu.Unlock()
}

// answerAs is the POP code the responses name.
func (p *POP) answerAs() string {
	if p.cfg.Faults.AnswerAs != "" {
		return p.cfg.Faults.AnswerAs
	}
	return p.cfg.POP
}

// pick draws a host index, uniformly.
func (p *POP) pick() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rng.IntN(len(p.hosts))
}

// sampled reports whether a request that did not ask gets Server-Timing.
func (p *POP) sampled() bool {
	rate := p.cfg.ServerTimingSampleRate
	if rate <= 0 {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rng.Float64()*100 < rate
}

// hostID draws the 32 hex digits that name a host in the via header.
func (p *POP) hostID() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return fmt.Sprintf("%016x%016x", p.rng.Uint64(), p.rng.Uint64())
}

// serveHTTP hands the request to the connection's host.
func (p *POP) serveHTTP(w http.ResponseWriter, r *http.Request) {
	h, ok := r.Context().Value(hostKey{}).(*host)
	if !ok {
		// Not through Serve (a test calling the handler directly).
		h = p.hosts[p.pick()]
	}
	h.serveHTTP(w, r)
}
