package dnsserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// TTL is the time to live of every answer, in seconds (CloudFront uses 60).
const TTL = 60

// Server answers A and AAAA queries from its table. Create it with New.
type Server struct {
	mu      sync.RWMutex
	records map[string][]netip.Addr // lower-case FQDN → addresses
	subnets map[string][]subnetRule // lower-case FQDN → answers by client subnet (subnet.go)

	udp, tcp *dns.Server
	addr     string
	done     chan struct{} // closed when both have stopped serving

	closeOnce sync.Once
	closeErr  error
}

// New returns a server answering from records (name → addresses). Names may
// be written with or without the final dot and in any case. The table is
// copied; change it later with Set.
func New(records map[string][]netip.Addr) *Server {
	s := &Server{records: make(map[string][]netip.Addr, len(records))}
	for name, addrs := range records {
		s.records[key(name)] = append([]netip.Addr(nil), addrs...)
	}
	return s
}

// Set replaces the addresses of name; an empty list keeps the name (NOERROR,
// no answers). It is safe to call while the server runs.
func (s *Server) Set(name string, addrs []netip.Addr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records[key(name)] = append([]netip.Addr(nil), addrs...)
}

// Delete removes name from the table: queries for it get NXDOMAIN.
func (s *Server) Delete(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.records, key(name))
}

func (s *Server) lookup(name string) ([]netip.Addr, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	addrs, ok := s.records[key(name)]
	return addrs, ok
}

func key(name string) string { return strings.ToLower(dns.Fqdn(name)) }

// Start listens on addr (host:port; port 0 picks one free for both UDP and
// TCP) and serves in the background until Close. Call Start once, and not
// concurrently with Addr or Close.
func (s *Server) Start(addr string) error {
	if s.udp != nil {
		return errors.New("dnsserver: already started")
	}
	pc, ln, err := listenBoth(addr)
	if err != nil {
		return err
	}
	handler := dns.HandlerFunc(s.serveDNS)
	started := make(chan struct{}, 2)
	notify := func() { started <- struct{}{} }
	s.udp = &dns.Server{PacketConn: pc, Handler: handler, NotifyStartedFunc: notify}
	s.tcp = &dns.Server{Listener: ln, Handler: handler, NotifyStartedFunc: notify}
	errc := make(chan error, 2)
	for _, srv := range []*dns.Server{s.udp, s.tcp} {
		go func() { errc <- srv.ActivateAndServe() }()
	}
	for n := 0; n < 2; {
		select {
		case <-started:
			n++
		case err := <-errc:
			// One of them could not start: stop the other too.
			pc.Close()
			ln.Close()
			s.udp, s.tcp = nil, nil
			return fmt.Errorf("dnsserver: serve %s: %w", addr, err)
		}
	}
	s.addr = ln.Addr().String()
	s.done = make(chan struct{})
	go func() {
		for range 2 {
			if err := <-errc; err != nil {
				slog.Debug("dnsserver: serve ended", "addr", s.addr, "err", err)
			}
		}
		close(s.done)
	}()
	return nil
}

// listenBoth opens UDP and TCP on the same address. With port 0 the port
// UDP got is tried for TCP, a few times over if another socket holds it.
func listenBoth(addr string) (net.PacketConn, net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, nil, fmt.Errorf("dnsserver: address %q: %w", addr, err)
	}
	var lastErr error
	for range 10 {
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			return nil, nil, fmt.Errorf("dnsserver: listen udp %s: %w", addr, err)
		}
		_, got, _ := net.SplitHostPort(pc.LocalAddr().String())
		ln, err := net.Listen("tcp", net.JoinHostPort(host, got))
		if err == nil {
			return pc, ln, nil
		}
		pc.Close()
		lastErr = err
		if port != "0" {
			break
		}
	}
	return nil, nil, fmt.Errorf("dnsserver: listen tcp %s: %w", addr, lastErr)
}

// Addr is the host:port the server listens on (UDP and TCP), once started.
func (s *Server) Addr() string { return s.addr }

// Close stops the server and waits for it, at most a few seconds. Closing
// a server that is not running does nothing.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.shutdown() })
	return s.closeErr
}

func (s *Server) shutdown() error {
	if s.udp == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := errors.Join(s.udp.ShutdownContext(ctx), s.tcp.ShutdownContext(ctx))
	select {
	case <-s.done:
	case <-ctx.Done():
	}
	if err != nil {
		return fmt.Errorf("dnsserver: close: %w", err)
	}
	return nil
}

// serveDNS answers one query.
func (s *Server) serveDNS(w dns.ResponseWriter, r *dns.Msg) {
	ecs := clientSubnet(r)
	scope := 0
	m := answer(r, func(name string) ([]netip.Addr, bool) {
		addrs, bits, ok := s.lookupSubnet(name, ecs)
		scope = bits
		return addrs, ok
	})
	echoSubnet(m, ecs, scope)
	if _, udp := w.LocalAddr().(*net.UDPAddr); udp {
		size := dns.MinMsgSize
		if opt := r.IsEdns0(); opt != nil {
			size = int(opt.UDPSize())
		}
		m.Truncate(size)
	}
	if err := w.WriteMsg(m); err != nil {
		slog.Debug("dnsserver: write answer", "err", err)
	}
}

// answer builds the reply to r from lookup.
func answer(r *dns.Msg, lookup func(string) ([]netip.Addr, bool)) *dns.Msg {
	m := new(dns.Msg)
	if r.Opcode != dns.OpcodeQuery || len(r.Question) != 1 {
		return m.SetRcode(r, dns.RcodeNotImplemented)
	}
	m.SetReply(r)
	m.Authoritative = true
	if opt := r.IsEdns0(); opt != nil {
		m.SetEdns0(max(opt.UDPSize(), dns.MinMsgSize), false)
	}
	q := r.Question[0]
	addrs, ok := lookup(q.Name)
	if !ok {
		m.Rcode = dns.RcodeNameError
		return m
	}
	if q.Qclass != dns.ClassINET && q.Qclass != dns.ClassANY {
		return m
	}
	for _, a := range addrs {
		a = a.Unmap()
		hdr := dns.RR_Header{Name: q.Name, Class: dns.ClassINET, Ttl: TTL}
		switch {
		case a.Is4() && (q.Qtype == dns.TypeA || q.Qtype == dns.TypeANY):
			hdr.Rrtype = dns.TypeA
			m.Answer = append(m.Answer, &dns.A{Hdr: hdr, A: a.AsSlice()})
		case a.Is6() && (q.Qtype == dns.TypeAAAA || q.Qtype == dns.TypeANY):
			hdr.Rrtype = dns.TypeAAAA
			m.Answer = append(m.Answer, &dns.AAAA{Hdr: hdr, AAAA: a.AsSlice()})
		}
	}
	return m
}
