package loopback

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/internal/config"
	"github.com/cfprewarm/cfprewarm/internal/loopback/dnsserver"
	"github.com/cfprewarm/cfprewarm/internal/loopback/edge"
	"github.com/cfprewarm/cfprewarm/internal/loopback/labca"
	"github.com/cfprewarm/cfprewarm/internal/loopback/link"
	"github.com/cfprewarm/cfprewarm/origin"
)

// DefaultOriginHost is the origin's domain when Config.OriginHost is empty.
const DefaultOriginHost = "origin.example.com"

// originShutdown bounds the origin's graceful shutdown on Close.
const originShutdown = time.Second

// Config describes a loopback CloudFront. Zero fields take the defaults
// noted; durations are as the servers use them.
type Config struct {
	// Distribution is the distribution domain, dXXXX.cloudfront.net.
	Distribution string
	// Host is a custom domain of the distribution (optional). The POPs'
	// certificate is for *.cloudfront.net, Distribution, Host and the
	// Aliases.
	Host string
	// POPs are the POPs, in order; addresses and seeds follow this order.
	POPs []POPSpec
	// Aliases are more names the DNS server answers: name → the code of the
	// POP whose addresses it resolves to (the distribution domain or the
	// custom host, which in real life resolve to the viewer's POP).
	Aliases map[string]string
	// Port is the port every POP listens on; 0 picks a free one.
	Port int

	// Hosts is the number of edge hosts per POP whose spec has none; 0
	// means 1.
	Hosts int
	// Subnets is the DNS server's client-subnet table: client subnet
	// (CIDR) → POP code. A query for the distribution domain or an alias
	// that carries EDNS Client Subnet from inside one of these networks is
	// answered with that POP's addresses (the most specific network wins),
	// as CloudFront's DNS sends viewers to the POP that serves them.
	Subnets map[string]string
	// KeepAlive is the origin keep-alive timeout of the POPs whose spec
	// has none; 0 means CloudFront's default, edge.DefaultKeepAlive.
	KeepAlive time.Duration
	// ViewerLink and OriginLink are the viewer↔POP and POP↔origin
	// latencies; the zero Link adds none.
	ViewerLink, OriginLink link.Link
	// EdgeTLSTime is each POP's own time for a viewer TLS handshake
	// (edge.Config.TLSTime); 0 adds none.
	EdgeTLSTime time.Duration
	// Seed seeds the POPs' host assignment: POP i gets Seed+i.
	Seed uint64

	// OriginHost is the origin's domain; empty means DefaultOriginHost.
	OriginHost string
	// OriginIdle is the origin server's idle timeout; 0 means the
	// origin's default (origin.DefaultIdleTimeout). It also bounds a new
	// connection's wait for its first request (as a load balancer's idle
	// timeout does; net/http's IdleTimeout alone would leave a connection
	// an edge host dialed but did not use open for the read-header
	// timeout), within origin.MinTimeout and the default read-header
	// timeout.
	OriginIdle time.Duration
	// OriginVerifySecret turns on the origin's verification: every POP
	// sends it in origin.DefaultVerifyHeader (an origin custom header),
	// and the origin answers 403 without it.
	OriginVerifySecret string
	// HostID emulates the sample stack's CloudFront Function on the
	// origin's prewarm path (origin.HostIDPath): requests there reach the
	// origin with cloudfront.HeaderEdgeServerIP, which the origin echoes
	// (it needs OriginVerifySecret to).
	HostID bool
	// OriginShield puts an Origin Shield between every POP and the
	// origin: one more emulated POP (one edge host, its own origin pool
	// with the POPs' keep-alive) that the POPs' hosts connect to over
	// ShieldLink, while the shield reaches the origin over OriginLink.
	// cdn-upstream-layer then says "Origin Shield".
	OriginShield bool
	ShieldLink   link.Link

	// Logger receives the servers' logs; nil discards them.
	Logger *slog.Logger
	// AccessLog, when set, gets every POP's requests as standard log lines.
	AccessLog *edge.AccessLog
}

