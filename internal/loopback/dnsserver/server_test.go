package dnsserver

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/miekg/dns"
)

func addrs(s ...string) []netip.Addr {
	var out []netip.Addr
	for _, a := range s {
		out = append(out, netip.MustParseAddr(a))
	}
	return out
}

func start(t *testing.T, records map[string][]netip.Addr) *Server {
	t.Helper()
	s := New(records)
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var table = map[string][]netip.Addr{
	"d111.cloudfront.net":           addrs("127.0.0.2", "127.0.0.3"),
	"d111.HKG62-C1.cloudfront.net.": addrs("127.0.0.2"),
	"api.example.test":              addrs("127.0.0.4", "::1"),
	"v4only.test":                   addrs("127.0.0.5"),
	"mapped.test":                   addrs("::ffff:127.0.0.6"),
	"empty.test":                    nil,
}

// resolver is a Go resolver that sends every query to s over network.
func resolver(s *Server, network string) *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, s.Addr())
	}}
}

func TestGoResolver(t *testing.T) {
	s := start(t, table)
	tests := []struct {
		name, family string
		want         []netip.Addr // nil: not found
	}{
		{"d111.cloudfront.net", "ip4", addrs("127.0.0.2", "127.0.0.3")},
		{"D111.CloudFront.NET", "ip4", addrs("127.0.0.2", "127.0.0.3")},
		{"d111.hkg62-c1.cloudfront.net", "ip4", addrs("127.0.0.2")},
		{"d111.HKG62-C1.cloudfront.net", "ip4", addrs("127.0.0.2")},
		{"api.example.test", "ip6", addrs("::1")},
		{"api.example.test", "ip", addrs("127.0.0.4", "::1")},
		{"mapped.test", "ip4", addrs("127.0.0.6")},
		{"v4only.test", "ip6", nil},
		{"empty.test", "ip4", nil},
		{"unknown.test", "ip4", nil},
		{"d111.NRT57-P2.cloudfront.net", "ip4", nil},
	}
	for _, network := range []string{"udp", "tcp"} {
		r := resolver(s, network)
		for _, tt := range tests {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			got, err := r.LookupNetIP(ctx, tt.family, tt.name)
			cancel()
			if tt.want == nil {
				var de *net.DNSError
				if !errors.As(err, &de) || !de.IsNotFound {
					t.Errorf("%s %s %s: %v, %v; want not found", network, tt.family, tt.name, got, err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s %s %s: %v", network, tt.family, tt.name, err)
				continue
			}
			slices.SortFunc(got, netip.Addr.Compare)
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s %s %s = %v, want %v", network, tt.family, tt.name, got, tt.want)
			}
		}
	}
}

// TestRcodes checks the answers on the wire: NXDOMAIN for unknown names,
// NOERROR with no answer for a known name without that type, the asked name
// echoed with its case, the TTL and the authoritative bit.
func TestRcodes(t *testing.T) {
	s := start(t, table)
	tests := []struct {
		name    string
		qtype   uint16
		rcode   int
		answers int
	}{
		{"d111.HKG62-C1.cloudfront.net.", dns.TypeA, dns.RcodeSuccess, 1},
		{"d111.cloudfront.net.", dns.TypeA, dns.RcodeSuccess, 2},
		{"d111.cloudfront.net.", dns.TypeAAAA, dns.RcodeSuccess, 0},
		{"d111.cloudfront.net.", dns.TypeMX, dns.RcodeSuccess, 0},
		{"api.example.test.", dns.TypeANY, dns.RcodeSuccess, 2},
		{"unknown.test.", dns.TypeA, dns.RcodeNameError, 0},
		{"unknown.test.", dns.TypeAAAA, dns.RcodeNameError, 0},
	}
	for _, network := range []string{"udp", "tcp"} {
		c := &dns.Client{Net: network, Timeout: 5 * time.Second}
		for _, tt := range tests {
			q := new(dns.Msg).SetQuestion(tt.name, tt.qtype)
			m, _, err := c.Exchange(q, s.Addr())
			if err != nil {
				t.Fatalf("%s %s: %v", network, tt.name, err)
			}
			if m.Rcode != tt.rcode || len(m.Answer) != tt.answers {
				t.Errorf("%s %s %s: rcode %s, %d answers; want %s, %d", network, tt.name, dns.TypeToString[tt.qtype],
					dns.RcodeToString[m.Rcode], len(m.Answer), dns.RcodeToString[tt.rcode], tt.answers)
			}
			if !m.Authoritative {
				t.Errorf("%s %s: AA bit not set", network, tt.name)
			}
			for _, rr := range m.Answer {
				if rr.Header().Name != tt.name || rr.Header().Ttl != TTL {
					t.Errorf("%s %s: answer %v, want the asked name and TTL %d", network, tt.name, rr, TTL)
				}
			}
		}
	}
}

// TestTruncation: an answer too big for a plain UDP reply is truncated (TC
// set), complete over TCP and over UDP with a large EDNS buffer.
func TestTruncation(t *testing.T) {
	var many []netip.Addr
	for i := range 100 {
		many = append(many, netip.AddrFrom4([4]byte{127, 1, 0, byte(i)}))
	}
	s := start(t, map[string][]netip.Addr{"many.test": many})
	q := new(dns.Msg).SetQuestion("many.test.", dns.TypeA)

	m, _, err := (&dns.Client{Net: "udp"}).Exchange(q, s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if !m.Truncated || len(m.Answer) >= 100 {
		t.Errorf("UDP: truncated=%v with %d answers, want TC and fewer than 100", m.Truncated, len(m.Answer))
	}
	m, _, err = (&dns.Client{Net: "tcp"}).Exchange(q, s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if m.Truncated || len(m.Answer) != 100 {
		t.Errorf("TCP: truncated=%v with %d answers, want all 100", m.Truncated, len(m.Answer))
	}
	q.SetEdns0(4096, false)
	m, _, err = (&dns.Client{Net: "udp"}).Exchange(q, s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if m.Truncated || len(m.Answer) != 100 || m.IsEdns0() == nil {
		t.Errorf("UDP+EDNS: truncated=%v with %d answers, edns=%v; want all 100 with OPT", m.Truncated, len(m.Answer), m.IsEdns0() != nil)
	}
}

func TestSetAndDelete(t *testing.T) {
	s := start(t, nil)
	r := resolver(s, "udp")
	ctx := context.Background()
	if _, err := r.LookupNetIP(ctx, "ip4", "late.test"); err == nil {
		t.Fatal("name resolved before Set")
	}
	s.Set("LATE.test", addrs("127.0.0.9"))
	got, err := r.LookupNetIP(ctx, "ip4", "late.test")
	if err != nil || !slices.Equal(got, addrs("127.0.0.9")) {
		t.Fatalf("after Set: %v, %v", got, err)
	}
	s.Delete("late.test.")
	m, _, err := (&dns.Client{}).Exchange(new(dns.Msg).SetQuestion("late.test.", dns.TypeA), s.Addr())
	if err != nil || m.Rcode != dns.RcodeNameError {
		t.Fatalf("after Delete: %v, %v; want NXDOMAIN", m, err)
	}
}

func TestLifecycle(t *testing.T) {
	s := New(nil)
	if err := s.Close(); err != nil {
		t.Errorf("Close before Start: %v", err)
	}
	s = New(nil)
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	if err := s.Start("127.0.0.1:0"); err == nil {
		t.Error("second Start succeeded")
	}
	// Another server cannot take the same port.
	if err := New(nil).Start(s.Addr()); err == nil {
		t.Error("Start on a port in use succeeded")
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, _, err := (&dns.Client{Net: "tcp", Timeout: time.Second}).Exchange(new(dns.Msg).SetQuestion("x.test.", dns.TypeA), s.Addr()); err == nil {
		t.Error("server still answers after Close")
	}
	if err := New(nil).Start("no-port"); err == nil {
		t.Error("Start with a bad address succeeded")
	}
}
