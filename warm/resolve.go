package warm

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/cfprewarm/cfprewarm/probe"
)

// target is a POP and the addresses its name resolved to.
type target struct {
	pop    string
	subnet string // a client-subnet target (subnet.go): pop is ""
	name   string // dXXXX.<POP>.cloudfront.net
	ips    []netip.Addr
	err    error
	lookup time.Duration
}

// resolveAll resolves every POP name concurrently, each lookup bounded by
// timeout. A POP whose name does not resolve keeps its error; the others go on.
// server is the resolver asked ("" for the system's), named in errors.
func resolveAll(ctx context.Context, res *net.Resolver, server string, names map[string]string, pops []string, ipVersion int, timeout time.Duration) []target {
	out := make([]target, len(pops))
	var wg sync.WaitGroup
	for i, pop := range pops {
		wg.Go(func() {
			t := target{pop: pop, name: names[pop]}
			start := time.Now()
			t.ips, t.err = lookup(ctx, res, server, t.name, ipVersion, timeout)
			t.lookup = time.Since(start)
			out[i] = t
		})
	}
	wg.Wait()
	return out
}

func lookup(ctx context.Context, res *net.Resolver, server, name string, ipVersion int, timeout time.Duration) ([]netip.Addr, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	network := map[int]string{0: "ip", 4: "ip4", 6: "ip6"}[ipVersion]
	// The trailing dot makes the name absolute: no search domains are tried.
	found, err := res.LookupNetIP(ctx, network, name+".")
	if err != nil {
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) {
			dnsErr.Name = name
			return nil, probe.NameServer(cleanDNSError(dnsErr), server)
		}
		return nil, fmt.Errorf("lookup %s: %w", name, err)
	}
	var ips []netip.Addr
	for _, ip := range found {
		ip = ip.Unmap()
		if ipVersion == 4 && !ip.Is4() || ipVersion == 6 && !ip.Is6() || slices.Contains(ips, ip) {
			continue
		}
		ips = append(ips, ip)
	}
	if len(ips) == 0 {
		return nil, fmt.Errorf("lookup %s: no %s addresses", name, network)
	}
	slices.SortFunc(ips, netip.Addr.Compare)
	return ips, nil
}

// cleanDNSError drops the server address from the message ("lookup NAME:
// no such host"): the system resolver's address repeats on every line and
// is known to the user. A server given with DNSServer is named again
// (probe.NameServer): it is the one that was asked.
func cleanDNSError(e *net.DNSError) error {
	c := *e
	c.Server = ""
	return &c
}