// POPSpec describes one POP and how it fails, if it does.
type POPSpec struct {
	Code string // POP code, e.g. HKG54-C1
	// Addrs are the loopback addresses the POP's name resolves to and it
	// listens on; empty means one fresh 127.0.0.x address (from 127.0.0.2
	// up, skipping those taken), or none for a NoDNS POP.
	Addrs []string
	// NoDNS: the name does not resolve (NXDOMAIN).
	NoDNS bool
	// NoListen: the name resolves but connections are refused.
	NoListen bool
	// CertName is the only name in the POP's certificate; empty means the
	// names every POP has (see Config.Host). Any other name fails
	// verification.
	CertName string
	// Delay holds every request this long before the POP handles it (a
	// slow POP), or until the client goes away.
	Delay time.Duration
	// AnswerAs is the POP code x-amz-cf-pop and cdn-pop say; empty means
	// Code.
	AnswerAs string
	// OriginKeepAlive is how long the POP's edge hosts keep an idle origin
	// connection; 0 means Config.KeepAlive. With one edge host and one
	// request at a time, the first request is cold (cdn-upstream-connect
	// > 0: the measured connect) and every later one within the keep-alive
	// warm (0).
	OriginKeepAlive time.Duration
	// OnRequest, when set, is called as each request arrives, before the
	// Delay.
	OnRequest func()
	// Status, when not 0, is the error status (400–599) the POP answers
	// every request with, without contacting the origin (x-cache "Error
	// from cloudfront").
	Status int
	// Hosts is the POP's number of edge hosts; 0 means Config.Hosts.
	Hosts int
	// AddrCount is the number of fresh addresses the POP gets when Addrs
	// is empty (a real POP's name answers with four); 0 means 1.
	AddrCount int
	// Split gives each address edge hosts of its own (edge.Field.Split);
	// otherwise every address leads to all the POP's hosts.
	Split bool
	// Via is what the via id names (edge.Field.Via; "" an id per host).
	Via edge.ViaMode
	// Pool is the origin pool policy of the POP's hosts (edge.Field.Pool;
	// "" edge.PoolReuseFreed).
	Pool edge.PoolPolicy
}

// Codes returns the POP codes of specs, in order.
func Codes(specs []POPSpec) []string {
	out := make([]string, len(specs))
	for i, s := range specs {
		out[i] = s.Code
	}
	return out
}

// CloudFront is a running loopback CloudFront. Create it with Start (or New
// in a test) and stop it with Close.
type CloudFront struct {
	Distribution string // dXXXX.cloudfront.net
	Host         string // the custom domain, if any
	Port         int    // every POP listens on this port
	DNSAddr      string // host:port of the DNS server (UDP and TCP)
	CA           *labca.CA
	CAFile       string // the CA certificate in PEM, removed by Close
	POPs         map[string]*POP
	Origin       *origin.Server
	OriginAddr   string // the origin's host:port
	// ShieldAddr is the Origin Shield's host:port (Config.OriginShield),
	// where the POPs' hosts connect instead of OriginAddr.
	ShieldAddr string
	Shield     *edge.POP
	OriginHost string // the origin's domain

	dir    string
	dns    *dnsserver.Server
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	errs   []error

	inFlight, maxInFlight atomic.Int64
}

// POP is one POP of a CloudFront and what it saw.
type POP struct {
	Spec  POPSpec      // as given, with Addrs filled in
	Addrs []netip.Addr // what the POP's name resolves to
	Edge  *edge.POP    // the emulator, for its Stats

	cf   *CloudFront
	mu   sync.Mutex
	last *http.Request
}

