package warm

import (
	"crypto/tls"
	"fmt"
	"net/netip"
	"sync"

	"github.com/cfprewarm/cfprewarm/probe"
)

// Probers are kept from wave to wave, one per address of a target, each
// with its own TLS session cache: a POP's addresses need not share session
// keys, and a session resumes only where it was made. The caches belong to
// the State's session store, so Runners that share a State (the Lambda's
// invocations) resume each other's sessions. A request still opens a new
// TCP connection, so it still lands on a random edge host; what it saves is
// the key exchange and the certificate verification (docs/warm.md, "CPU").

// proberKey is a target (POP code or client subnet) and one of its addresses.
type proberKey struct {
	target string
	ip     netip.Addr
}

// keptProber is the prober of one address and its TLS sessions.
type keptProber struct {
	p        *probe.Prober
	sessions tls.ClientSessionCache
}

// sessionCacheSize: the cache holds one entry per server name; one name is used.
const sessionCacheSize = 2

// prober returns the kept prober of k, preparing it the first time.
func (r *Runner) prober(k proberKey) *keptProber {
	r.mu.Lock()
	defer r.mu.Unlock()
	if kp, ok := r.probers[k]; ok {
		return kp
	}
	kp := &keptProber{sessions: r.state.sessions.cache(k)}
	cfg := r.probeConfig(k.ip)
	cfg.TLS.Sessions = kp.sessions
	p, err := probe.NewProber(cfg)
	if err != nil { // NewRunner prepared the same configuration for another address
		panic(fmt.Sprintf("warm: the prober of %v failed after NewRunner's succeeded: %v", k.ip, err))
	}
	kp.p = p
	r.probers[k] = kp
	return kp
}

// keepProbers keeps the probers of the last wave's addresses and drops the
// others (addresses a POP's name no longer resolves to).
func (r *Runner) keepProbers(used map[proberKey]*keptProber) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, kp := range r.probers {
		if used[k] == nil {
			kp.p.Close()
			delete(r.probers, k)
		}
	}
	r.state.sessions.keep(used)
}

// sessionStore is the State's TLS session caches, one per address of a
// target.
type sessionStore struct {
	mu     sync.Mutex
	caches map[proberKey]tls.ClientSessionCache
}

// cache returns the TLS session cache of an address of a target.
func (s *sessionStore) cache(k proberKey) tls.ClientSessionCache {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.caches[k]
	if !ok {
		c = tls.NewLRUClientSessionCache(sessionCacheSize)
		s.caches[k] = c
	}
	return c
}

// keep drops the caches of the addresses a target of the wave no longer
// has.
func (s *sessionStore) keep(used map[proberKey]*keptProber) {
	targets := map[string]bool{}
	for k := range used {
		targets[k.target] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.caches {
		if targets[k.target] && used[k] == nil {
			delete(s.caches, k)
		}
	}
}

// resumable reports whether the prober holds a session for serverName.
func (kp *keptProber) resumable(serverName string) bool {
	_, ok := kp.sessions.Get(serverName)
	return ok
}

// tlsTuning is the TLS of every prewarm request: the configured version
// and X25519 (then P-256) key exchange without the post-quantum ML-KEM
// share: prewarm requests carry nothing secret, and a key exchange per
// connection is the largest CPU cost after resumption (docs/warm.md).
func (r *Runner) tlsTuning() probe.TLSTuning {
	return probe.TLSTuning{MaxVersion: r.cfg.TLSVersion, Curves: []tls.CurveID{tls.X25519, tls.CurveP256}}
}
