package loopback

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/internal/loopback/edge"
	"github.com/cfprewarm/cfprewarm/internal/loopback/link"
	"github.com/cfprewarm/cfprewarm/origin"
)

// startField starts a CloudFront of one POP for the field tests.
func startField(t *testing.T, cfg Config, spec POPSpec) *CloudFront {
	t.Helper()
	cfg.Distribution, cfg.Host, cfg.POPs = testDist, testHost, []POPSpec{spec}
	cf, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := cf.Close(); err != nil {
			t.Errorf("loopback CloudFront: %v", err)
		}
	})
	return cf
}

// client sends requests to one POP address; keep reuses its connection.
type client struct {
	cf   *CloudFront
	addr netip.Addr
	tr   *http.Transport
}

func newClient(cf *CloudFront, addr netip.Addr, keep bool) *client {
	c := &client{cf: cf, addr: addr}
	c.tr = &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, netip.AddrPortFrom(addr, uint16(cf.Port)).String())
		},
		TLSClientConfig:   &tls.Config{RootCAs: cf.CA.Pool()},
		DisableKeepAlives: !keep,
	}
	return c
}

// get sends GET path and returns the response headers (body read).
func (c *client) get(t *testing.T, path string) http.Header {
	t.Helper()
	req, _ := http.NewRequest("GET", "https://"+net.JoinHostPort(testHost, strconv.Itoa(c.cf.Port))+path, nil)
	req.Header.Set("Pragma", "server-timing")
	resp, err := (&http.Client{Transport: c.tr, Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	return resp.Header
}

func idOf(h http.Header) string { return cloudfront.ReadHeaders(h).EdgeHost() }

// A POP whose name answers with four addresses, its 8 hosts shared by all
// of them or split between them (2 each): with the split, each address
// leads to its own hosts only.
func TestFieldAddressesAndLayout(t *testing.T) {
	t.Parallel()
	for _, split := range []bool{false, true} {
		cf := startField(t, Config{Seed: 3}, POPSpec{Code: "HKG62-C1", AddrCount: 4, Hosts: 8, Split: split})
		p := cf.POPs["HKG62-C1"]
		if len(p.Addrs) != 4 {
			t.Fatalf("addresses %v, want 4", p.Addrs)
		}
		seenAt := map[string]map[netip.Addr]bool{}
		for _, a := range p.Addrs {
			c := newClient(cf, a, false)
			for range 24 {
				id := idOf(c.get(t, "/"))
				if seenAt[id] == nil {
					seenAt[id] = map[netip.Addr]bool{}
				}
				seenAt[id][a] = true
			}
		}
		shared := 0
		for _, at := range seenAt {
			if len(at) > 1 {
				shared++
			}
		}
		if split && (shared != 0 || len(seenAt) != 8) || !split && shared == 0 {
			t.Errorf("split %v: %d ids, %d seen behind several addresses", split, len(seenAt), shared)
		}
	}
}

// The via modes: what the id names.
func TestFieldViaModes(t *testing.T) {
	t.Parallel()
	for _, mode := range edge.ViaModes {
		cf := startField(t, Config{Seed: 5}, POPSpec{Code: "NRT57-P2", AddrCount: 2, Hosts: 4, Via: mode})
		p := cf.POPs["NRT57-P2"]
		ids := map[string]int{}
		byAddr := map[netip.Addr]map[string]bool{}
		var hops int
		for _, a := range p.Addrs {
			byAddr[a] = map[string]bool{}
			c := newClient(cf, a, false)
			for range 12 {
				h := c.get(t, "/")
				ids[idOf(h)]++
				byAddr[a][idOf(h)] = true
				hops = max(hops, cloudfront.ReadHeaders(h).ViaHops())
			}
		}
		kept := newClient(cf, p.Addrs[0], true)
		onOneConn := map[string]bool{}
		for range 3 {
			onOneConn[idOf(kept.get(t, "/"))] = true
		}
		kept.tr.CloseIdleConnections()
		var ok bool
		switch mode {
		case edge.ViaHost:
			ok = len(ids) > 1 && len(ids) <= 4 && len(onOneConn) == 1 && hops == 1
		case edge.ViaChained:
			ok = len(ids) > 1 && len(ids) <= 4 && len(onOneConn) == 1 && hops == 2
		case edge.ViaRequest:
			ok = len(ids) == 24 && len(onOneConn) == 3
		case edge.ViaConstant:
			ok = len(ids) == 1 && len(onOneConn) == 1
		case edge.ViaAddress:
			ok = len(ids) == 2 && len(byAddr[p.Addrs[0]]) == 1 && len(byAddr[p.Addrs[1]]) == 1 && len(onOneConn) == 1
		case edge.ViaConnection:
			ok = len(ids) == 24 && len(onOneConn) == 1
		}
		if !ok {
			t.Errorf("via %s: %d ids over 24 new connections (%v per address), %d on one kept connection, %d CloudFront entries", mode, len(ids), byAddr, len(onOneConn), hops)
		}
	}
}

// The pool policies, with one edge host holding one idle origin connection
// and four requests at once, on an origin link slow enough that a dial
// (TCP and TLS: two round trips) takes longer than a request (one): with
// nginx's policy exactly one request finds the idle connection and the
// other three open their own; with Go's, a waiting request takes the
// connection the first one frees.
func TestFieldPoolPolicies(t *testing.T) {
	t.Parallel()
	for _, policy := range edge.PoolPolicies {
		cf := startField(t, Config{Seed: 7, KeepAlive: time.Minute, OriginLink: link.Link{RTT: 100 * time.Millisecond}},
			POPSpec{Code: "FRA56-P3", Hosts: 1, Pool: policy})
		a := cf.POPs["FRA56-P3"].Addrs[0]
		if o := originOf(newClient(cf, a, false).get(t, "/")); o != cloudfront.OriginCold {
			t.Fatalf("%s: the first request was %v", policy, o)
		}
		var mu sync.Mutex
		warm := 0
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				if originOf(newClient(cf, a, false).get(t, "/")) == cloudfront.OriginWarm {
					mu.Lock()
					warm++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if policy == edge.PoolNewIfNoneIdle && warm != 1 || policy == edge.PoolReuseFreed && warm < 2 {
			t.Errorf("%s: %d of 4 concurrent requests warm with one idle connection", policy, warm)
		}
	}
}

func originOf(h http.Header) cloudfront.OriginConn {
	o, _ := cloudfront.OriginFromMetrics(cloudfront.ParseServerTiming(h.Get("Server-Timing")))
	return o
}

// Origin Shield: the POPs' hosts connect to the shield, which reaches the
// origin with a pool of its own; cdn-upstream-layer says so, and the
// answers carry the POP's via alone.
func TestFieldOriginShield(t *testing.T) {
	t.Parallel()
	cf := startField(t, Config{OriginShield: true, KeepAlive: time.Minute}, POPSpec{Code: "SIN52-C1", Hosts: 1})
	c := newClient(cf, cf.POPs["SIN52-C1"].Addrs[0], false)
	for i, want := range []cloudfront.OriginConn{cloudfront.OriginCold, cloudfront.OriginWarm} {
		h := c.get(t, "/")
		layer := ""
		for _, m := range cloudfront.ParseServerTiming(h.Get("Server-Timing")) {
			if m.Name == cloudfront.MetricUpstreamLayer {
				layer = m.Desc
			}
		}
		if o := originOf(h); o != want || layer != edge.LayerOriginShield || cloudfront.ReadHeaders(h).ViaHops() != 1 {
			t.Errorf("request %d: origin %v layer %q via %q; want %v through the Origin Shield", i+1, o, layer, h.Values("Via"), want)
		}
	}
	if s := cf.Shield.Stats(); s.Requests != 2 || s.OriginConnsOpened != 1 {
		t.Errorf("shield: %d requests, %d origin connections; want 2 on one", s.Requests, s.OriginConnsOpened)
	}
}

// The host identity: on the prewarm path, a request reaches the origin
// with the edge server's address as the sample stack's CloudFront Function
// would forward it, and the origin, which verifies the secret the POPs
// send, echoes it; one per edge host, and nothing on other paths.
func TestFieldHostIdentity(t *testing.T) {
	t.Parallel()
	cf := startField(t, Config{HostID: true, OriginVerifySecret: "s3cret", Seed: 9}, POPSpec{Code: "LHR61-C2", Hosts: 3})
	c := newClient(cf, cf.POPs["LHR61-C2"].Addrs[0], false)
	byVia := map[string]string{}
	for range 30 {
		h := c.get(t, origin.HostIDPath)
		ip, err := netip.ParseAddr(h.Get(cloudfront.HeaderEdgeServerIP))
		if err != nil || !netip.MustParsePrefix("10.0.0.0/8").Contains(ip) {
			t.Fatalf("host id %q: want an address in 10.0.0.0/8", h.Get(cloudfront.HeaderEdgeServerIP))
		}
		if prev, ok := byVia[idOf(h)]; ok && prev != ip.String() {
			t.Errorf("via id %s answered as %s and %s", idOf(h), prev, ip)
		}
		byVia[idOf(h)] = ip.String()
	}
	if len(byVia) < 2 || len(byVia) > 3 {
		t.Errorf("%d edge hosts seen, want 2 or 3 of 3", len(byVia))
	}
	if h := c.get(t, "/"); h.Get(cloudfront.HeaderEdgeServerIP) != "" {
		t.Errorf("host id echoed on /: %q", h.Get(cloudfront.HeaderEdgeServerIP))
	}
}
