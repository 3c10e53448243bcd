// Package warmtest provides loopback stand-ins for CloudFront POPs and
// their DNS names, for tests and benchmarks of the prewarm engine and its
// front ends: TLS servers on 127.0.0.x addresses (all on one port, as real
// POPs are all on 443) that answer like CloudFront (x-amz-cf-pop,
// Server-Timing with cdn-upstream-connect from an emulated origin
// connection pool), a DNS server answering <dist>.<POP>.cloudfront.net, and a
// throwaway CA. Every POP counts the requests, connections and TLS
// handshakes it saw, so tests assert exact numbers on the server side.
//
// It is a test helper: it listens on loopback only.
package warmtest

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/internal/loopback/dnsserver"
	"github.com/cfprewarm/cfprewarm/internal/loopback/edge"
	"github.com/cfprewarm/cfprewarm/internal/loopback/labca"
)

// POPSpec describes one stand-in POP.
type POPSpec struct {
	Code string // POP code, e.g. HKG54-C1
	// Addrs are the loopback addresses the POP's name resolves to and its
	// server listens on; empty means one fresh 127.0.0.x address.
	Addrs []string
	// NoDNS: the name does not resolve (NXDOMAIN).
	NoDNS bool
	// NoListen: the name resolves but nothing listens (connection refused).
	NoListen bool
	// CertName is the name in the server certificate; empty means the
	// edge's host. Any other name fails verification.
	CertName string
	// Delay holds every response this long (a slow POP), or until the
	// client goes away.
	Delay time.Duration
	// AnswerAs is the x-amz-cf-pop value; empty means Code.
	AnswerAs string
	// OriginKeepAlive is how long the emulated origin pool keeps an idle
	// connection; 0 means a minute. A request that finds an idle origin
	// connection reports cdn-upstream-connect;dur=0 (warm), others dur=12.
	OriginKeepAlive time.Duration
	// OnRequest, when set, is called as each request arrives.
	OnRequest func()
	// Status is the response status; 0 means 200.
	Status int
}

// Edge is a set of stand-in POPs with their DNS server.
type Edge struct {
	Host         string // the SNI and Host the POPs serve
	Distribution string // dXXXX.cloudfront.net
	Port         int    // every POP listens on this port
	DNSAddr      string // host:port of the DNS server (UDP)
	CA           *labca.CA
	CAFile       string // the CA's PEM file; set by New only
	POPs         map[string]*POP

	servers []*http.Server
	dns     *dnsserver.Server

	inFlight, maxInFlight atomic.Int64
}

// MaxInFlight is the largest number of requests the POPs were handling at
// the same moment, over all POPs.
func (e *Edge) MaxInFlight() int { return int(e.maxInFlight.Load()) }

// Requests is the number of HTTP requests all POPs received.
func (e *Edge) Requests() int {
	n := 0
	for _, p := range e.POPs {
		n += p.Requests()
	}
	return n
}

func (e *Edge) enter() {
	n := e.inFlight.Add(1)
	for {
		m := e.maxInFlight.Load()
		if n <= m || e.maxInFlight.CompareAndSwap(m, n) {
			return
		}
	}
}

func (e *Edge) leave() { e.inFlight.Add(-1) }

// POP is one stand-in POP and what it saw.
type POP struct {
	Spec POPSpec

	requests   atomic.Int64
	conns      atomic.Int64
	handshakes atomic.Int64

	edge      *Edge
	mu        sync.Mutex
	byAddr    map[string]int // local address → requests
	last      *http.Request
	idleUntil []time.Time // emulated idle origin connections
}

// Requests is the number of HTTP requests the POP received.
func (p *POP) Requests() int { return int(p.requests.Load()) }

// Conns is the number of TCP connections the POP accepted.
func (p *POP) Conns() int { return int(p.conns.Load()) }

// Handshakes is the number of TLS handshakes the POP began.
func (p *POP) Handshakes() int { return int(p.handshakes.Load()) }

// RequestsTo is the number of requests received on one of the POP's addresses.
func (p *POP) RequestsTo(addr string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.byAddr[addr]
}

// LastRequest returns the last request received (its headers, method,
// host and URL), or nil.
func (p *POP) LastRequest() *http.Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.last
}

// Start starts the POPs and the DNS server for host and distribution
// (dXXXX.cloudfront.net).
func Start(host, distribution string, specs ...POPSpec) (*Edge, error) {
	ca, err := labca.New()
	if err != nil {
		return nil, err
	}
	e := &Edge{Host: host, Distribution: distribution, CA: ca, POPs: map[string]*POP{}}
	used := map[string]bool{}
	for _, s := range specs {
		for _, a := range s.Addrs {
			used[a] = true
		}
	}
	next := 2
	for _, s := range specs {
		if len(s.Addrs) == 0 && !s.NoDNS {
			for used[fmt.Sprintf("127.0.0.%d", next)] {
				next++
			}
			s.Addrs = []string{fmt.Sprintf("127.0.0.%d", next)}
			used[s.Addrs[0]] = true
		}
		for _, a := range s.Addrs {
			if ip := net.ParseIP(a); ip == nil || !ip.IsLoopback() {
				return nil, fmt.Errorf("warmtest: POP %s: %q is not a loopback address", s.Code, a)
			}
		}
		e.POPs[s.Code] = &POP{Spec: s, edge: e, byAddr: map[string]int{}}
	}
	listeners, err := listenAll(e.POPs)
	if err != nil {
		return nil, err
	}
	e.Port = listeners.port
	for code, p := range e.POPs {
		lns := listeners.byPOP[code]
		if len(lns) == 0 {
			continue
		}
		srv, err := e.serve(p, lns)
		if err != nil {
			listeners.closeAll()
			e.Close()
			return nil, err
		}
		e.servers = append(e.servers, srv)
	}
	e.dns, err = startDNS(distribution, e.POPs)
	if err != nil {
		e.Close()
		return nil, err
	}
	e.DNSAddr = e.dns.Addr()
	return e, nil
}