// Start brings up the origin, the POPs and the DNS server. They run until
// Close (or until ctx ends; Close is still needed then).
func Start(ctx context.Context, cfg Config) (cf *CloudFront, err error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	log := cfg.Logger
	ctx, cancel := context.WithCancel(ctx)
	cf = &CloudFront{
		Distribution: cfg.Distribution, Host: cfg.Host, OriginHost: cfg.OriginHost,
		POPs: map[string]*POP{}, cancel: cancel,
	}
	defer func() {
		if err != nil {
			cf.Close()
			cf = nil
		}
	}()
	if cf.dir, err = os.MkdirTemp("", "cfprewarm-loopback-"); err != nil {
		return cf, fmt.Errorf("loopback: %w", err)
	}
	if cf.CA, err = labca.New(); err != nil {
		return cf, err
	}
	cf.CAFile = filepath.Join(cf.dir, "ca.pem")
	if err = cf.CA.WritePEM(cf.CAFile); err != nil {
		return cf, err
	}
	if err = cf.startOrigin(ctx, cfg, log.With("component", "origin")); err != nil {
		return cf, err
	}
	if cfg.OriginShield {
		if err = cf.startShield(ctx, cfg, log.With("component", "shield")); err != nil {
			return cf, err
		}
	}
	if err = cf.startPOPs(ctx, cfg, log.With("component", "edge")); err != nil {
		return cf, err
	}
	if err = cf.startDNS(cfg); err != nil {
		return cf, err
	}
	return cf, nil
}

