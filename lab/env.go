package lab

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"time"

	"github.com/cfprewarm/cfprewarm/internal/config"
	"github.com/cfprewarm/cfprewarm/internal/loopback"
	"github.com/cfprewarm/cfprewarm/internal/loopback/edge"
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
	// AccessLog, when set, gets every POP's requests as standard log lines.
	AccessLog *edge.AccessLog

	// Field is the truth of the POPs the profile says nothing of
	// (Profile.Field): addresses, layout, via ids, pool policy, keep-alive.
	Field POPField
	// OriginShield puts an Origin Shield between the POPs and the origin
	// (one more round trip of the viewer link's length away from the POPs).
	OriginShield bool
	// HostID turns on the host identity: the origin verifies OriginSecret,
	// and requests to its prewarm path (origin.HostIDPath) carry the edge
	// server's address as the sample stack's CloudFront Function forwards
	// it, which the origin echoes (cfprewarm warm --host-id-header).
	HostID bool
}

// Env is a running lab: the loopback CloudFront (package
// internal/loopback: a CA, the origin, one emulated POP per code of the
// profile on its own loopback address, and a DNS server answering for
// them) with the lab's names and links, used as it is: its CA, CAFile,
// DNSAddr, Port, POPs, Origin, OriginAddr and Close are the Env's. The Env
// adds what is the lab's: the viewer's URL and the probe's and the
// prewarmer's configurations.
type Env struct {
	*loopback.CloudFront
	cfg EnvConfig
}

// Start brings up an environment. Close it when done.
func Start(ctx context.Context, cfg EnvConfig) (*Env, error) {
	config.Default(&cfg.Hosts, DefaultHosts)
	p := cfg.Profile
	specs := make([]loopback.POPSpec, 0, len(p.POPs()))
	for _, code := range p.POPs() {
		f := p.fieldOf(code, cfg.Field)
		if err := f.Check(p.HostsOf(code, cfg.Hosts)); err != nil {
			return nil, fmt.Errorf("lab: POP %s: %w", code, err)
		}
		specs = append(specs, f.spec(code, p.HostsOf(code, cfg.Hosts)))
	}
	secret := ""
	if cfg.HostID {
		secret = OriginSecret
	}
	cf, err := loopback.Start(ctx, loopback.Config{
		Distribution: Distribution,
		Host:         CustomHost,
		POPs:         specs,
		Aliases:      map[string]string{Distribution: p.ViewerPOP, CustomHost: p.ViewerPOP},
		Subnets:      p.Subnets,
		Port:         cfg.Port,
		Hosts:        cfg.Hosts,
		KeepAlive:    cfg.KeepAlive,
		ViewerLink:   p.ViewerLink,
		EdgeTLSTime:  p.EdgeTLS,
		OriginLink:   p.OriginLink,
		Seed:         cfg.Seed,
		OriginHost:   OriginHost,
		OriginIdle:   cfg.OriginIdle,
		Logger:       cfg.Logger,
		AccessLog:    cfg.AccessLog,

		OriginShield:       cfg.OriginShield,
		ShieldLink:         p.ViewerLink,
		HostID:             cfg.HostID,
		OriginVerifySecret: secret,
	})
	if err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	return &Env{CloudFront: cf, cfg: cfg}, nil
}

// POPAddr is the first loopback address of a POP of the profile (its
// every address, as its name resolves, is POPs[code].Addrs).
func (e *Env) POPAddr(code string) netip.Addr { return e.POPs[code].Addrs[0] }

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

// startFor starts the environment of scenario s: the profile with cfg's
// hosts, s's keep-alive and origin idle timeout divided by the time scale.
func startFor(ctx context.Context, cfg Config, prof Profile, s Scenario, seed uint64) (*Env, error) {
	k := cfg.TimeScale
	return Start(ctx, EnvConfig{Profile: prof, Hosts: cfg.Hosts, Seed: seed, KeepAlive: scaled(s.KeepAlive, k), OriginIdle: scaled(s.OriginIdle, k)})
}

// closeInto closes a scenario's environment and keeps its error in *err
// unless one is there: a server that failed mid-scenario makes its
// measurements suspect.
func closeInto(env *Env, scenario string, err *error) {
	if cerr := env.Close(); cerr != nil && *err == nil {
		*err = fmt.Errorf("lab: scenario %s: %w", scenario, cerr)
	}
}
