package warmtest

import (
	"net/netip"
	"strings"

	"github.com/cfprewarm/cfprewarm/internal/loopback/dnsserver"
)

// startDNS serves A and AAAA records for the POP names on loopback, with
// NXDOMAIN for every other name (and for POPs whose spec says NoDNS).
func startDNS(distribution string, pops map[string]*POP) (*dnsserver.Server, error) {
	label, _, _ := strings.Cut(strings.ToLower(distribution), ".")
	records := map[string][]netip.Addr{}
	for code, p := range pops {
		if p.Spec.NoDNS {
			continue
		}
		name := label + "." + code + ".cloudfront.net"
		for _, a := range p.Spec.Addrs {
			records[name] = append(records[name], netip.MustParseAddr(a))
		}
	}
	s := dnsserver.New(records)
	if err := s.Start("127.0.0.1:0"); err != nil {
		return nil, err
	}
	return s, nil
}
