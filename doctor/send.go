package doctor

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/cfprewarm/cfprewarm/edgehosts"
	"github.com/cfprewarm/cfprewarm/probe"
)

// answer is one request to a POP: where it went and what came back.
type answer struct {
	addr netip.Addr
	res  probe.Result
	end  time.Time
}

// ok reports whether the answer came from pop and says something.
func (a answer) ok(pop string) bool {
	return a.res.OK() && a.res.Status < 500 && strings.EqualFold(a.res.CloudFront.POP, pop)
}

// sent is when the request was written: its start, after the connection
// and the TLS handshake.
func (a answer) sent() time.Time { return a.res.Start.Add(a.res.Timings.AppConnect) }

// observation is what an answer says of its edge host, by the via id or,
// with hostID, by the host identity header. conn says whether the request
// had a connection of its own (so that ids on one client port mean
// something).
func (a answer) observation(hostID, conn bool) edgehosts.Observation {
	o := edgehosts.Observation{ID: a.res.CloudFront.EdgeHost(), Hops: a.res.CloudFront.ViaHops(), Addr: a.addr, Origin: a.res.Origin}
	if hostID {
		o.ID, o.Hops = a.res.HostID, 0
	}
	if conn {
		o.Conn = a.res.LocalAddr
	}
	return o
}

// errOverBudget stops a step that would send more than the plan allows.
var errOverBudget = fmt.Errorf("doctor: the request budget is spent")

// sender sends the run's requests to the distribution, counting each
// against the plan: it never sends more than the number printed before
// the first request.
type sender struct {
	cfg     Config
	mu      sync.Mutex
	sent    int
	limit   int
	probers map[netip.Addr]*probe.Prober
	url     string
}

// reserve counts n requests against the plan, or fails without counting.
func (s *sender) reserve(n int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sent+n > s.limit {
		return errOverBudget
	}
	s.sent += n
	return nil
}

// Sent is the number of requests sent (or reserved) so far.
func (s *sender) Sent() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sent
}

// prober is the prober of one POP address: SNI and Host are the
// configured host, the connection goes to ip, each request on a new one.
func (s *sender) prober(ip netip.Addr) (*probe.Prober, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.probers[ip]; ok {
		return p, nil
	}
	pc := s.probeConfig()
	pc.Address = netip.AddrPortFrom(ip, uint16(s.cfg.Port)).String()
	p, err := probe.NewProber(pc)
	if err != nil {
		return nil, err
	}
	s.probers[ip] = p
	return p, nil
}

// probeConfig is the probe of every request of the run.
func (s *sender) probeConfig() probe.Config {
	c := s.cfg
	return probe.Config{
		URL:          s.url,
		Header:       c.Header,
		ServerTiming: true,
		UserAgent:    c.UserAgent,
		DNSServer:    c.DNSServer,
		RootCAs:      c.RootCAs,
		Timeout:      c.Timeout,
		MaxBody:      64 << 10,
		Dial:         c.Dial,
		HTTP1:        true,
		HostIDHeader: c.HostIDHeader,
		Network:      network(c.IPVersion),
	}
}

// send sends n requests at once (Concurrency at most in flight), each on a
// new connection, spread over addrs in turn, and returns them in order.
func (s *sender) send(ctx context.Context, addrs []netip.Addr, n int) ([]answer, error) {
	if len(addrs) == 0 || n <= 0 {
		return nil, nil
	}
	if err := s.reserve(n); err != nil {
		return nil, err
	}
	out := make([]answer, n)
	sem := make(chan struct{}, s.cfg.Concurrency)
	var wg sync.WaitGroup
	var perr error
	var once sync.Once
	for i := range n {
		ip := addrs[i%len(addrs)]
		p, err := s.prober(ip)
		if err != nil {
			once.Do(func() { perr = err })
			break
		}
		wg.Go(func() {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sem }()
			out[i] = answer{addr: ip, res: p.Probe(ctx, i+1), end: time.Now()}
		})
	}
	wg.Wait()
	if perr != nil {
		return nil, perr
	}
	return out, ctx.Err()
}

// close releases the probers.
func (s *sender) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.probers {
		p.Close()
	}
}

func network(ipVersion int) string {
	switch ipVersion {
	case 4:
		return "tcp4"
	case 6:
		return "tcp6"
	}
	return "tcp"
}
