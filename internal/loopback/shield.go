package loopback

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"

	"github.com/cfprewarm/cfprewarm/internal/loopback/edge"
	"github.com/cfprewarm/cfprewarm/origin"
)

// shieldCode names the Origin Shield's emulated POP in logs and stats.
const shieldCode = "OSH1"

// field is what every POP's emulator has in common: the origin custom
// header of the verification secret and the CloudFront Function of the
// prewarm path.
func (cf *CloudFront) field(cfg Config) edge.Field {
	var f edge.Field
	if cfg.OriginVerifySecret != "" {
		f.OriginHeaders = http.Header{origin.DefaultVerifyHeader: {cfg.OriginVerifySecret}}
	}
	if cfg.HostID {
		f.HostIDPath = origin.HostIDPath
	}
	return f
}

// startShield starts the Origin Shield: an emulated POP of one edge host
// that takes the POPs' origin requests (TLS for the origin's name) and
// proxies them to the origin with a pool of its own, adding none of
// CloudFront's viewer headers.
func (cf *CloudFront) startShield(ctx context.Context, cfg Config, log *slog.Logger) error {
	cert, err := cf.CA.Issue(cfg.OriginHost, "127.0.0.1")
	if err != nil {
		return err
	}
	field := cf.field(cfg)
	field.Shield, field.HostIDPath = true, "" // the function runs at the POP that took the viewer's request
	cf.Shield, err = edge.New(edge.Config{
		POP:         shieldCode,
		Hosts:       1,
		KeepAlive:   cfg.KeepAlive,
		OriginAddr:  cf.OriginAddr,
		OriginHost:  cfg.OriginHost,
		OriginRoots: cf.CA.Pool(),
		OriginLink:  cfg.OriginLink,
		Cert:        cert,
		Seed:        cfg.Seed,
		Field:       field,
		Logger:      log,
	})
	if err != nil {
		return fmt.Errorf("loopback: origin shield: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("loopback: origin shield: %w", err)
	}
	cf.ShieldAddr = ln.Addr().String()
	cf.serve(func() error { return cf.Shield.Serve(ctx, ln) })
	return nil
}
