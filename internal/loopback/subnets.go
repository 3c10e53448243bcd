package loopback

import (
	"net/netip"
)

// setSubnets gives the distribution domain and every alias the
// client-subnet table of Config.Subnets (validated): a query from a
// subnet's network is answered with its POP's addresses.
func (cf *CloudFront) setSubnets(cfg Config) {
	if len(cfg.Subnets) == 0 {
		return
	}
	names := []string{cfg.Distribution}
	for name := range cfg.Aliases {
		names = append(names, name)
	}
	for cidr, code := range cfg.Subnets {
		subnet := netip.MustParsePrefix(cidr)
		for _, name := range dedupe(names) {
			cf.dns.SetSubnet(name, subnet, cf.POPs[code].Addrs)
		}
	}
}
