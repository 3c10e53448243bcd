package lab

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/internal/loopback/dnsserver"
	"github.com/cfprewarm/cfprewarm/internal/loopback/edge"
	"github.com/cfprewarm/cfprewarm/internal/loopback/labca"
	"github.com/cfprewarm/cfprewarm/origin"
	"github.com/cfprewarm/cfprewarm/probe"
	"github.com/cfprewarm/cfprewarm/warm"
)

// Names the lab serves. The distribution domain is the AWS documentation's
// example; the custom host resolves to the viewer POP like a CNAME would.
const (
	Distribution = "d111111abcdef8.cloudfront.net"
	CustomHost   = "api.example.com"
	OriginHost   = "origin.example.com"
)

// EnvConfig describes one lab environment. Durations are as the servers use
// them, that is already divided by the time scale.
type EnvConfig struct {
	Profile    Profile
	Hosts      int           // edge hosts per POP
	KeepAlive  time.Duration // CloudFront origin keep-alive timeout
	OriginIdle time.Duration // the origin server's idle timeout
	Seed       uint64
	// Port all POPs listen on, each on its own 127.0.0.x address; 0 picks a free one.
	Port int
	// Logger receives the servers' logs; nil discards them.
	Logger *slog.Logger
}

// Env is a running lab: a CA, the origin, one emulated POP per code of the
// profile on its own loopback address, and a DNS server answering for them.
type Env struct {
	cfg     EnvConfig
	CA      *labca.CA
	CAFile  string // the CA certificate in PEM, for --cacert
	DNSAddr string // host:port of the DNS server
	Port    int    // the port every POP listens on
	POPs    map[string]*edge.POP
	POPAddr map[string]netip.Addr
	Origin  *origin.Server
	// OriginAddr is the origin's host:port.
	OriginAddr string

	dir    string
	dns    *dnsserver.Server
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	errs   []error
}

