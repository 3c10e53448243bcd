package warm

import (
	"context"
	"sync"
	"time"

	"github.com/cfprewarm/cfprewarm/probe"
)

// resolveSubnets resolves the distribution domain once per client subnet,
// with EDNS Client Subnet (probe.LookupSubnet), each lookup bounded by
// timeout. The targets have no POP code yet: the answers say which POP it is.
func resolveSubnets(ctx context.Context, c Config, timeout time.Duration) []target {
	out := make([]target, len(c.ClientSubnets))
	var wg sync.WaitGroup
	for i, subnet := range c.ClientSubnets {
		wg.Go(func() {
			t := target{subnet: subnet.String(), name: c.Distribution}
			lctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			start := time.Now()
			t.ips, t.err = probe.LookupSubnet(lctx, c.DNSServer, c.Distribution, subnet, c.IPVersion)
			t.lookup = time.Since(start)
			out[i] = t
		})
	}
	wg.Wait()
	return out
}

// answeredBy is the POP that answered most of the OK requests (ties: the
// first in code order), or "".
func answeredBy(recs []Record) string {
	count := map[string]int{}
	best := ""
	for _, r := range recs {
		pop := r.CloudFront.POP
		if pop == "" || !r.OK() {
			continue
		}
		count[pop]++
		if n := count[pop]; n > count[best] || n == count[best] && pop < best {
			best = pop
		}
	}
	return best
}
