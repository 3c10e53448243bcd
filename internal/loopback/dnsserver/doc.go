// Package dnsserver is the lab's DNS server: an authoritative server on a
// loopback address that answers A and AAAA queries from a table, over UDP
// and TCP on the same port.
//
// It stands in for CloudFront's DNS for the names the lab invents:
// <dist>.cloudfront.net, the custom host, and the per-POP names
// <dist>.<POP>.cloudfront.net that the prewarmer resolves. Names match
// case-insensitively (POP codes are upper case, resolvers may randomise
// case). A name not in the table gets NXDOMAIN; a name in the table with no
// address of the asked type gets NOERROR with no answer. TTLs are fixed at
// 60 s and not otherwise modelled.
//
//	s := dnsserver.New(map[string][]netip.Addr{
//		"d111.cloudfront.net":          {netip.MustParseAddr("127.0.0.2")},
//		"d111.HKG62-C1.cloudfront.net": {netip.MustParseAddr("127.0.0.2")},
//	})
//	if err := s.Start("127.0.0.1:0"); err != nil { ... }
//	defer s.Close()
//	// point --dns-server at s.Addr()
package dnsserver
