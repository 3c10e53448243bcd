package warm_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/internal/loopback"
	"github.com/cfprewarm/cfprewarm/internal/loopback/edge"
	"github.com/cfprewarm/cfprewarm/internal/loopback/link"
	"github.com/cfprewarm/cfprewarm/warm"
)

// A cold answer is not a missed host. Against a POP whose hosts open a new
// origin connection whenever none is idle (nginx's pool policy), a wave
// more concurrent than a host's idle pool gets cold answers from hosts the
// previous wave kept warm. --adapt used to read them as missed hosts and
// double the waves (17 → 34 → 68 → 136 for 4 hosts); it now sees every
// host reached and never grows, and reports those cold answers apart.
func TestAdaptIgnoresPoolColdAnswers(t *testing.T) {
	cf, err := loopback.Start(context.Background(), loopback.Config{Distribution: testDist, Host: testHost, Seed: 11,
		KeepAlive: 5 * time.Second, OriginLink: link.Link{RTT: 20 * time.Millisecond},
		POPs: []loopback.POPSpec{{Code: "HKG62-C1", Hosts: 4, Pool: edge.PoolNewIfNoneIdle}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cf.Close() })
	cfg := warm.Config{Distribution: testDist, Host: testHost, POPs: []string{"HKG62-C1"}, Port: cf.Port,
		DNSServer: cf.DNSAddr, RootCAs: cf.CA.Pool(), Timeout: 5 * time.Second, Logger: slog.New(slog.DiscardHandler),
		Auto: true, Adapt: true, Hosts: 4, Concurrency: 64, Waves: 6, WaveInterval: 400 * time.Millisecond}
	r, err := warm.NewRunner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	res := r.Run(context.Background(), nil)
	first := res.Waves[0].POPs[0].Sizing.Requests
	poolCold := 0
	for _, w := range res.Waves[1:] {
		p := w.POPs[0]
		if p.Sizing.Requests > first {
			t.Errorf("wave %d: %d requests, more than the first wave's %d: adapt grew on a POP whose hosts were all reached", w.Index, p.Sizing.Requests, first)
		}
		if r := p.Sizing.Reach; r != nil {
			poolCold += r.ColdOfReached
			if r.Missed != 0 {
				t.Errorf("wave %d: %d of %d hosts missed, want none", w.Index, r.Missed, r.Hosts)
			}
		}
	}
	if poolCold == 0 {
		t.Errorf("no cold answer from a reached host in 5 waves of %d requests to 4 hosts: the test does not exercise the pool policy", first)
	}
}
