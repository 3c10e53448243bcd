package doctor

import (
	"context"
	"net/netip"
	"slices"

	"github.com/cfprewarm/cfprewarm/pace"
	"github.com/cfprewarm/cfprewarm/probe"
)

// lookupPOP resolves a POP's name Lookups times, LookupGap apart, asking
// the configured DNS server (or the system's first) directly so that the
// answers' TTL is seen (probe.LookupTTL): the addresses of the first
// answer, how many, the smallest TTL, whether the set stayed the same.
func (d *doctor) lookupPOP(ctx context.Context, name string) *DNS {
	r := &DNS{Stable: true}
	seen := map[netip.Addr]bool{}
	for i := range d.cfg.Lookups {
		if i > 0 && !pace.Sleep(ctx, d.cfg.LookupGap) {
			break
		}
		lctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
		addrs, ttl, err := probe.LookupTTL(lctx, d.cfg.DNSServer, name, d.cfg.IPVersion)
		cancel()
		switch {
		case err != nil && i == 0:
			r.Error = err.Error()
			return r
		case err != nil:
			r.Stable = false
			continue
		case i == 0:
			r.Addrs, r.Count, r.TTL = addrs, len(addrs), ttl
		case !slices.Equal(addrs, r.Addrs):
			r.Stable = false
		}
		r.Lookups++
		r.TTL = min(r.TTL, ttl)
		for _, a := range addrs {
			seen[a] = true
		}
	}
	r.Seen = len(seen)
	return r
}
