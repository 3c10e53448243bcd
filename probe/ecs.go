package probe

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"

	"github.com/miekg/dns"
)

// LookupSubnet resolves name (A and AAAA, or one family: ipVersion 4 or 6)
// the way a resolver serving viewers in subnet would: every query carries
// the EDNS Client Subnet option (RFC 7871) with subnet. CloudFront's DNS
// answers such a query with the addresses of the POP that serves that
// network. server is host[:port] of a DNS server that passes the option on
// (a public resolver that supports ECS, or an authoritative server); ""
// means the first nameserver of /etc/resolv.conf. A name that does not
// exist is a *net.DNSError with IsNotFound.
func LookupSubnet(ctx context.Context, server, name string, subnet netip.Prefix, ipVersion int) ([]netip.Addr, error) {
	if !subnet.IsValid() {
		return nil, fmt.Errorf("lookup %s: invalid client subnet", name)
	}
	out, _, err := lookupDirect(ctx, server, name, subnet.Masked(), ipVersion)
	if err == nil && len(out) == 0 {
		err = &net.DNSError{Err: "no addresses for client subnet " + subnet.String(), Name: name, IsNotFound: true}
	}
	return out, err
}

// LookupTTL resolves name (A and AAAA, or one family) by asking server
// (host[:port]; "" means the first nameserver of /etc/resolv.conf)
// directly, and returns the addresses, sorted, with the smallest TTL of
// the answers in seconds: what a resolver would cache them for.
func LookupTTL(ctx context.Context, server, name string, ipVersion int) ([]netip.Addr, int, error) {
	out, ttl, err := lookupDirect(ctx, server, name, netip.Prefix{}, ipVersion)
	if err == nil && len(out) == 0 {
		err = &net.DNSError{Err: "no addresses", Name: name, IsNotFound: true}
	}
	return out, ttl, err
}

// lookupDirect asks server for name's addresses of the families asked,
// with the client subnet when it is valid.
func lookupDirect(ctx context.Context, server, name string, subnet netip.Prefix, ipVersion int) ([]netip.Addr, int, error) {
	addr, err := subnetServer(server)
	if err != nil {
		return nil, 0, err
	}
	var types []uint16
	if ipVersion != 6 {
		types = append(types, dns.TypeA)
	}
	if ipVersion != 4 {
		types = append(types, dns.TypeAAAA)
	}
	var out []netip.Addr
	ttl := -1
	for _, qt := range types {
		ips, t, err := exchangeSubnet(ctx, addr, dns.Fqdn(name), qt, subnet)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, ips...)
		if t >= 0 && (ttl < 0 || t < ttl) {
			ttl = t
		}
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return slices.Compact(out), max(ttl, 0), nil
}

// subnetServer is the host:port to ask.
func subnetServer(server string) (string, error) {
	if server != "" {
		return DNSServerAddr(server)
	}
	cc, err := dns.ClientConfigFromFile("/etc/resolv.conf")
	if err != nil || len(cc.Servers) == 0 {
		return "", fmt.Errorf("client subnet lookup: no DNS server given and none in /etc/resolv.conf")
	}
	return net.JoinHostPort(cc.Servers[0], cc.Port), nil
}

// exchangeSubnet sends one query, with the client subnet when it is
// valid, over UDP and again over TCP when the answer was truncated, and
// returns the addresses and their smallest TTL (-1 without any).
func exchangeSubnet(ctx context.Context, server, fqdn string, qtype uint16, subnet netip.Prefix) ([]netip.Addr, int, error) {
	m := new(dns.Msg)
	m.SetQuestion(fqdn, qtype)
	m.RecursionDesired = true
	m.SetEdns0(1232, false)
	if subnet.IsValid() {
		ecs := &dns.EDNS0_SUBNET{Code: dns.EDNS0SUBNET, Family: 1, SourceNetmask: uint8(subnet.Bits()), Address: subnet.Addr().AsSlice()}
		if subnet.Addr().Is6() {
			ecs.Family = 2
		}
		opt := m.IsEdns0()
		opt.Option = append(opt.Option, ecs)
	}
	c := &dns.Client{Net: "udp"}
	r, _, err := c.ExchangeContext(ctx, m, server)
	if err == nil && r.Truncated {
		c.Net = "tcp"
		r, _, err = c.ExchangeContext(ctx, m, server)
	}
	name := fqdn[:len(fqdn)-1]
	if err != nil {
		return nil, 0, &net.DNSError{Err: err.Error(), Name: name, Server: server, IsTimeout: ctx.Err() != nil}
	}
	switch r.Rcode {
	case dns.RcodeSuccess:
	case dns.RcodeNameError:
		return nil, 0, &net.DNSError{Err: "no such host", Name: name, Server: server, IsNotFound: true}
	default:
		return nil, 0, &net.DNSError{Err: "server answered " + dns.RcodeToString[r.Rcode], Name: name, Server: server}
	}
	// CNAMEs are followed by the server. Only records of the type asked
	// for count: an A query answered with AAAA records too must not give
	// IPv6 addresses to an IPv4-only lookup, nor an IPv4-mapped AAAA an
	// IPv4 address to an IPv6-only one.
	var ips []netip.Addr
	ttl := -1
	for _, rr := range r.Answer {
		n := len(ips)
		switch a := rr.(type) {
		case *dns.A:
			if ip, ok := netip.AddrFromSlice(a.A.To4()); ok && qtype == dns.TypeA {
				ips = append(ips, ip)
			}
		case *dns.AAAA:
			if ip, ok := netip.AddrFromSlice(a.AAAA); ok && qtype == dns.TypeAAAA && !ip.Is4In6() {
				ips = append(ips, ip)
			}
		}
		if t := int(rr.Header().Ttl); len(ips) > n && (ttl < 0 || t < ttl) {
			ttl = t
		}
	}
	return ips, ttl, nil
}