// validate reports every problem of the configuration.
func (c Config) validate() error {
	var p config.Problems
	bad := p.Add
	_, err := cloudfront.DistributionLabel(c.Distribution)
	p.AddErr(err)
	if c.Port < 0 || c.Port > 65535 {
		bad("port %d: want 0–65535", c.Port)
	}
	codes := map[string]bool{}
	for _, s := range c.POPs {
		if !cloudfront.ValidPOPCode(s.Code) {
			bad("POP %q: want %s, in upper case", s.Code, cloudfront.POPCodeRule)
		}
		if codes[s.Code] {
			bad("POP %s: given twice", s.Code)
		}
		codes[s.Code] = true
		for _, a := range s.Addrs {
			if ip, err := netip.ParseAddr(a); err != nil || !ip.IsLoopback() {
				bad("POP %s: %q is not a loopback address", s.Code, a)
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(c.Aliases)) {
		if code := c.Aliases[name]; !codes[code] {
			bad("alias %s: no POP %q", name, code)
		}
	}
	for _, cidr := range slices.Sorted(maps.Keys(c.Subnets)) {
		if _, err := netip.ParsePrefix(cidr); err != nil {
			bad("client subnet %q: want a CIDR prefix such as 198.51.100.0/24", cidr)
		}
		if code := c.Subnets[cidr]; !codes[code] {
			bad("client subnet %s: no POP %q", cidr, code)
		}
	}
	return p.Err("loopback CloudFront configuration")
}

// withDefaults fills the zero values that have a default.
func (c Config) withDefaults() Config {
	config.Default(&c.OriginHost, DefaultOriginHost)
	config.Default(&c.Logger, slog.New(slog.DiscardHandler))
	return c
}

func (cf *CloudFront) startOrigin(ctx context.Context, cfg Config, log *slog.Logger) error {
	cert, err := cf.CA.Issue(cfg.OriginHost, "127.0.0.1")
	if err != nil {
		return err
	}
	cf.Origin, err = origin.NewServer(origin.Config{
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		IdleTimeout:       cfg.OriginIdle,
		VerifySecret:      cfg.OriginVerifySecret,
		ReadHeaderTimeout: firstRequestTimeout(cfg.OriginIdle),
		DrainPeriod:       origin.NoDrain, // no load balancer in front
		ShutdownTimeout:   originShutdown,
	}, log)
	if err != nil {
		return fmt.Errorf("loopback: origin: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("loopback: origin: %w", err)
	}
	cf.OriginAddr = ln.Addr().String()
	cf.serve(func() error { return cf.Origin.Serve(ctx, ln) })
	return nil
}

// firstRequestTimeout is the origin's read-header timeout for an idle
// timeout (Config.OriginIdle): the idle timeout, within the origin's floor
// and default; 0 (the default) without one.
func firstRequestTimeout(idle time.Duration) time.Duration {
	if idle == 0 {
		return 0
	}
	return min(max(idle, origin.MinTimeout), origin.DefaultReadHeaderTimeout)
}

// startPOPs gives every POP its addresses, all on one port, and serves it.
func (cf *CloudFront) startPOPs(ctx context.Context, cfg Config, log *slog.Logger) error {
	specs := assignAddrs(cfg.POPs)
	if specs == nil {
		return errors.New("loopback: more POPs than free 127.0.0.x addresses")
	}
	names := []string{"*.cloudfront.net", cfg.Distribution}
	if cfg.Host != "" {
		names = append(names, cfg.Host)
	}
	names = append(names, slices.Sorted(maps.Keys(cfg.Aliases))...)
	cert, err := cf.CA.Issue(dedupe(names)...)
	if err != nil {
		return err
	}
	var addrs []string
	for _, s := range specs {
		addrs = append(addrs, s.Addrs...)
	}
	lns, port, err := edge.ListenShared(addrs, cfg.Port)
	if err != nil {
		return fmt.Errorf("loopback: %w", err)
	}
	cf.Port = port
	for i, s := range specs {
		popLns := lns[:len(s.Addrs)]
		lns = lns[len(s.Addrs):]
		p, err := cf.newPOP(cfg, i, s, cert, log)
		if err != nil {
			closeAll(popLns)
			closeAll(lns)
			return err
		}
		cf.POPs[s.Code] = p
		for _, ln := range popLns {
			if s.NoListen {
				// Serve closes the listener and returns: the address
				// refuses connections from the moment Start returns.
				if err := p.Edge.Serve(ctx, ln); err != nil {
					closeAll(lns)
					return err
				}
				continue
			}
			cf.serve(func() error { return p.Edge.Serve(ctx, ln) })
		}
	}
	return nil
}

// newPOP builds the emulated POP of spec i.
func (cf *CloudFront) newPOP(cfg Config, i int, s POPSpec, cert tls.Certificate, log *slog.Logger) (*POP, error) {
	p := &POP{Spec: s, cf: cf}
	for _, a := range s.Addrs {
		p.Addrs = append(p.Addrs, netip.MustParseAddr(a))
	}
	if s.CertName != "" {
		var err error
		if cert, err = cf.CA.Issue(s.CertName); err != nil {
			return nil, err
		}
	}
	keepAlive := s.OriginKeepAlive
	if keepAlive == 0 {
		keepAlive = cfg.KeepAlive
	}
	hosts := s.Hosts
	if hosts == 0 {
		hosts = cfg.Hosts
	}
	field := cf.field(cfg)
	field.Addrs, field.Split, field.Via, field.Pool = p.Addrs, s.Split, s.Via, s.Pool
	originAddr, originLink := cf.OriginAddr, cfg.OriginLink
	if cf.Shield != nil {
		originAddr, originLink = cf.ShieldAddr, cfg.ShieldLink
		field.UpstreamLayer = edge.LayerOriginShield
	}
	var err error
	p.Edge, err = edge.New(edge.Config{
		POP:         s.Code,
		Hosts:       hosts,
		KeepAlive:   keepAlive,
		OriginAddr:  originAddr,
		OriginHost:  cfg.OriginHost,
		OriginRoots: cf.CA.Pool(),
		OriginLink:  originLink,
		Field:       field,
		ViewerLink:  cfg.ViewerLink,
		TLSTime:     cfg.EdgeTLSTime,
		Cert:        cert,
		Seed:        cfg.Seed + uint64(i),
		Faults:      edge.Faults{Refuse: s.NoListen, Delay: s.Delay, AnswerAs: s.AnswerAs, Status: s.Status},
		OnRequest:   p.onRequest,
		AccessLog:   cfg.AccessLog,
		Logger:      log,
	})
	if err != nil {
		return nil, fmt.Errorf("loopback: %w", err)
	}
	return p, nil
}

// assignAddrs returns specs with every empty Addrs (but NoDNS ones) given
// AddrCount (at least one) fresh 127.0.0.x addresses, or nil when there
// are none left.
func assignAddrs(specs []POPSpec) []POPSpec {
	used := map[string]bool{}
	for _, s := range specs {
		for _, a := range s.Addrs {
			used[a] = true
		}
	}
	out := make([]POPSpec, len(specs))
	next := 2
	for i, s := range specs {
		if len(s.Addrs) == 0 && !s.NoDNS {
			for range max(s.AddrCount, 1) {
				for used[fmt.Sprintf("127.0.0.%d", next)] {
					next++
				}
				if next > 254 {
					return nil
				}
				a := fmt.Sprintf("127.0.0.%d", next)
				used[a] = true
				s.Addrs = append(s.Addrs, a)
			}
		}
		out[i] = s
	}
	return out
}

// startDNS answers the POP names (but NoDNS ones) and the aliases, and
// NXDOMAIN for every other name.
func (cf *CloudFront) startDNS(cfg Config) error {
	records := map[string][]netip.Addr{}
	for code, p := range cf.POPs {
		if p.Spec.NoDNS {
			continue
		}
		name, err := cloudfront.POPHostname(cfg.Distribution, code)
		if err != nil {
			return fmt.Errorf("loopback: %w", err)
		}
		records[name] = p.Addrs
	}
	for name, code := range cfg.Aliases {
		records[name] = cf.POPs[code].Addrs
	}
	cf.dns = dnsserver.New(records)
	cf.setSubnets(cfg)
	if err := cf.dns.Start("127.0.0.1:0"); err != nil {
		return fmt.Errorf("loopback: %w", err)
	}
	cf.DNSAddr = cf.dns.Addr()
	return nil
}

// serve runs a server until the CloudFront closes and keeps its error.
func (cf *CloudFront) serve(f func() error) {
	cf.wg.Add(1)
	go func() {
		defer cf.wg.Done()
		if err := f(); err != nil {
			cf.mu.Lock()
			cf.errs = append(cf.errs, err)
			cf.mu.Unlock()
		}
	}()
}

// Close stops every server, removes the CA file and returns the errors the
// servers stopped with.
func (cf *CloudFront) Close() error {
	cf.cancel()
	if cf.dns != nil {
		cf.dns.Close()
	}
	cf.wg.Wait()
	if cf.dir != "" {
		os.RemoveAll(cf.dir)
	}
	cf.mu.Lock()
	defer cf.mu.Unlock()
	return errors.Join(cf.errs...)
}

// Requests is the number of requests all POPs received.
func (cf *CloudFront) Requests() int {
	n := 0
	for _, p := range cf.POPs {
		n += p.Requests()
	}
	return n
}

// MaxInFlight is the largest number of requests the POPs were handling at
// the same moment, over all POPs.
func (cf *CloudFront) MaxInFlight() int { return int(cf.maxInFlight.Load()) }

func (cf *CloudFront) enter() {
	n := cf.inFlight.Add(1)
	for {
		m := cf.maxInFlight.Load()
		if n <= m || cf.maxInFlight.CompareAndSwap(m, n) {
			return
		}
	}
}

func (cf *CloudFront) leave() { cf.inFlight.Add(-1) }

// onRequest is the POP's edge.Config.OnRequest.
func (p *POP) onRequest(r *http.Request) func() {
	p.cf.enter()
	last := r.Clone(context.Background())
	last.Body = http.NoBody
	p.mu.Lock()
	p.last = last
	p.mu.Unlock()
	if p.Spec.OnRequest != nil {
		p.Spec.OnRequest()
	}
	return p.cf.leave
}

// Requests is the number of requests the POP received.
func (p *POP) Requests() int { return int(p.Edge.Stats().Requests) }

// Conns is the number of TCP connections the POP accepted.
func (p *POP) Conns() int { return int(p.Edge.Stats().ViewerConns) }

// Handshakes is the number of TLS handshakes the POP began.
func (p *POP) Handshakes() int { return int(p.Edge.Stats().TLSHandshakes) }

// RequestsTo is the number of requests received on one of the POP's
// addresses (an IP, as in Spec.Addrs).
func (p *POP) RequestsTo(addr string) int { return int(p.Edge.Stats().RequestsByAddr[addr]) }

// LastRequest returns the last request received (its method, host, URL,
// headers and TLS state; no body), or nil.
func (p *POP) LastRequest() *http.Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.last
}

func closeAll(lns []net.Listener) {
	for _, ln := range lns {
		ln.Close()
	}
}

func dedupe(names []string) []string {
	seen := map[string]bool{}
	out := names[:0]
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}