// New starts an edge for a test, writes its CA to a PEM file in the test's
// temporary directory (CAFile), and stops it when the test ends.
func New(tb testing.TB, host, distribution string, specs ...POPSpec) *Edge {
	tb.Helper()
	e, err := Start(host, distribution, specs...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(e.Close)
	e.CAFile = filepath.Join(tb.TempDir(), "ca.pem")
	if err := e.CA.WritePEM(e.CAFile); err != nil {
		tb.Fatal(err)
	}
	return e
}

// Close stops every server.
func (e *Edge) Close() {
	for _, s := range e.servers {
		s.Close()
	}
	if e.dns != nil {
		e.dns.Close()
	}
}

// Codes returns the POP codes in the order of the specs given to Start.
func Codes(specs []POPSpec) []string {
	out := make([]string, len(specs))
	for i, s := range specs {
		out[i] = s.Code
	}
	return out
}

type listenerSet struct {
	port  int
	byPOP map[string][]net.Listener
}

func (l listenerSet) closeAll() {
	for _, lns := range l.byPOP {
		for _, ln := range lns {
			ln.Close()
		}
	}
}

// listenAll listens on every address of every POP on one common port.
func listenAll(pops map[string]*POP) (listenerSet, error) {
	var addrs, owners []string
	for code, p := range pops {
		if p.Spec.NoListen {
			continue
		}
		for _, a := range p.Spec.Addrs {
			addrs = append(addrs, a)
			owners = append(owners, code)
		}
	}
	lns, port, err := edge.ListenShared(addrs, 0)
	if err != nil {
		return listenerSet{}, fmt.Errorf("warmtest: %w", err)
	}
	set := listenerSet{port: port, byPOP: map[string][]net.Listener{}}
	for i, ln := range lns {
		set.byPOP[owners[i]] = append(set.byPOP[owners[i]], ln)
	}
	return set, nil
}

func (e *Edge) serve(p *POP, lns []net.Listener) (*http.Server, error) {
	name := p.Spec.CertName
	if name == "" {
		name = e.Host
	}
	cert, err := e.CA.Issue(name)
	if err != nil {
		return nil, err
	}
	tlsConf := &tls.Config{
		MinVersion: tls.VersionTLS12,
		NextProtos: []string{"http/1.1"},
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			p.handshakes.Add(1)
			return &cert, nil
		},
	}
	srv := &http.Server{
		Handler:           http.HandlerFunc(p.handle),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       30 * time.Second,
		ConnState: func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				p.conns.Add(1)
			}
		},
		ErrorLog: log.New(io.Discard, "", 0), // handshake failures are the point of some POPs
	}
	for _, ln := range lns {
		go srv.Serve(tls.NewListener(ln, tlsConf))
	}
	return srv, nil
}

func (p *POP) handle(w http.ResponseWriter, r *http.Request) {
	p.edge.enter()
	defer p.edge.leave()
	p.requests.Add(1)
	if p.Spec.OnRequest != nil {
		p.Spec.OnRequest()
	}
	local, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	p.mu.Lock()
	if local != nil {
		host, _, _ := net.SplitHostPort(local.String())
		p.byAddr[host]++
	}
	p.last = r.Clone(context.Background())
	p.mu.Unlock()

	connectMs := p.takeOriginConn()
	if p.Spec.Delay > 0 {
		t := time.NewTimer(p.Spec.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
		}
		t.Stop()
	}
	p.returnOriginConn()

	answer := p.Spec.AnswerAs
	if answer == "" {
		answer = p.Spec.Code
	}
	h := w.Header()
	h.Set("X-Amz-Cf-Pop", answer)
	h.Set("X-Amz-Cf-Id", fmt.Sprintf("warmtest-%d", p.requests.Load()))
	h.Set("X-Cache", "Miss from cloudfront")
	h.Set("Via", "1.1 warmtest.cloudfront.net (CloudFront)")
	if strings.Contains(strings.ToLower(r.Header.Get("Pragma")), "server-timing") {
		h.Set("Server-Timing", fmt.Sprintf(`cdn-upstream-layer;desc="EDGE",cdn-upstream-dns;dur=0,cdn-upstream-connect;dur=%d,cdn-upstream-fbl;dur=3,cdn-pop;desc="%s"`, connectMs, answer))
	}
	h.Set("Content-Type", "application/json")
	status := p.Spec.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		fmt.Fprintf(w, `{"pop":%q,"time":%q}`+"\n", answer, time.Now().UTC().Format(time.RFC3339Nano))
	}
}

// takeOriginConn takes an idle emulated origin connection (0 ms to
// connect) or opens a new one (12 ms).
func (p *POP) takeOriginConn() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	for len(p.idleUntil) > 0 {
		last := len(p.idleUntil) - 1
		until := p.idleUntil[last]
		p.idleUntil = p.idleUntil[:last]
		if now.Before(until) {
			return 0
		}
	}
	return 12
}

// returnOriginConn puts the request's origin connection back in the pool.
func (p *POP) returnOriginConn() {
	keep := p.Spec.OriginKeepAlive
	if keep == 0 {
		keep = time.Minute
	}
	p.mu.Lock()
	p.idleUntil = append(p.idleUntil, time.Now().Add(keep))
	p.mu.Unlock()
}
