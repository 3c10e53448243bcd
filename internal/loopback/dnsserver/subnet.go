package dnsserver

import (
	"net/netip"

	"github.com/miekg/dns"
)

// Answers by client subnet (RFC 7871, EDNS Client Subnet), as CloudFront's
// DNS gives viewers the addresses of the POP that serves their network: a
// query that carries the option from inside a subnet of the name's table
// gets that subnet's addresses (the most specific subnet wins), every
// other query the name's plain record. The reply echoes the option with
// the scope of the subnet used (0 when none applied).

// subnetRule is one row of a name's client-subnet table.
type subnetRule struct {
	subnet netip.Prefix
	addrs  []netip.Addr
}

// SetSubnet makes name answer queries from clients in subnet with addrs.
// The name answers other queries from its plain record (Set), or NXDOMAIN
// when it has none. It is safe to call while the server runs.
func (s *Server) SetSubnet(name string, subnet netip.Prefix, addrs []netip.Addr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.subnets == nil {
		s.subnets = map[string][]subnetRule{}
	}
	k, subnet := key(name), subnet.Masked()
	rules := s.subnets[k]
	for i, r := range rules {
		if r.subnet == subnet {
			rules = append(rules[:i], rules[i+1:]...)
			break
		}
	}
	s.subnets[k] = append(rules, subnetRule{subnet, append([]netip.Addr(nil), addrs...)})
}

// lookupSubnet answers name for a client in ecs (invalid: no option): the
// addresses, the prefix length of the subnet that applied (0: none), and
// whether the name exists.
func (s *Server) lookupSubnet(name string, ecs netip.Prefix) ([]netip.Addr, int, bool) {
	if ecs.IsValid() {
		s.mu.RLock()
		best := -1
		var addrs []netip.Addr
		for _, r := range s.subnets[key(name)] {
			if r.subnet.Bits() > best && r.subnet.Addr().BitLen() == ecs.Addr().BitLen() &&
				r.subnet.Bits() <= ecs.Bits() && r.subnet.Contains(ecs.Addr()) {
				best, addrs = r.subnet.Bits(), r.addrs
			}
		}
		s.mu.RUnlock()
		if best >= 0 {
			return addrs, best, true
		}
	}
	addrs, ok := s.lookup(name)
	return addrs, 0, ok
}

// clientSubnet is the EDNS Client Subnet of a query, or the zero Prefix.
func clientSubnet(r *dns.Msg) netip.Prefix {
	opt := r.IsEdns0()
	if opt == nil {
		return netip.Prefix{}
	}
	for _, o := range opt.Option {
		e, ok := o.(*dns.EDNS0_SUBNET)
		if !ok {
			continue
		}
		ip, ok := netip.AddrFromSlice(e.Address)
		if !ok {
			return netip.Prefix{}
		}
		if e.Family == 1 {
			ip = ip.Unmap()
		}
		p, err := ip.Prefix(int(e.SourceNetmask))
		if err != nil {
			return netip.Prefix{}
		}
		return p
	}
	return netip.Prefix{}
}

// echoSubnet adds the client's subnet option to the reply m with the scope
// that applied, as RFC 7871 asks of a server that understood it.
func echoSubnet(m *dns.Msg, ecs netip.Prefix, scope int) {
	opt := m.IsEdns0()
	if !ecs.IsValid() || opt == nil {
		return
	}
	e := &dns.EDNS0_SUBNET{Code: dns.EDNS0SUBNET, Family: 1, SourceNetmask: uint8(ecs.Bits()), SourceScope: uint8(scope), Address: ecs.Addr().AsSlice()}
	if ecs.Addr().Is6() {
		e.Family = 2
	}
	opt.Option = append(opt.Option, e)
}
