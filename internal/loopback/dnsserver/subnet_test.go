package dnsserver

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/miekg/dns"
)

// query asks s for name's A records with a client subnet (invalid: none)
// and returns the addresses and the scope the reply's option echoes (-1:
// no option in the reply).
func query(t *testing.T, s *Server, name string, ecs netip.Prefix) ([]netip.Addr, int, int) {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), dns.TypeA)
	m.SetEdns0(1232, false)
	if ecs.IsValid() {
		m.IsEdns0().Option = append(m.IsEdns0().Option, &dns.EDNS0_SUBNET{Code: dns.EDNS0SUBNET, Family: 1,
			SourceNetmask: uint8(ecs.Bits()), Address: ecs.Addr().AsSlice()})
	}
	r, err := dns.Exchange(m, s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	var out []netip.Addr
	for _, rr := range r.Answer {
		if a, ok := rr.(*dns.A); ok {
			ip, _ := netip.AddrFromSlice(a.A.To4())
			out = append(out, ip)
		}
	}
	scope := -1
	if opt := r.IsEdns0(); opt != nil {
		for _, o := range opt.Option {
			if e, ok := o.(*dns.EDNS0_SUBNET); ok {
				scope = int(e.SourceScope)
			}
		}
	}
	return out, r.Rcode, scope
}

func TestAnswersByClientSubnet(t *testing.T) {
	s := start(t, map[string][]netip.Addr{"d111.cloudfront.net": addrs("127.0.0.2")})
	s.SetSubnet("d111.cloudfront.net", netip.MustParsePrefix("198.51.100.0/24"), addrs("127.0.0.3"))
	s.SetSubnet("d111.cloudfront.net", netip.MustParsePrefix("198.51.0.0/16"), addrs("127.0.0.4"))
	s.SetSubnet("only-subnets.test", netip.MustParsePrefix("203.0.113.0/24"), addrs("127.0.0.5"))
	for _, c := range []struct {
		name   string
		ecs    string
		want   []netip.Addr
		rcode  int
		scope  int
		reason string
	}{
		{"d111.cloudfront.net", "198.51.100.0/24", addrs("127.0.0.3"), dns.RcodeSuccess, 24, "the most specific subnet"},
		{"d111.cloudfront.net", "198.51.100.7/32", addrs("127.0.0.3"), dns.RcodeSuccess, 24, "an address inside it"},
		{"d111.cloudfront.net", "198.51.7.0/24", addrs("127.0.0.4"), dns.RcodeSuccess, 16, "the wider subnet"},
		{"d111.cloudfront.net", "192.0.2.0/24", addrs("127.0.0.2"), dns.RcodeSuccess, 0, "no subnet applies: the plain record"},
		{"d111.cloudfront.net", "", addrs("127.0.0.2"), dns.RcodeSuccess, -1, "no option: the plain record, no option echoed"},
		{"only-subnets.test", "203.0.113.0/24", addrs("127.0.0.5"), dns.RcodeSuccess, 24, "a name with only subnets"},
		{"only-subnets.test", "", nil, dns.RcodeNameError, -1, "and no plain record"},
	} {
		var ecs netip.Prefix
		if c.ecs != "" {
			ecs = netip.MustParsePrefix(c.ecs)
		}
		got, rcode, scope := query(t, s, c.name, ecs)
		if !slices.Equal(got, c.want) || rcode != c.rcode || scope != c.scope {
			t.Errorf("%s from %q (%s): %v rcode %d scope %d, want %v rcode %d scope %d", c.name, c.ecs, c.reason, got, rcode, scope, c.want, c.rcode, c.scope)
		}
	}
}