// Start brings up an environment. Close it when done.
func Start(ctx context.Context, cfg EnvConfig) (env *Env, err error) {
	if cfg.Hosts < 1 {
		cfg.Hosts = DefaultHosts
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	ctx, cancel := context.WithCancel(ctx)
	env = &Env{cfg: cfg, cancel: cancel, POPs: map[string]*edge.POP{}, POPAddr: map[string]netip.Addr{}}
	defer func() {
		if err != nil {
			env.Close()
			env = nil
		}
	}()
	if env.dir, err = os.MkdirTemp("", "cfprewarm-lab-"); err != nil {
		return env, fmt.Errorf("lab: %w", err)
	}
	if env.CA, err = labca.New(); err != nil {
		return env, err
	}
	env.CAFile = filepath.Join(env.dir, "lab-ca.pem")
	if err = env.CA.WritePEM(env.CAFile); err != nil {
		return env, err
	}
	if err = env.startOrigin(ctx, log); err != nil {
		return env, err
	}
	if err = env.startPOPs(ctx, log); err != nil {
		return env, err
	}
	if err = env.startDNS(); err != nil {
		return env, err
	}
	return env, nil
}

func (e *Env) startOrigin(ctx context.Context, log *slog.Logger) error {
	cert, err := e.CA.Issue(OriginHost, "127.0.0.1")
	if err != nil {
		return err
	}
	e.Origin, err = origin.NewServer(origin.Config{
		TLSConfig:       &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		IdleTimeout:     e.cfg.OriginIdle,
		ShutdownTimeout: time.Second,
	}, log.With("component", "origin"))
	if err != nil {
		return fmt.Errorf("lab: origin: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("lab: origin: %w", err)
	}
	e.OriginAddr = ln.Addr().String()
	e.serve(func() error { return e.Origin.Serve(ctx, ln) })
	return nil
}

// startPOPs gives every POP its own 127.0.0.x address, all on one port.
func (e *Env) startPOPs(ctx context.Context, log *slog.Logger) error {
	cert, err := e.CA.Issue("*.cloudfront.net", Distribution, CustomHost)
	if err != nil {
		return err
	}
	codes := e.cfg.Profile.POPs()
	addrs := make([]string, len(codes))
	for i := range codes {
		addrs[i] = fmt.Sprintf("127.0.0.%d", i+2)
	}
	lns, port, err := edge.ListenShared(addrs, e.cfg.Port)
	if err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	e.Port = port
	for i, code := range codes {
		pop, err := edge.New(edge.Config{
			POP:         code,
			Hosts:       e.cfg.Hosts,
			KeepAlive:   e.cfg.KeepAlive,
			OriginAddr:  e.OriginAddr,
			OriginHost:  OriginHost,
			OriginRoots: e.CA.Pool(),
			OriginLink:  e.cfg.Profile.OriginLink,
			ViewerLink:  e.cfg.Profile.ViewerLink,
			Cert:        cert,
			Seed:        e.cfg.Seed + uint64(i),
			Logger:      log.With("component", "edge"),
		})
		if err != nil {
			for _, ln := range lns[i:] {
				ln.Close()
			}
			return fmt.Errorf("lab: %w", err)
		}
		ln := lns[i]
		e.POPs[code] = pop
		e.POPAddr[code] = ln.Addr().(*net.TCPAddr).AddrPort().Addr()
		e.serve(func() error { return pop.Serve(ctx, ln) })
	}
	return nil
}

func (e *Env) startDNS() error {
	viewer := []netip.Addr{e.POPAddr[e.cfg.Profile.ViewerPOP]}
	records := map[string][]netip.Addr{Distribution: viewer, CustomHost: viewer}
	for code, addr := range e.POPAddr {
		name, err := cloudfront.POPHostname(Distribution, code)
		if err != nil {
			return fmt.Errorf("lab: %w", err)
		}
		records[name] = []netip.Addr{addr}
	}
	e.dns = dnsserver.New(records)
	if err := e.dns.Start("127.0.0.1:0"); err != nil {
		return fmt.Errorf("lab: dns: %w", err)
	}
	e.DNSAddr = e.dns.Addr()
	return nil
}

// serve runs a server until the environment closes and keeps its error.
func (e *Env) serve(f func() error) {
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		if err := f(); err != nil {
			e.mu.Lock()
			e.errs = append(e.errs, err)
			e.mu.Unlock()
		}
	}()
}

// Close stops every server and removes the CA file.
func (e *Env) Close() error {
	e.cancel()
	if e.dns != nil {
		e.dns.Close()
	}
	e.wg.Wait()
	if e.dir != "" {
		os.RemoveAll(e.dir)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return errors.Join(e.errs...)
}

// ViewerURL is the URL a viewer requests: the distribution domain on the
// POPs' port.
func (e *Env) ViewerURL() string {
	return "https://" + net.JoinHostPort(Distribution, strconv.Itoa(e.Port)) + "/"
}

// ProbeConfig is the viewer's probe configuration: the real probe, pointed
// at the lab's DNS server and CA, dialing through the viewer link so that
// the TCP connect costs one viewer round trip.
func (e *Env) ProbeConfig() probe.Config {
	return probe.Config{
		URL:          e.ViewerURL(),
		ServerTiming: true,
		DNSServer:    e.DNSAddr,
		RootCAs:      e.CA.Pool(),
		Dial:         e.cfg.Profile.ViewerLink.ConnectDial,
		Timeout:      30 * time.Second,
	}
}

// WarmConfig is the prewarmer's configuration for the given POPs: the real
// warm engine, pointed at the lab's DNS server, CA and port.
func (e *Env) WarmConfig(pops []string) warm.Config {
	return warm.Config{
		Distribution: Distribution,
		POPs:         pops,
		Port:         e.Port,
		DNSServer:    e.DNSAddr,
		RootCAs:      e.CA.Pool(),
		Dial:         e.cfg.Profile.ViewerLink.ConnectDial,
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}
