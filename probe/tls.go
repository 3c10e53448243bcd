package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"sync/atomic"
)

// TLSTuning makes a prober's new connections cheaper, for the prewarm
// engine: a prewarm request needs a new TCP connection (so that it lands on
// a random edge host), not a new TLS key exchange. The zero value changes
// nothing. Verification is never weakened: a resumed session is one whose
// certificate chain was verified for the same server name.
type TLSTuning struct {
	// Sessions, when set, caches TLS sessions: a new connection resumes the
	// last session instead of a full handshake. Give each server (address)
	// its own cache, as a session resumes only where it was made.
	Sessions tls.ClientSessionCache
	// MaxVersion caps the TLS version offered; 0 means TLS 1.3. TLS 1.2
	// session-ticket resumption needs no key exchange at all (TLS 1.3
	// resumption still does one). A server that speaks only TLS 1.3 (such
	// as CloudFront's TLSv1.3_2025 policy) refuses a TLS 1.2 hello with a
	// protocol_version alert: the prober then redials once with TLS 1.3
	// and keeps using it.
	MaxVersion uint16
	// Curves are the key exchanges offered, most preferred first; nil means
	// Go's default, which starts with the post-quantum X25519MLKEM768 (an
	// ML-KEM key generation per connection).
	Curves []tls.CurveID
}

// tuned is a prober's state for TLSTuning and the direct exchange.
type tuned struct {
	tls13   *tls.Config // the fallback config when MaxVersion is TLS 1.2
	only13  atomic.Bool // the server refused TLS 1.2: use tls13
	request []byte      // the request, written once (direct.go)
}

// tune applies cfg.TLS to the prober's TLS config.
func (p *Prober) tune() {
	t := p.cfg.TLS
	p.tlsConf.ClientSessionCache = t.Sessions
	p.tlsConf.CurvePreferences = t.Curves
	if t.MaxVersion != 0 {
		p.tlsConf.MaxVersion = t.MaxVersion
	}
	if p.tlsConf.MaxVersion == tls.VersionTLS12 {
		p.tuned.tls13 = p.tlsConf.Clone()
		p.tuned.tls13.MaxVersion = tls.VersionTLS13
	}
}

// tlsConfig is the config of the next handshake.
func (p *Prober) tlsConfig() *tls.Config {
	if p.tuned.only13.Load() {
		return p.tuned.tls13
	}
	return p.tlsConf
}

// handshake runs the TLS handshake on conn. When the prober offered at most
// TLS 1.2 and the server answered that it wants another version, it
// redials (the server closed the connection) and shakes hands with TLS 1.3,
// for this and every later connection. after, when not nil, is the probe's
// AfterHandshake callback.
func (p *Prober) handshake(ctx context.Context, conn net.Conn, redial func() (net.Conn, error), after func()) (*tls.Conn, error) {
	tc, err := p.handshakeOnce(ctx, conn, redial)
	if after != nil && err == nil && tc.ConnectionState().Version <= tls.VersionTLS12 {
		after()
	}
	return tc, err
}

func (p *Prober) handshakeOnce(ctx context.Context, conn net.Conn, redial func() (net.Conn, error)) (*tls.Conn, error) {
	conf := p.tlsConfig()
	tc := tls.Client(conn, conf)
	err := tc.HandshakeContext(ctx)
	if err == nil {
		return tc, nil
	}
	conn.Close()
	if conf != p.tlsConf || p.tuned.tls13 == nil || !versionRefused(err) || ctx.Err() != nil {
		return nil, err
	}
	p.tuned.only13.Store(true)
	conn, err = redial()
	if err != nil {
		return nil, err
	}
	tc = tls.Client(conn, p.tuned.tls13)
	if err := tc.HandshakeContext(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	return tc, nil
}

// versionRefused reports whether a handshake failed because the server
// does not speak the versions offered: its alert 70, protocol_version,
// which crypto/tls returns as a *net.OpError "remote error" carrying an
// unexported alert type, so only the message tells.
func versionRefused(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "remote error" && strings.Contains(op.Err.Error(), "protocol version not supported")
}

// Option changes one probe (Prober.Probe's options).
type Option func(*attempt)

// AfterHandshake is the option of a probe that calls f once its TLS 1.2
// handshake succeeded, before the request is sent: the session is then in
// TLSTuning.Sessions, and the prewarm engine starts the address's other
// requests. TLS 1.3 sends its session ticket only after the handshake, so
// f is not called for TLS 1.3 (nor when the handshake fails, nor on a kept
// connection).
func AfterHandshake(f func()) Option {
	return func(a *attempt) { a.afterHandshake = f }
}
